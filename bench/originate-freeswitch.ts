/**
 * `npm run bench -- originate --driver freeswitch`: the same two measures as
 * the embedded driver's stages, through a live drachtio-server + FreeSWITCH
 * (test/helpers/live-servers.ts, freeswitch-conf/) in stream mode, so the
 * three figures (SIPp→SIPp, embedded, freeswitch) come from one run:
 *  - callsPerSecond: originate rate ramp against a SIPp person, every call
 *    analysed (pipe → lib/media), hung up 0.5 s after the answer; the highest
 *    rate sustained for a stage with no failed call.
 *  - concurrentAnalysedCalls: calls held up at once against a SIPp answering
 *    machine, each leg's audio through its own pipe into its own analyser; the
 *    highest level with every call answered, every leg's analyser fed, and no
 *    leg missing > 1 % of the RTP packets FreeSWITCH received
 *    (rtp_audio_in_media_packet_count, where the channel still answers).
 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { TapStats } from '../lib/telephony/drivers/freeswitch';
import type { TelephonyDriver } from '../lib/telephony/contract';
import { startSipp } from '../lib/telephony/testing/sipp';
import { testCall, type TestCallResult } from '../lib/telephony/test-call';
import { makeLiveDriver } from '../test/helpers/live-freeswitch';
import { startLiveServers, liveServersMissing, type LiveServers } from '../test/helpers/live-servers';
import { ladder } from './lib/ladder';
import { ok, reasons } from './lib/outcomes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function makeDriver(live: LiveServers, trunk: string, onTapStats?: (s: TapStats) => void): Promise<TelephonyDriver> {
  return makeLiveDriver(live, {
    trunk: { name: 'bench', address: trunk, callsPerSecond: 100000, maxChannels: 100000 },
    logger: pino({ level: 'silent' }),
    ...(onTapStats ? { onTapStats: (_l: string, s: TapStats) => onTapStats(s) } : {}),
  });
}

async function fire(
  count: number,
  rate: number,
  make: (i: number) => Promise<TestCallResult>,
): Promise<{ results: Array<TestCallResult | Error>; sendSecs: number }> {
  const results: Array<Promise<TestCallResult | Error>> = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 2) await sleep(wait);
    results.push(make(i).catch((e: Error) => e));
  }
  const sendSecs = (performance.now() - t0) / 1000;
  return { results: await Promise.all(results), sendSecs };
}

/** null: that ramp ran no stage (its cap was 0); 0: its first stage failed. */
export interface FreeswitchFigures {
  freeswitchCallsPerSecond: number | null;
  freeswitchConcurrentAnalysedCalls: number | null;
  freeswitchFirstFrameP50Ms: number | null;
  /** First RTP → analyser (stream mode): 90th percentile over every analysed leg of the rate stages. */
  freeswitchFirstFrameP90Ms: number | null;
}

/** The q-quantile of ascending `sorted`, or null when empty. */
function quantile(sorted: number[], q: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null;
}

