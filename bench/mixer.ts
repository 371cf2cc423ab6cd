/**
 * `npm run bench -- mixer [--calls N] [--window-s S]`
 *
 * The CPU cost of supervisor listen-in and of call recording on the embedded
 * driver, against plain bridged calls, in one run on this machine. N agent
 * calls are set up, each an agent leg (SIPp `agent-phone`, streaming speech)
 * bridged to a customer leg (SIPp `uas-person`); then, one after another, CPU
 * of this process is measured over the same window for:
 *   plain:    the N bridged calls (RTP relayed packet by packet);
 *   recorded: the same calls, each recorded to a two-channel WAV (tmp dir);
 *   listened: recordings stopped, a supervisor leg (SIPp `agent-phone`) per
 *             call mixed in with `monitor` in listen mode (three parties on the
 *             20 ms pacer, transcoding, each party's sum encoded).
 * Reports cpuPercent per phase, the added CPU per call (ms of CPU per second
 * of call) of recording and of listening over plain, late pacer frames, and
 * the host's load (other work on the box shifts all phases alike).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSipp, type Sipp } from '../lib/telephony/testing/sipp';
import { startTestDriver } from '../lib/telephony/testing/driver';
import type { EmbeddedDriver } from '../lib/telephony/drivers/embedded';
import type { LegId } from '../lib/telephony/contract';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const arg = (args: string[], name: string, def: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function answeredLegs(driver: EmbeddedDriver, tos: string[]): Promise<LegId[]> {
  const answered = new Set<LegId>();
  const off = driver.onEvent((e) => {
    if (e.type === 'answer') answered.add(e.legId);
  });
  const legs: LegId[] = [];
  for (const to of tos) {
    legs.push(await driver.originate({ to, ringTimeoutMs: 10000 }));
    await sleep(5);
  }
  for (let i = 0; i < 400 && legs.some((l) => !answered.has(l)); i++) await sleep(25);
  off();
  const missing = legs.filter((l) => !answered.has(l)).length;
  if (missing) throw new Error(`${missing} of ${legs.length} legs not answered`);
  return legs;
}

async function measure(driver: EmbeddedDriver, secs: number) {
  await sleep(500); // settle after the change
  const p0 = { ...driver.stats().pacer };
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(secs * 1000);
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - w0) / 1000;
  const p1 = driver.stats().pacer;
  const frames = p1.frames - p0.frames;
  return {
    cpuPercent: round(((c.user + c.system) / 1e6 / wall) * 100, 2),
    pacerFrames: frames,
    latePercent: frames ? round(((p1.late - p0.late) / frames) * 100, 2) : 0,
  };
}

export default async function main(args: string[]): Promise<void> {
  const n = arg(args, '--calls', 30);
  const secs = arg(args, '--window-s', 5);
  const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  const dir = mkdtempSync(join(tmpdir(), 'bench-mixer-'));
  const sipps: Sipp[] = [];
  let driver: EmbeddedDriver | undefined;
  try {
    const agents = await startSipp({ scenario: 'agent-phone', calls: n, timeoutS: 600 });
    const sups = await startSipp({ scenario: 'agent-phone', calls: n, timeoutS: 600 });
    const customers = await startSipp({ scenario: 'uas-person', calls: n, timeoutS: 600 });
    sipps.push(agents, sups, customers);
    driver = await startTestDriver({
      trunks: [{ name: 'bench', address: customers.address, callsPerSecond: 100000, maxChannels: 100000 }],
      embedded: { sip: { host: '127.0.0.1', port: 0 }, maxLegs: 100000 },
    });
    const a = await answeredLegs(
      driver,
      Array.from({ length: n }, (_, i) => `sip:agent${i}@${agents.address}`),
    );
    const c = await answeredLegs(
      driver,
      Array.from({ length: n }, (_, i) => `0397${String(i).padStart(6, '0')}`),
    );
    for (let i = 0; i < n; i++) await driver.bridge(a[i]!, c[i]!);

    const plain = await measure(driver, secs);
    out({ stage: 'plain', calls: n, ...plain });

    const recs: string[] = [];
    for (let i = 0; i < n; i++)
      recs.push(await driver.startRecording({ customerLeg: c[i]!, agentLeg: a[i]!, path: join(dir, `r${i}.wav`) }));
    const recorded = await measure(driver, secs);
    out({ stage: 'recorded', calls: n, ...recorded });
    const results = await Promise.all(recs.map((id) => driver!.stopRecording(id)));
    const failedRecordings = results.filter((r) => r.endedBy === 'error').length;
    rmSync(dir, { recursive: true, force: true });

    const s = await answeredLegs(
      driver,
      Array.from({ length: n }, (_, i) => `sip:sup${i}@${sups.address}`),
    );
    for (let i = 0; i < n; i++) await driver.monitor({ supervisorLeg: s[i]!, agentLeg: a[i]!, mode: 'listen' });
    const listened = await measure(driver, secs);
    out({ stage: 'listened', calls: n, ...listened });

    // CPU ms per second of call = cpuPercent * 10 / calls.
    const perCall = (x: { cpuPercent: number }) => (x.cpuPercent * 10) / n;
    out({
      bench: 'mixer',
      calls: n,
      windowS: secs,
      plainCpuPercent: plain.cpuPercent,
      recordedCpuPercent: recorded.cpuPercent,
      listenedCpuPercent: listened.cpuPercent,
      plainCpuMsPerCallSecond: round(perCall(plain), 3),
      recordingAddedCpuMsPerCallSecond: round(perCall(recorded) - perCall(plain), 3),
      listenAddedCpuMsPerCallSecond: round(perCall(listened) - perCall(plain), 3),
      latePercent: { plain: plain.latePercent, recorded: recorded.latePercent, listened: listened.latePercent },
      failedRecordings,
      cores: cpus().length,
      loadAverage1m: round(loadavg()[0]!),
    });
  } finally {
    await driver?.stop();
    await Promise.all(sipps.map((x) => x.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
