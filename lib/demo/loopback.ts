/**
 * The far ends of a loopback campaign: the SIPp carrier simulator (one
 * process answers every number, behaviour by last digit) and one SIPp agent
 * phone per agent, plus the dialer configuration that dials them with short
 * timers. Everything binds 127.0.0.1 on free ports.
 */
import { join } from 'node:path';
import { validateConfig, type Config } from '../config';
import { startSipp, type Sipp } from '../telephony/testing/sipp';

export interface LoopbackPeers {
  carrier: Sipp;
  /** SIPp's own message trace of the carrier (every SIP message it saw). */
  carrierTrace: string;
  agents: { id: string; phone: Sipp }[];
  /** Stops every SIPp process (never throws). */
  stop(): Promise<void>;
}

/** Runner timers short enough for a campaign of a few hundred calls in a minute or two. */
export function runnerConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { tickMs: 100, syncIntervalMs: 300, campaignLeaseMs: 3000, attemptLeaseMs: 8000, reserveRetryMs: 100, ...overrides };
}

/**
 * Starts the carrier simulator and `agents` agent phones (ids ag1…agN).
 * `dir` receives the carrier's message trace. On a failure the peers already
 * started are stopped before the error is thrown.
 */
export async function startLoopbackPeers(o: {
  agents: number;
  dir: string;
  carrierKeys?: Record<string, string>;
  timeoutS?: number;
}): Promise<LoopbackPeers> {
  const started: Sipp[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
  };
  try {
    const carrierTrace = join(o.dir, 'carrier-messages.log');
    const timeoutS = o.timeoutS ?? 900;
    const carrier = await startSipp({
      scenario: 'carrier-simulator',
      calls: 100000,
      timeoutS,
      keys: { hangup_ms: '1000', ...o.carrierKeys },
      args: ['-trace_msg', '-message_file', carrierTrace, '-max_recv_loops', '10000'],
    });
    started.push(carrier);
    const agents: { id: string; phone: Sipp }[] = [];
    for (let i = 1; i <= o.agents; i++) {
      const phone = await startSipp({ scenario: 'agent-phone', calls: 100, timeoutS });
      started.push(phone);
      agents.push({ id: `ag${i}`, phone });
    }
    return { carrier, carrierTrace, agents, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A dialer configuration that dials only the loopback carrier: embedded
 * driver on a free port, the carrier as the one trunk, short AMD silence
 * timeout and runner timers. `extra` is merged on top (api, log…).
 * The short silence timeout suits the embedded driver only: its analyser's
 * clock is the audio received (driver.ts onAudio, one frame per 160 samples),
 * so a starved SIPp or dialer delays a person's words but never turns them
 * into silence. A FreeSWITCH driver's analysis runs on FreeSWITCH's media
 * clock, which counts late audio as silence: FreeSWITCH configurations take
 * the product's timeout (test/helpers/live-freeswitch.ts).
 */
export function loopbackConfig(o: { carrierAddress: string; promptsDir: string; extra?: Record<string, unknown> }): Readonly<Config> {
  return validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'carrier', address: o.carrierAddress, callsPerSecond: 1000, maxChannels: 1000 }],
    },
    media: { amd: { silenceTimeoutMs: 2500 } },
    dialer: { runner: runnerConfig(), prompts: { dir: o.promptsDir } },
    ...o.extra,
  });
}
