/**
 * `npm run bench -- originate [--max-rate N (3200)] [--max-concurrent N (1000)] [--stage-s S (3)]
 *    [--driver freeswitch [--max-fs-rate N] [--max-fs-concurrent N] [--only freeswitch]]`
 *
 * Each cap bounds its ramp and is itself a stage when it falls inside it
 * (bench/ladder.ts). `--max-rate`/`--max-concurrent` also cap the freeswitch
 * ramps unless `--max-fs-…` is given. A figure whose ramp ran no stage is null,
 * not 0 (0 means its first stage failed). `--only freeswitch` skips the
 * SIPp and embedded stages (their figures are null).
 *
 * The embedded driver against SIPp far ends on loopback, all on this machine:
 *  1. sippOnlyCallsPerSecond: SIPp's built-in UAC calling SIPp's built-in UAS
 *     (no media) — the reference for what the box does without us.
 *  2. callsPerSecond: ramps the driver's originate rate against a SIPp UAS
 *     that answers and streams a person's audio; every call is analysed and
 *     hung up 0.5 s after the answer. The highest rate sustained for a stage
 *     with no failed call.
 *  3. concurrentCalls: ramps calls held up at once against a SIPp answering
 *     machine (greeting + beep, 12 s), analysis running on every leg (AMD, then
 *     the beep detector), the driver sending 20 ms frames on each leg; the
 *     highest level with every call answered and ≤ 1 % late frames.
 * With `--driver freeswitch`, the same two measures through a live
 * drachtio-server + FreeSWITCH follow (bench/originate-freeswitch.ts) and
 * join the summary line.
 * Prints one JSON line per stage, and last the summary line.
 */
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { startSipp, type Sipp } from '../lib/telephony/testing/sipp';
import { startTestDriver } from '../lib/telephony/testing/driver';
import { testCall, type TestCallResult } from '../lib/telephony/test-call';
import type { EmbeddedDriver } from '../lib/telephony/drivers/embedded';
import { freeswitchStages, type FreeswitchFigures } from './originate-freeswitch';
import { ladder, numArg } from './lib/ladder';
import { ok, reasons } from './lib/outcomes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIPp UAC → SIPp UAS at `rate` for `secs`: achieved cps and failures. `far` 'uas' is SIPp's built-in
 * (no media); 'uas-person' is the far end the driver's rate stage calls (180, 200, RTP audio until BYE),
 * with the UAC hanging up 0.5 s after the answer as the driver's stage does.
 */
async function sippOnly(
  rate: number,
  secs: number,
  far: 'uas' | 'uas-person' = 'uas',
): Promise<{ rate: number; cps: number; failed: number }> {
  const calls = Math.round(rate * secs);
  const uas = await startSipp({ scenario: far, calls, timeoutS: 120, args: far === 'uas' ? [] : ['-max_recv_loops', '100000'] });
  const hold = far === 'uas' ? [] : ['-d', '500'];
  const uac = await startSipp({
    scenario: 'uac',
    remote: uas.address,
    calls,
    timeoutS: 120,
    args: ['-r', String(rate), '-l', '100000', ...hold],
  });
  const r = await uac.done;
  await uas.stop();
  const failed = Number(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(r.stdout)?.[1] ?? calls);
  const cps = Number(/Call Rate\s*\|\s*[\d.]+ cps\s*\|\s*([\d.]+) cps/.exec(r.stdout)?.[1] ?? 0);
  return { rate, cps, failed };
}

/** Fires `count` calls at `rate` per second; resolves when all have ended. */
async function fire(
  driver: EmbeddedDriver,
  count: number,
  rate: number,
  make: (i: number) => Promise<TestCallResult>,
): Promise<{ results: Array<TestCallResult | Error>; sendSecs: number }> {
  const results: Array<Promise<TestCallResult | Error>> = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 2) await sleep(wait);
    results.push(make(i).catch((e: Error) => e));
  }
  const sendSecs = (performance.now() - t0) / 1000;
  return { results: await Promise.all(results), sendSecs };
}

