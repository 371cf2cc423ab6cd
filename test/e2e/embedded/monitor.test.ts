/**
 * Listen-in, whisper, barge and call recording on the embedded driver, checked
 * by the audio each SIPp phone receives: every party sends its own tone
 * (agent 600 Hz, customer 1100 Hz, supervisor 1700 Hz on PCMA while the others
 * are PCMU, so the mixer transcodes), and each party's received frames are
 * measured with lib/media's Goertzel share.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import { startProbePhone, type RtpProbe } from '../../../lib/telephony/testing/rtp-probe';
import type { LegEvent, RecordingResult } from '../../../lib/telephony/contract';
import { goertzelShare } from '../../../lib/media/features';

const AGENT = 600;
const CUSTOMER = 1100;
const SUPERVISOR = 1700;
const TONES = [AGENT, CUSTOMER, SUPERVISOR];
/** A tone mixed with one other of equal level has about half the energy; absent tones stay near 0. */
const PRESENT = 0.2;
const ABSENT = 0.05;

async function until(cond: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a party heard during the next `ms` (after 300 ms for the change to settle). */
async function listenTo(probes: Record<string, RtpProbe>, ms = 1000): Promise<Record<string, Record<number, number>>> {
  await sleep(300);
  const from = Date.now();
  await sleep(ms);
  const out: Record<string, Record<number, number>> = {};
  for (const [k, p] of Object.entries(probes)) {
    const h = p.heard(TONES, from);
    if (h.frames < ms / 40) throw new Error(`${k} received only ${h.frames} frames`);
    out[k] = h.shares;
  }
  return out;
}

function expectHears(t: Test, who: string, shares: Record<number, number>, present: number[]): void {
  for (const hz of TONES) {
    const name = hz === AGENT ? 'agent' : hz === CUSTOMER ? 'customer' : 'supervisor';
    if (present.includes(hz)) t.ok(shares[hz]! > PRESENT, `${who} hears the ${name} (${shares[hz]!.toFixed(2)})`);
    else t.ok(shares[hz]! < ABSENT, `${who} does not hear the ${name} (${shares[hz]!.toFixed(3)})`);
  }
}

t.test('listen, whisper, barge and a two-channel recording', { timeout: 90000 }, async (t) => {
  const agent = await startProbePhone({ toneHz: AGENT });
  const customer = await startProbePhone({ toneHz: CUSTOMER });
  const supervisor = await startProbePhone({ toneHz: SUPERVISOR, law: 'alaw' });
  const driver = await startTestDriver({
    trunks: [{ name: 'carrier', address: customer.sipp.address }],
    embedded: { rtp: { codecs: ['ulaw', 'alaw'] } },
  });
  const dir = mkdtempSync(join(tmpdir(), 'rec-'));
  t.teardown(async () => {
    await driver.stop();
    await Promise.all([agent.stop(), customer.stop(), supervisor.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const answered = (leg: string) => until(() => events.some((e) => e.type === 'answer' && e.legId === leg), `leg ${leg} to answer`);

  const a = await driver.originate({ to: `sip:agent@${agent.sipp.address}`, ringTimeoutMs: 5000 });
  const c = await driver.originate({ to: '0312345670', ringTimeoutMs: 5000 });
  await Promise.all([answered(a), answered(c)]);
  await until(() => agent.probe.frames.length > 0 && customer.probe.frames.length > 0, 'the dialer to send to both probes');
  await driver.bridge(a, c);
  const ended: RecordingResult[] = [];
  const recId = await driver.startRecording({ customerLeg: c, agentLeg: a, path: join(dir, 'call.wav'), onEnd: (r) => ended.push(r) });
  const probes = { agent: agent.probe, customer: customer.probe, supervisor: supervisor.probe };

  const s = await driver.originate({ to: `sip:sup@${supervisor.sipp.address}`, ringTimeoutMs: 5000 });
  await answered(s);
  await until(() => supervisor.probe.frames.length > 0, 'the dialer to send to the supervisor');

  let h = await listenTo(probes);
  expectHears(t, 'bridged: agent', h.agent!, [CUSTOMER]);
  expectHears(t, 'bridged: customer', h.customer!, [AGENT]);

  await driver.monitor({ supervisorLeg: s, agentLeg: a, mode: 'listen' });
  h = await listenTo(probes);
  expectHears(t, 'listen: supervisor', h.supervisor!, [AGENT, CUSTOMER]);
  expectHears(t, 'listen: agent', h.agent!, [CUSTOMER]);
  expectHears(t, 'listen: customer', h.customer!, [AGENT]);

  await driver.setMonitorMode(s, 'whisper');
  h = await listenTo(probes);
  expectHears(t, 'whisper: supervisor', h.supervisor!, [AGENT, CUSTOMER]);
  expectHears(t, 'whisper: agent', h.agent!, [CUSTOMER, SUPERVISOR]);
  expectHears(t, 'whisper: customer', h.customer!, [AGENT]);

  await driver.setMonitorMode(s, 'barge');
  h = await listenTo(probes);
  expectHears(t, 'barge: supervisor', h.supervisor!, [AGENT, CUSTOMER]);
  expectHears(t, 'barge: agent', h.agent!, [CUSTOMER, SUPERVISOR]);
  expectHears(t, 'barge: customer', h.customer!, [AGENT, SUPERVISOR]);

  await driver.stopMonitor(s);
  h = await listenTo(probes);
  expectHears(t, 'after the monitor: agent', h.agent!, [CUSTOMER]);
  expectHears(t, 'after the monitor: customer', h.customer!, [AGENT]);

  const rec = await driver.stopRecording(recId);
  t.equal(rec.endedBy, 'stop');
  t.same(
    ended.map((r) => r.id),
    [recId],
    'onEnd called once',
  );
  const wav = readFileSync(rec.path);
  t.equal(wav.toString('latin1', 0, 4), 'RIFF');
  t.equal(wav.readUInt16LE(22), 2, 'two channels');
  t.equal(wav.readUInt32LE(24), 8000);
  const dataBytes = wav.readUInt32LE(40);
  t.equal(dataBytes, wav.length - 44, 'data size patched on close');
  t.ok(dataBytes / 32000 > 4, `about the call's length recorded (${(dataBytes / 32000).toFixed(1)} s)`);
  // Channel 1 = what the customer said, channel 2 = what the agent said, each alone.
  const n = dataBytes / 4;
  const left = new Int16Array(n);
  const right = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    left[i] = wav.readInt16LE(44 + i * 4);
    right[i] = wav.readInt16LE(46 + i * 4);
  }
  const share = (x: Int16Array, hz: number) => {
    // Mean over 20 ms frames from the second second on (the first frames may be silence).
    let sum = 0;
    let k = 0;
    for (let i = 8000; i + 160 <= x.length; i += 160, k++) {
      const f = x.subarray(i, i + 160);
      let e = 0;
      for (const v of f) e += v * v;
      sum += goertzelShare(f, hz, e);
    }
    return sum / k;
  };
  t.ok(share(left, CUSTOMER) > 0.8, `channel 1 holds the customer (${share(left, CUSTOMER).toFixed(2)})`);
  t.ok(share(left, AGENT) < ABSENT && share(left, SUPERVISOR) < ABSENT, 'channel 1 holds nobody else');
  t.ok(share(right, AGENT) > 0.8, `channel 2 holds the agent (${share(right, AGENT).toFixed(2)})`);
  t.ok(share(right, CUSTOMER) < ABSENT && share(right, SUPERVISOR) < ABSENT, 'channel 2 holds nobody else');

  // A recording that cannot be written ends with an error; the call goes on.
  const bad = await driver.startRecording({
    customerLeg: c,
    agentLeg: a,
    path: join(dir, 'no-such-dir', 'x.wav'),
    onEnd: (r) => ended.push(r),
  });
  await until(() => ended.some((r) => r.id === bad), 'the failed recording to end');
  const failed = ended.find((r) => r.id === bad)!;
  t.equal(failed.endedBy, 'error');
  t.match(failed.error, /ENOENT/);
  h = await listenTo({ agent: agent.probe, customer: customer.probe });
  expectHears(t, 'after a failed recording: agent', h.agent!, [CUSTOMER]);
  t.notOk(
    events.some((e) => e.type === 'end'),
    'no leg ended',
  );

  // A monitored call's customer hangs up: the mixer goes, the supervisor leg stays.
  await driver.monitor({ supervisorLeg: s, agentLeg: a, mode: 'barge' });
  await driver.hangup(c);
  await sleep(200);
  t.notOk(
    events.some((e) => e.type === 'end' && e.legId === s),
    'the supervisor leg is still up',
  );
  await t.rejects(driver.setMonitorMode(s, 'listen'), /not monitoring/);
});
