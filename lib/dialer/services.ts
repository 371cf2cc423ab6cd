import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createAgentDesk, type LiveAgentDesk } from '../agents';
import { CampaignRunner } from './runner';
import { ensureAbandonPrompt } from './prompts';
import type { TelephonyDriver } from '../telephony/contract';
import { Supervisor } from '../agents/supervise';
import { CallRecordings } from '../agents/recordings';
import { logAgentCall } from '../store/agent-calls';
import { sharedLimitsFor, workSpreadFor } from '../scale/wiring';
import { InboundCalls } from '../inbound/service';

/**
 * The live dialer parts as the API sees them (`app.dialer`, lib/api/plugins/app/telephony.ts): the agent
 * desk and supervisor routes register only when present, and the monitor attaches their events.
 */
export interface DialerRuntime {
  driver: TelephonyDriver;
  desk: LiveAgentDesk;
  /** Absent when only the desk runs (agent desktop tests). */
  runner?: CampaignRunner;
  /** Listen, whisper, barge (routes/supervise.ts); absent: those routes are not offered. */
  supervisor?: Supervisor;
  /** Return calls (issue 18); absent: /inbound-calls/:id/dnc is not offered and no inbound.* events. */
  inbound?: InboundCalls;
  /** The desk routes' clock (tests); Date.now when absent. */
  clock?: () => number;
}

export interface ServiceDeps {
  config: Readonly<Config>;
  redis: Redis;
  log: Logger;
}

export interface Services {
  driver: TelephonyDriver;
  desk: LiveAgentDesk;
  runner: CampaignRunner;
  /** What the API offers the live routes with (`app.dialer`, lib/api/plugins/app/telephony.ts). */
  runtime: DialerRuntime;
  /** Return calls (issue 18): inbound INVITEs to the routes' numbers. */
  inbound: InboundCalls;
  stop(): Promise<void>;
}

/**
 * The telephony driver named by `telephony.driver`; a misconfigured one refuses to start. Only the
 * named driver's code is loaded (the FreeSWITCH one brings drachtio and ESL: time to /health).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded only when named (see above) */
export function createDriver(config: Readonly<Config>, log: Logger, redis?: Redis): TelephonyDriver {
  if (config.telephony.driver === 'freeswitch') {
    const fs = require('../telephony/drivers/freeswitch') as typeof import('../telephony/drivers/freeswitch');
    return fs.createFreeswitchDriver({ config, logger: log });
  }
  const embedded = require('../telephony/embedded') as typeof import('../telephony/embedded');
  return embedded.createEmbeddedDriver(config, log.child({ driver: 'embedded' }), redis);
}
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Starts the long-running parts beside the API: the telephony driver, the
 * agent desk and the campaign runner. Stopping ends calls cleanly: the runner
 * stops claiming, hangs up and closes its attempts (drain) before the desk and
 * the driver go; the Redis connection is the caller's and outlives them.
 * `dialer serve` starts them through the API's telephony plugin
 * (lib/api/plugins/app/telephony.ts, which stops them in its onClose); tests
 * that need no API call this directly.
 */
export async function startServices({ config, redis, log }: ServiceDeps, opts: { driver?: TelephonyDriver } = {}): Promise<Services> {
  const driver = opts.driver ?? createDriver(config, log, redis);
  await driver.start();
  // What started is stopped again if a later part fails (the caller gets the error, not a half-started dialer).
  const undo: Array<() => unknown> = [() => driver.stop()];
  try {
    const desk = createAgentDesk({
      redis,
      driver,
      log: log.child({ part: 'agents' }),
      config: config.dialer.agents,
      localReservations: config.scale.localAgents,
    });
    await desk.start();
    undo.unshift(() => desk.stop());
    const supervisor = new Supervisor({
      driver,
      desk,
      log: log.child({ part: 'supervisor' }),
      ringTimeoutSec: config.dialer.agents.supervisorRingTimeoutSec,
    });
    const recordings = new CallRecordings({
      redis,
      driver,
      desk,
      log: log.child({ part: 'recordings' }),
      config: config.dialer.agents.recording,
    });
    await recordings.start();
    undo.unshift(() => recordings.stop());
    // The agent desktop's own-history list (lib/api/routes/agent-page.ts).
    desk.on(
      'screen-pop',
      (e) =>
        void logAgentCall(redis, e.agentId, e.pop, e.at).catch((err: Error) =>
          log.warn({ err, agentId: e.agentId }, 'agent call not logged'),
        ),
    );
    const abandon = ensureAbandonPrompt(config.dialer.prompts);
    const runner = new CampaignRunner({
      redis,
      driver,
      desk,
      log: log.child({ part: 'runner' }),
      config: config.dialer.runner,
      pacing: config.dialer.pacing,
      trunk: config.telephony.trunks[0]?.name,
      trunkLimits: config.telephony.trunks[0]
        ? { channels: config.telephony.trunks[0].maxChannels, callsPerSecond: config.telephony.trunks[0].callsPerSecond }
        : undefined,
      region: config.phone.defaultRegion,
      prompts: { abandon: { kind: 'file', path: abandon } },
      limits: sharedLimitsFor(config, redis),
      spread: workSpreadFor(config, redis, driver),
      recordingStarted: (attemptId) => recordings.started(attemptId),
    });
    // Recordings from the customer's answer follow the runner's calls.
    recordings.attachDialer(runner.events);
    runner.start();
    undo.unshift(() => runner.stop());
    // Return calls (issue 18): inbound INVITEs to the routes' numbers. A driver that cannot take them says so here, once.
    const inbound = new InboundCalls({ redis, driver, desk, log: log.child({ part: 'inbound' }), region: config.phone.defaultRegion });
    let inboundOn = true;
    try {
      inbound.start();
    } catch (err) {
      inboundOn = false;
      log.warn({ err: (err as Error).message }, 'inbound calls are not taken');
    }
    log.info({ driver: driver.name, owner: runner.owner, inbound: inboundOn }, 'dialer services started');
    return {
      driver,
      desk,
      runner,
      inbound,
      runtime: { driver, desk, runner, supervisor, inbound },
      stop: async () => {
        // Each part is stopped even if one before it failed: the driver's socket must not outlive an error above.
        const failures: unknown[] = [];
        for (const part of [
          () => inbound.stop(),
          () => runner.stop(),
          () => supervisor.close(),
          () => recordings.stop(),
          () => desk.stop(),
        ])
          await Promise.resolve()
            .then(part)
            .catch((e: unknown) => failures.push(e));
        await driver.stop().catch((e: unknown) => failures.push(e));
        log.info({ driver: driver.name }, 'dialer services stopped');
        if (failures.length > 0) throw new AggregateError(failures, 'dialer services stopped with errors');
      },
    };
  } catch (err) {
    for (const stop of undo)
      await Promise.resolve()
        .then(stop)
        .catch(() => undefined);
    throw err;
  }
}
