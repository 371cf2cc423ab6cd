/**
 * Listen-in, whisper, barge and call recording on the embedded driver, checked
 * by the audio each SIPp phone receives: every party sends its own tone
 * (agent 600 Hz, customer 1100 Hz, supervisor 1700 Hz on PCMA while the others
 * are PCMU, so the mixer transcodes), and each party's received frames are
 * measured with lib/media's Goertzel share.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import { startProbePhone, type RtpProbe } from '../../../lib/telephony/testing/rtp-probe';
import type { LegEvent, RecordingResult } from '../../../lib/telephony/contract';
import { ABSENT, AGENT, channelTones, CUSTOMER, describeChannel, expectHears, SUPERVISOR, whatEachHears } from '../../helpers/party-tones';
import { sleep, untilWithin } from '../../helpers/wait';

const until = untilWithin(8000, 20);
/** What each party heard over a second of audio, 300 ms after a change (the mixer's next frames). */
const listenTo = (probes: Record<string, RtpProbe>) => whatEachHears(probes, { settleMs: 300 });

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
  // From the second second on (the first frames may be silence), over the frames that carry sound.
  const c1 = channelTones(left);
  const c2 = channelTones(right);
  t.ok(c1.sounding > 0.5 && c2.sounding > 0.5, `both channels carry sound (${describeChannel(c1)}; ${describeChannel(c2)})`);
  t.ok(c1.shares[CUSTOMER]! > 0.8, `channel 1 holds the customer (${describeChannel(c1)})`);
  t.ok(c1.shares[AGENT]! < ABSENT && c1.shares[SUPERVISOR]! < ABSENT, 'channel 1 holds nobody else');
  t.ok(c2.shares[AGENT]! > 0.8, `channel 2 holds the agent (${describeChannel(c2)})`);
  t.ok(c2.shares[CUSTOMER]! < ABSENT && c2.shares[SUPERVISOR]! < ABSENT, 'channel 2 holds nobody else');

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
