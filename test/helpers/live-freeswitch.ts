/**
 * The set-up the live FreeSWITCH tests (test/e2e/freeswitch/) and the
 * originate bench share, on top of live-servers.ts:
 *  - a freeswitch driver on this run's drachtio-server + FreeSWITCH
 *    (`makeLiveDriver`, `startLiveDriver`), its leg events (`watchLegs`) and
 *    hold music as the RTP probes' cue to send (`holdUntilHeard`);
 *  - a whole dialer on them (`startLiveEnv`): real Redis, the SIPp carrier
 *    simulator and agent phones (lib/demo/loopback), the loopback config with
 *    the freeswitch driver, then `startServices()`.
 *
 * Teardown: tap runs teardowns last registered first, and each part is
 * registered the moment it has started, so a failure part-way stops exactly
 * what was started, in the order the tests always used: services (or the
 * driver), then the SIPp peers, then Redis, then temp files, then
 * drachtio-server and FreeSWITCH.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { Redis } from 'ioredis';
import { startServices, type Services } from '../../app/services';
import { loadConfig, type Config } from '../../lib/config';
import { loopbackConfig, startLoopbackPeers, type LoopbackPeers } from '../../lib/demo/loopback';
import { makeAgents } from '../../lib/demo/store-setup';
import type { EndCause, LegEvent, LegId } from '../../lib/telephony/contract';
import { createFreeswitchDriver, FreeswitchDriver, type FreeswitchDriverDeps } from '../../lib/telephony/drivers/freeswitch';
import { startProbePhone, type RtpProbe } from '../../lib/telephony/testing/rtp-probe';
import { startLiveServers, type LiveServers } from './live-servers';
import { startTestRedis } from './redis';
import { until } from './wait';

export interface TestLike {
  teardown(fn: () => unknown): void;
  /** tap's: false once the test (or a subtest) has failed. */
  passing?(): boolean;
  comment?(...args: unknown[]): void;
}

/** The dialer's log in tests: silent unless DIALER_LOG__LEVEL asks for more. */
export function testLogger(): Logger {
  return pino({ level: process.env.DIALER_LOG__LEVEL ?? 'silent' });
}

/** A `telephony.trunks` entry. */
export type LiveTrunk = { name: string; address: string } & Record<string, unknown>;

export interface LiveDriverOptions {
  /** Where calls go: a SIPp's host:port (as trunk "carrier") or a whole trunk entry. */
  trunk: string | LiveTrunk;
  audioMode?: 'stream' | 'native';
  /** Config sections other than `telephony` (e.g. `media`). */
  overrides?: Record<string, unknown>;
  /** Default: testLogger(). */
  logger?: Logger;
  onTapStats?: FreeswitchDriverDeps['onTapStats'];
}

/**
 * A started freeswitch driver on `live` (no teardown: the bench's way). A
 * driver whose start fails is stopped before the error is rethrown, so its
 * drachtio and event-socket connections never outlive it.
 */
export async function makeLiveDriver(live: LiveServers, o: LiveDriverOptions): Promise<FreeswitchDriver> {
  const trunk = typeof o.trunk === 'string' ? { name: 'carrier', address: o.trunk } : o.trunk;
  const config = loadConfig({
    env: {},
    overrides: {
      telephony: { driver: 'freeswitch', freeswitch: live.configSection(o.audioMode ?? 'stream'), trunks: [trunk] },
      ...o.overrides,
    },
  });
  const driver = createFreeswitchDriver({
    config,
    logger: o.logger ?? testLogger(),
    ...(o.onTapStats ? { onTapStats: o.onTapStats } : {}),
  });
  try {
    await driver.start();
  } catch (err) {
    await driver.stop().catch(() => undefined);
    throw err;
  }
  return driver;
}

/** `makeLiveDriver`, stopped at teardown. */
export async function startLiveDriver(t: TestLike, live: LiveServers, o: LiveDriverOptions): Promise<FreeswitchDriver> {
  const driver = await makeLiveDriver(live, o);
  t.teardown(() => driver.stop());
  return driver;
}

/** A SIPp phone with an RTP probe (lib/telephony/testing/rtp-probe), stopped at teardown. */
export async function probePhone(
  t: TestLike,
  o: Parameters<typeof startProbePhone>[0],
): Promise<Awaited<ReturnType<typeof startProbePhone>>> {
  const phone = await startProbePhone(o);
  t.teardown(() => phone.stop());
  return phone;
}

export interface LegWatch {
  /** Every leg event of the driver, in order. */
  events: LegEvent[];
  /** Resolves once `leg` is answered; throws after `ms` (default: the watch's). */
  answered(leg: LegId, ms?: number): Promise<void>;
  /** How `leg` ended, or undefined while it is up. */
  ended(leg: LegId): EndCause | undefined;
}