/** Runs both ramps; `out` gets one line per stage. Throws when the live servers are not installed. */
export async function freeswitchStages(o: {
  maxRate: number;
  maxConcurrent: number;
  stageS: number;
  out: (o: object) => void;
}): Promise<FreeswitchFigures> {
  const missing = liveServersMissing();
  if (missing) throw new Error(missing);
  const live = await startLiveServers();
  let best: number | null = null;
  let bestConc: number | null = null;
  const firstFrame: number[] = [];
  const stageFrames = (from: number) => firstFrame.slice(from).sort((a, b) => a - b);
  try {
    const person = await startSipp({ scenario: 'uas-person', calls: 1000000, timeoutS: 3600, args: ['-max_recv_loops', '100000'] });
    // A driver that cannot start must not leave the SIPp far end running: it is stopped in the finally.
    const d1 = await makeDriver(live, person.address, (s) => {
      if (s.mediaAt !== undefined && s.firstFrameAt !== undefined) firstFrame.push(s.firstFrameAt - s.mediaAt);
    }).catch(async (err: unknown) => {
      await person.stop();
      throw err;
    });
    try {
      for (const rate of ladder([10, 20, 40, 60, 80, 100, 150], o.maxRate)) {
        best ??= 0;
        const count = Math.round(rate * o.stageS);
        const cpu0 = process.cpuUsage();
        const ff0 = firstFrame.length;
        const w0 = performance.now();
        const { results, sendSecs } = await fire(count, rate, (i) =>
          testCall(
            d1,
            { to: `0399${String(i).padStart(6, '0')}`, ringTimeoutMs: 10000, analysis: { early: true, answered: true } },
            { hangupAfterMs: 500, maxMs: 20000 },
          ),
        );
        const cpu = process.cpuUsage(cpu0);
        const failed = results.filter((r) => !ok(r)).length;
        const achievedRate = Math.round((count / sendSecs) * 10) / 10;
        o.out({
          stage: 'freeswitch-rate',
          targetRate: rate,
          calls: count,
          achievedRate,
          failed,
          failures: reasons(results),
          cpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / ((performance.now() - w0) / 1000)) * 1000) / 10,
          // First RTP → analyser at this rate: from the 183/200 that started media to the first frame out of the pipe.
          firstFrameP50Ms: quantile(stageFrames(ff0), 0.5),
          firstFrameP90Ms: quantile(stageFrames(ff0), 0.9),
        });
        if (failed > 0 || achievedRate < rate * 0.95) break;
        best = achievedRate;
        await sleep(1500);
      }
    } finally {
      await d1.stop();
      await person.stop();
    }

    const machine = await startSipp({ scenario: 'uas-machine', calls: 1000000, timeoutS: 3600, args: ['-max_recv_loops', '100000'] });
    let stats: TapStats[] = [];
    const d2 = await makeDriver(live, machine.address, (s) => stats.push(s)).catch(async (err: unknown) => {
      await machine.stop();
      throw err;
    });
    try {
      for (const level of ladder([25, 50, 100, 150, 200, 300], o.maxConcurrent)) {
        bestConc ??= 0;
        stats = [];
        const legs: string[] = [];
        const { results } = await fire(level, 50, (i) =>
          testCall(
            d2,
            { to: `0398${String(i).padStart(6, '0')}`, ringTimeoutMs: 10000, analysis: { early: true, answered: true, waitForBeep: true } },
            {
              hangupAfterMs: 60000,
              maxMs: 90000,
              onEvent: (e) => {
                if (e.type === 'answer') {
                  legs.push(e.legId);
                  // Held 4 s after the last call is up, analysed all along; then hung up.
                  if (legs.length === level) void sleep(4000).then(() => Promise.all(legs.map((l) => d2.hangup(l).catch(() => undefined))));
                }
              },
            },
          ),
        );
        // Each leg's figures come once its analysis has stopped (after the end event).
        for (let i = 0; i < 100 && stats.length < level; i++) await sleep(50);
        const failed = results.filter((r) => !ok(r)).length;
        const analysed = stats.filter((s) => s.frames > 0).length;
        // FreeSWITCH's packet count is read as the leg ends; a channel already gone gives none (unknown, not lossy).
        const counted = stats.filter((s) => s.rtpPackets !== undefined && s.rtpPackets > 0);
        const lossy = counted.filter((s) => s.rtpPackets! - s.frames > s.rtpPackets! * 0.01).length;
        o.out({
          stage: 'freeswitch-concurrency',
          level,
          answered: legs.length,
          failed,
          failures: reasons(results),
          analysedLegs: analysed,
          legsWithPacketCount: counted.length,
          legsMissingOver1PercentOfFrames: lossy,
        });
        if (failed > 0 || legs.length < level || analysed < level || lossy > 0) break;
        bestConc = level;
        await sleep(1500);
      }
    } finally {
      await d2.stop();
      await machine.stop();
    }
  } finally {
    await live.stop();
  }
  const sorted = firstFrame.sort((a, b) => a - b);
  return {
    freeswitchCallsPerSecond: best,
    freeswitchConcurrentAnalysedCalls: bestConc,
    freeswitchFirstFrameP50Ms: quantile(sorted, 0.5),
    freeswitchFirstFrameP90Ms: quantile(sorted, 0.9),
  };
}