async function rateStage(driver: EmbeddedDriver, rate: number, secs: number) {
  const count = Math.round(rate * secs);
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  const { results, sendSecs } = await fire(driver, count, rate, (i) =>
    testCall(
      driver,
      { to: `0399${String(i).padStart(6, '0')}`, ringTimeoutMs: 10000, analysis: { early: true, answered: true } },
      { hangupAfterMs: 500, maxMs: 20000 },
    ),
  );
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - w0) / 1000;
  const failed = results.filter((r) => !ok(r)).length;
  return {
    stage: 'rate',
    failures: reasons(results),
    targetRate: rate,
    calls: count,
    achievedRate: Math.round((count / sendSecs) * 10) / 10,
    failed,
    cpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 1000) / 10,
  };
}

async function concurrencyStage(driver: EmbeddedDriver, level: number, holdSecs: number) {
  const answered = new Set<string>();
  const off = driver.onEvent((e) => {
    if (e.type === 'answer') answered.add(e.legId);
  });
  const legs: string[] = [];
  const ends: Array<Promise<TestCallResult | Error>> = [];
  const rate = 250;
  const t0 = performance.now();
  for (let i = 0; i < level; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 2) await sleep(wait);
    ends.push(
      testCall(
        driver,
        { to: `0398${String(i).padStart(6, '0')}`, ringTimeoutMs: 10000, analysis: { early: true, answered: true, waitForBeep: true } },
        {
          hangupAfterMs: 60000,
          maxMs: 90000,
          onEvent: (e) => {
            if (e.type === 'answer') legs.push(e.legId);
          },
        },
      ).catch((e: Error) => e),
    );
  }
  for (let i = 0; i < 200 && answered.size < level; i++) await sleep(50);
  const allUp = answered.size;
  const p0 = { ...driver.stats().pacer };
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(holdSecs * 1000);
  const p1 = { ...driver.stats().pacer };
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - w0) / 1000;
  const active = driver.stats().active;
  await Promise.all(legs.map((l) => driver.hangup(l).catch(() => undefined)));
  const results = await Promise.all(ends);
  off();
  const frames = p1.frames - p0.frames;
  const late = p1.late - p0.late;
  const latePct = frames ? Math.round((late / frames) * 10000) / 100 : 100;
  const failed = results.filter((r) => !ok(r)).length;
  return {
    stage: 'concurrency',
    failures: reasons(results),
    level,
    answered: allUp,
    heldDuringWindow: active,
    framesSent: frames,
    latePercent: latePct,
    failed,
    cpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 1000) / 10,
  };
}