/** Records the driver's leg events from now on. `answerMs`: how long `answered` waits by default. */
export function watchLegs(driver: FreeswitchDriver, answerMs: number): LegWatch {
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  return {
    events,
    answered: (leg, ms = answerMs) =>
      until(() => events.some((e) => e.type === 'answer' && e.legId === leg), `leg ${leg} to answer`, ms, 20),
    ended: (leg) => {
      const e = events.find((x) => x.type === 'end' && x.legId === leg);
      return e?.type === 'end' ? e.cause : undefined;
    },
  };
}

/**
 * Plays hold music to `leg` and waits until its probe receives audio. The
 * probes send once they know where to (the first packet they receive): hold
 * music tells them.
 */
export async function holdUntilHeard(driver: FreeswitchDriver, leg: LegId, probe: RtpProbe, ms: number): Promise<void> {
  await driver.play(leg, { kind: 'hold' });
  await until(() => probe.frames.length > 0, 'FreeSWITCH to send to the probe', ms, 20);
}

export interface LiveEnv {
  live: LiveServers;
  redis: Redis;
  /** This test's temp folder (prompts, WAVs, the carrier's trace), removed at teardown. */
  dir: string;
  peers: LoopbackPeers;
  config: Readonly<Config>;
  /** Starts the dialer's services on `config` (stopped at teardown); its driver is the freeswitch driver. */
  startServices(): Promise<Services & { driver: FreeswitchDriver }>;
}

export interface LiveEnvOptions {
  /** Names this test's Redis key prefix (`name:`) and temp folder (`dialer-name-…`). */
  name: string;
  /** SIPp agent phones ag1…agN (lib/demo/loopback). */
  agents: number;
  /** When set, the agents are made (lib/demo/store-setup) in this group. */
  agentGroup?: string;
  /** How long the SIPp peers live (their -timeout); lib/demo/loopback's default otherwise. */
  timeoutS?: number;
  audioMode?: 'stream' | 'native';
  /** More config over the loopback config's (given `base`, the loopback config without the freeswitch driver). */
  extra?: (base: Readonly<Config>, dir: string) => Record<string, unknown>;
}

/**
 * Live drachtio-server + FreeSWITCH, a real Redis, a temp folder, the SIPp
 * loopback peers and the loopback config with the freeswitch driver; the
 * services are started by the returned `startServices()`, so a test can put
 * what they read at start (agents, routes, WAVs) in place first.
 */
export async function startLiveEnv(t: TestLike, o: LiveEnvOptions): Promise<LiveEnv> {
  const live = await startLiveServers(t);
  const { redis } = await startTestRedis(t, `${o.name}:`);
  const dir = mkdtempSync(join(tmpdir(), `dialer-${o.name}-`));
  // A failed test keeps its folder (recordings, prompts, SIPp's logs), as the live servers keep theirs: round
  // twenty-four's one failing consent recording could not be read, its WAV gone with the folder.
  t.teardown(() => {
    if (t.passing && !t.passing()) t.comment?.(`test folder kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });
  const peers = await startLoopbackPeers({ agents: o.agents, dir, ...(o.timeoutS !== undefined ? { timeoutS: o.timeoutS } : {}) });
  t.teardown(() => peers.stop());
  const promptsDir = join(dir, 'prompts');
  const base = loopbackConfig({ carrierAddress: peers.carrier.address, promptsDir });
  const config = loopbackConfig({
    carrierAddress: peers.carrier.address,
    promptsDir,
    extra: {
      telephony: { ...base.telephony, driver: 'freeswitch', freeswitch: live.configSection(o.audioMode ?? 'stream') },
      // The product's AMD settings (silenceTimeoutMs 5 s), not the loopback's 2.5 s: FreeSWITCH's media clock counts
      // audio that reaches it late as silence, and the contract suite lost a person to "silence" at 1.5 s at load 17
      // (its first words came late). The carrier's silent digit (7) takes 2.5 s longer; no wait here depends on it.
      media: {},
      ...o.extra?.(base, dir),
    },
  });
  if (o.agentGroup !== undefined) {
    await makeAgents(
      redis,
      o.agentGroup,
      peers.agents.map((a) => ({ id: a.id, address: a.phone.address })),
    );
  }
  return {
    live,
    redis,
    dir,
    peers,
    config,
    startServices: async () => {
      const services = await startServices({ config, redis, log: testLogger() });
      t.teardown(() => services.stop());
      const { driver } = services;
      if (!(driver instanceof FreeswitchDriver)) throw new Error(`the services run the ${driver.name} driver, not freeswitch`);
      return Object.assign(services, { driver });
    },
  };
}