export default async function main(args: string[]): Promise<void> {
  // Up to where the driver breaks (or SIPp alone does): a ceiling of 400 cps hid where the real limit is.
  const maxRate = numArg(args, '--max-rate', 3200);
  const maxConc = numArg(args, '--max-concurrent', 1000);
  const stageS = numArg(args, '--stage-s', 3);
  const di = args.indexOf('--driver');
  const withFreeswitch = di >= 0 && args[di + 1] === 'freeswitch';
  const oi = args.indexOf('--only');
  const only = oi >= 0 ? args[oi + 1] : undefined;
  if (only !== undefined && !(only === 'freeswitch' && withFreeswitch))
    throw new Error('--only takes "freeswitch", with --driver freeswitch');
  const embedded = only !== 'freeswitch';
  const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

  // null: no stage of that ramp ran; 0: its first stage failed.
  let refCps: number | null = null;
  let refPersonCps: number | null = null;
  let best: number | null = null;
  let bestConc: number | null = null;
  let cpuAtBest: number | null = null;
  if (embedded) {
    // Reference: how fast SIPp calls SIPp on this box right now (its own ramp: the reference is not capped).
    refCps = 0;
    for (const rate of [100, 200, 400, 800, 1200, 1600, 2400, 3200]) {
      const r = await sippOnly(rate, stageS);
      out({ stage: 'sipp-only', ...r });
      if (r.failed > 0 || r.cps < rate * 0.9) break;
      refCps = r.cps;
    }

    // The same far end the driver's rate stage calls (audio streaming), driven by SIPp's UAC: what that
    // far end sustains on this box without us, so the driver's ceiling can be told from the far end's.
    if (!args.includes('--no-person-ref')) {
      for (const rate of ladder([50, 100, 200, 300, 400, 600, 800, 1200], maxRate)) {
        refPersonCps ??= 0;
        const r = await sippOnly(rate, stageS, 'uas-person');
        out({ stage: 'sipp-person', ...r });
        await sleep(1500);
        // SIPp's "Call Rate" is calls over the whole run including the last calls' 0.5 s hold, so a short
        // stage reads low; a stage where every call succeeded sustained its rate (as the driver's stage counts).
        if (r.failed > 0) break;
        refPersonCps = rate;
      }
    }

    let sipp: Sipp | undefined;
    let driver: EmbeddedDriver | undefined;
    try {
      sipp = await startSipp({ scenario: 'uas-person', calls: 1000000, timeoutS: 3600, args: ['-max_recv_loops', '100000'] });
      driver = await startTestDriver({
        trunks: [{ name: 'bench', address: sipp.address, callsPerSecond: 100000, maxChannels: 100000 }],
        embedded: { sip: { host: '127.0.0.1', port: 0 }, maxLegs: 100000 },
      });
      // Doubling-ish steps to the first failing rate, then one bisection step between the last good and it.
      let failedAt = 0;
      for (const rate of ladder([50, 100, 200, 300, 400, 600, 800, 1200, 1600, 2400, 3200], maxRate)) {
        best ??= 0;
        const s = await rateStage(driver, rate, stageS);
        out(s);
        await sleep(1500);
        if (s.failed > 0 || s.achievedRate < rate * 0.95) {
          failedAt = rate;
          break;
        }
        best = s.achievedRate;
      }
      const mid = Math.round(((best ?? 0) + failedAt) / 2);
      if (failedAt && best && mid > best * 1.05) {
        const s = await rateStage(driver, mid, stageS);
        out({ ...s, bisect: true });
        if (s.failed === 0 && s.achievedRate >= mid * 0.95) best = s.achievedRate;
      }
      await driver.stop();
      await sipp.stop();

      sipp = await startSipp({ scenario: 'uas-machine', calls: 1000000, timeoutS: 3600, args: ['-max_recv_loops', '100000'] });
      driver = await startTestDriver({
        trunks: [{ name: 'bench', address: sipp.address, callsPerSecond: 100000, maxChannels: 100000 }],
        embedded: { sip: { host: '127.0.0.1', port: 0 }, maxLegs: 100000 },
      });
      for (const level of ladder([100, 250, 500, 750, 1000, 1500], maxConc)) {
        bestConc ??= 0;
        cpuAtBest ??= 0;
        const s = await concurrencyStage(driver, level, 4);
        out(s);
        if (s.failed > 0 || s.answered < level || s.latePercent > 1) break;
        bestConc = level;
        cpuAtBest = s.cpuPercent;
        await sleep(1500);
      }
    } finally {
      await driver?.stop();
      await sipp?.stop();
    }
  }
  let fs: FreeswitchFigures | undefined;
  if (withFreeswitch) {
    fs = await freeswitchStages({
      maxRate: numArg(args, '--max-fs-rate', Math.min(150, maxRate)),
      maxConcurrent: numArg(args, '--max-fs-concurrent', Math.min(300, maxConc)),
      stageS: stageS,
      out,
    });
  }
  out({
    bench: 'originate',
    callsPerSecond: best,
    concurrentCalls: bestConc,
    cpuPercent: cpuAtBest,
    sippOnlyCallsPerSecond: refCps,
    sippPersonCallsPerSecond: refPersonCps,
    ...(fs ?? {}),
    cores: cpus().length,
    loadAverage1m: Math.round(loadavg()[0]! * 10) / 10,
  });
}
