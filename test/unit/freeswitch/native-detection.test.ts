/**
 * FreeSWITCH-native detection: the exact ESL applications the driver starts
 * (spandsp_start_tone_detect, avmd_start on a sink endpoint) and the events
 * it gets back (DETECTED_TONE, avmd::beep, repeated) turned into verdicts and,
 * through lib/results, into the same result codes as the embedded driver.
 */
import t from 'tap';
import { decideResult } from '../../../lib/results';
import type { LegEvent } from '../../../lib/telephony/contract';
import type { Verdict } from '../../../lib/media/types';
import { verdictFromAvmd, verdictFromTone } from '../../../lib/telephony/drivers/freeswitch/tones';
import { NATIVE_ANALYSIS_MS } from '../../../lib/telephony/drivers/freeswitch/detect';
import { rig } from './fakes';
import { EndpointTimeout } from '../../../lib/telephony/drivers/freeswitch/ports';
import type { AnalyzerFactory } from '../../../lib/telephony/drivers/freeswitch/analysis';

const EARLY_SDP = 'v=0\r\nc=IN IP4 10.0.0.9\r\nm=audio 4100 RTP/AVP 0\r\na=sendonly\r\n';
const analysis = (region?: string) => ({ early: true, answered: true, waitForBeep: true, ...(region ? { region } : {}) });

function outcome(events: LegEvent[], legId: string) {
  const end = events.find((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end' && e.legId === legId)!;
  const verdicts: Verdict[] = events
    .filter((e): e is Extract<LegEvent, { type: 'verdict' }> => e.type === 'verdict' && e.legId === legId)
    .map((e) => e.verdict);
  return { end: end.cause, verdicts, connected: false };
}

t.test('early media busy tone (Japan): tone detection, no mid-media re-INVITE, verdict, 486 → code 3', async (t) => {
  const r = await rig();
  const legId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: analysis('JP') });
  r.srf.last.provisional(183, 'Session Progress', EARLY_SDP);
  await r.settle();
  const ep = r.mrf.servers.get('fs1')!.endpoints[0]!;
  // Detection attached before the INVITE. The 183 uses the codec FreeSWITCH already decodes with (the first of its
  // offer): FreeSWITCH reads the far end's RTP as it is, so no re-INVITE lands in the middle of its tones (sdp.ts).
  t.same(
    r.log.lines((c) => c.target === ep.uuid),
    [`${ep.uuid} execute spandsp_start_tone_detect dialer_jp`],
  );
  r.clock.advance(1500);
  ep.emitTone('busy');
  ep.emitTone('busy'); // FreeSWITCH repeats events: one verdict
  r.srf.last.reject(486, 'Busy Here');
  await r.settle();
  t.same(r.trace(legId), ['trying', 'progress:183+sdp', 'verdict:early:busy', 'end:remote:486:unanswered']);
  t.match(
    r.events.find((e) => e.type === 'verdict'),
    { verdict: { kind: 'busy', region: 'JP', pattern: 'busy', atMs: 1500 } },
  );
  t.equal(decideResult(outcome(r.events, legId)), 3);
  t.ok(r.log.lines().includes(`${ep.uuid} execute spandsp_stop_tone_detect `), 'detection stopped at the end');
});

t.test('SIT vacant code in early media then 404 → code 6; reorder then CANCEL → 13', async (t) => {
  const r = await rig();
  const a = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: analysis() });
  r.srf.last.provisional(183, 'Session Progress', EARLY_SDP);
  await r.settle();
  r.mrf.servers.get('fs1')!.endpoints[0]!.emitTone('sit_vc');
  r.srf.last.reject(404, 'Not Found');
  await r.settle();
  t.match(outcome(r.events, a).verdicts, [{ kind: 'sit', code: 'VC', freqsHz: [985.2, 1370.6, 1776.7] }]);
  t.equal(decideResult(outcome(r.events, a)), 6);
  t.ok(r.log.lines().includes('fs1-ep1 execute spandsp_start_tone_detect dialer_na'), "default region's descriptor");

  const b = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: analysis('UK') });
  r.srf.last.provisional(183, 'Session Progress', EARLY_SDP);
  await r.settle();
  r.mrf.servers.get('fs1')!.endpoints[1]!.emitTone('reorder');
  const hanging = r.driver.hangup(b);
  t.ok(r.srf.last.cancelled);
  r.srf.last.reject(487, 'Request Terminated');
  await hanging;
  t.equal(decideResult(outcome(r.events, b)), 13, 'reorder heard → dial error');
});

// Seen in a fresh-clone CI run at load ~25: a native Bell SIT call ended on the far end's 404 with no verdict at
// all. The fork's sink is a second endpoint creation (gate.ts, fsmrf's fixed 4 s); when it failed, the whole
// analysis was stopped, the spandsp detector already running on the leg with it.
t.test(
  'a fork that cannot be made leaves the tone detector on: SIT in early media then 404 → VC verdict, code 6; answered → notsure',
  async (t) => {
    const r = await rig();
    const fs1 = r.mrf.servers.get('fs1')!;
    fs1.failSink = new EndpointTimeout('fsmrf: timeout waiting for the outbound connection');
    const a = await r.driver.originate({ to: '+12125550123', ringTimeoutMs: 40000, analysis: analysis('NA') });
    t.ok(r.log.lines().includes('fs1 createSink failed'), 'the sink creation failed');
    r.srf.last.provisional(183, 'Session Progress', EARLY_SDP);
    await r.settle();
    const ep = fs1.endpoints[0]!;
    t.notOk(r.log.lines().includes(`${ep.uuid} execute spandsp_stop_tone_detect `), 'tone detection not stopped');
    ep.emitTone('sit_vc');
    r.srf.last.reject(404, 'Not Found');
    await r.settle();
    t.same(r.trace(a), ['trying', 'progress:183+sdp', 'verdict:early:sit', 'end:remote:404:unanswered']);
    t.match(outcome(r.events, a).verdicts, [{ kind: 'sit', code: 'VC' }]);
    t.equal(decideResult(outcome(r.events, a)), 6);
    t.ok(
      r.forks.every((f) => f.closed),
      "the fork's socket was released",
    );

    // Answered without a fork: the tones still decide; with none, the guard's notsure, as for a silent fork.
    const b = await r.driver.originate({ to: '+12125550123', ringTimeoutMs: 40000, analysis: analysis('NA') });
    const dlg = r.srf.last.answer();
    await r.settle();
    t.notOk(r.log.lines().includes(`${fs1.endpoints[1]!.uuid} execute spandsp_stop_tone_detect `), 'the one descriptor runs on');
    r.clock.advance(NATIVE_ANALYSIS_MS);
    t.match(r.events.at(-1), { type: 'verdict', legId: b, phase: 'answered', verdict: { kind: 'notsure' } });
    dlg.remoteBye();
    await r.settle();
    t.equal(decideResult(outcome(r.events, b)), 9, 'hung up before an agent');
  },
);

t.test('after answer: fax CED → code 5; spandsp beep → 4; no audio on the fork → notsure after the guard window', async (t) => {
  const r = await rig();
  const fax = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: analysis() });
  r.srf.last.answer();
  await r.settle();
  const ep = r.mrf.servers.get('fs1')!.endpoints[0]!;
  t.same(
    r.log.lines((c) => c.target === ep.uuid).map((l) => l.replace(/modify v=0[\s\S]*/, 'modify <sdp>')),
    [
      `${ep.uuid} execute spandsp_start_tone_detect dialer_na`,
      `${ep.uuid} modify <sdp>`,
      // Nothing at answer: one descriptor for the whole call (a swap would lose a SIT in progress).
    ],
  );
  ep.emitTone('ced');
  ep.emitTone('ced');
  await r.driver.hangup(fax);
  t.same(r.trace(fax), ['trying', 'answer', 'verdict:answered:fax', 'end:local:200:answered']);
  t.equal(decideResult(outcome(r.events, fax)), 5);

  const vm = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: analysis() });
  r.srf.last.answer();
  await r.settle();
  r.clock.advance(3000);
  r.mrf.servers.get('fs1')!.endpoints[1]!.emitTone('beep_1000');
  r.clock.advance(NATIVE_ANALYSIS_MS);
  await r.driver.hangup(vm);
  t.match(outcome(r.events, vm).verdicts, [{ kind: 'beep', freqHz: 1000, atMs: 3000 }], 'no notsure after a decisive tone');
  t.equal(decideResult(outcome(r.events, vm)), 4);

  const person = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: analysis() });
  const dlg = r.srf.last.answer();
  await r.settle();
  r.clock.advance(NATIVE_ANALYSIS_MS - 1);
  t.equal(outcome([...r.events, { type: 'end', legId: person, at: 0, cause: { by: 'local', answered: true } }], person).verdicts.length, 0);
  r.clock.advance(1);
  t.match(r.events.at(-1), { type: 'verdict', phase: 'answered', verdict: { kind: 'notsure', atMs: NATIVE_ANALYSIS_MS } });
  dlg.remoteBye();
  await r.settle();
  t.equal(decideResult(outcome(r.events, person)), 9, 'hung up before an agent');
});

t.test(
  'person/machine through the audio fork: sink offered the fork, eavesdrop on the leg, lib/media verdicts but not its tones',
  async (t) => {
    const heard: string[] = [];
    // An analyser that says what it is told to, so the test sees which of its verdicts the driver passes on.
    let script: Verdict[][] = [];
    const createAnalyzer: AnalyzerFactory = (o) => {
      heard.push(`analyser ${o.phase} ${o.region}`);
      return { push: () => script.shift() ?? [], answered: () => [], done: false };
    };
    const r = await rig({ createAnalyzer });
    const legId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: analysis('JP') });
    const fs1 = r.mrf.servers.get('fs1')!;
    const ep = fs1.endpoints[0]!;
    const { ep: sink, sdp, headers } = fs1.sinks[0]!;
    const fork = r.forks[0]!;
    t.same(heard, ['analyser early JP']);
    t.equal(fork.address, '10.0.0.1', 'the fork listens on mediaServers[].forkAddress');
    t.match(
      sdp,
      /c=IN IP4 10\.0\.0\.1[\s\S]*m=audio 40000 RTP\/AVP 0[\s\S]*a=recvonly/,
      'the sink is offered the fork (FreeSWITCH only sends)',
    );
    t.same(headers, { 'X-Dialer-Rtp-Timer': 'soft' }, 'the sink asks for an RTP timer (dialplan/dialer.xml)');
    t.equal(
      fork.from,
      Number(/^m=audio (\d+)/m.exec(sink.localSdp)![1]),
      "the fork hears only the sink's media port (a stale sink may still send to a reused port: fork.ts)",
    );
    t.same(
      r.log.lines((c) => c.target === sink.uuid),
      [`${sink.uuid} execute eavesdrop ${ep.uuid}`],
      'eavesdrop on the leg, no bridge',
    );
    const invite = r.log.lines().findIndex((l) => l.startsWith('srf INVITE'));
    t.ok(invite > r.log.lines().indexOf(`${sink.uuid} execute eavesdrop ${ep.uuid}`), 'the fork runs before the INVITE leaves');

    // Early media: lib/media's tone verdicts are not used (spandsp's are); its announcement would be.
    r.srf.last.provisional(183, 'Session Progress', EARLY_SDP);
    await r.settle();
    script = [[{ kind: 'busy', atMs: 100, region: 'JP', pattern: 'busy' }]];
    fork.frame();
    r.srf.last.answer();
    await r.settle();
    script = [[{ kind: 'beep', atMs: 300, freqHz: 1000, durationMs: 300 }], [{ kind: 'machine', atMs: 3000, reason: 'long greeting' }]];
    fork.frame();
    fork.frame();
    r.clock.advance(NATIVE_ANALYSIS_MS);
    await r.settle();
    t.same(
      r.trace(legId),
      ['trying', 'progress:183+sdp', 'answer', 'verdict:answered:machine'],
      "only the analyser's machine verdict; no guard notsure (audio came)",
    );
    await r.driver.hangup(legId);
    await r.settle();
    t.ok(r.log.lines().includes(`${sink.uuid} destroy`), 'sink destroyed (its eavesdrop ends)');
    t.ok(fork.closed, 'fork socket closed');
    t.notOk(
      r.log.lines().some((l) => l.startsWith(`${ep.uuid} api uuid_bridge`)),
      'the leg was never bridged',
    );
  },
);

t.test(
  'avmd beep detector on the fork sink (avmd API, not an application behind eavesdrop); avmd::beep twice → one beep → code 4',
  async (t) => {
    const r = await rig({ fs: { beepDetector: 'avmd' } });
    const legId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: analysis() });
    r.srf.last.answer();
    await r.settle();
    const ep = r.mrf.servers.get('fs1')!.endpoints[0]!;
    const sink = r.mrf.servers.get('fs1')!.sinks[0]!.ep;
    const cmds = r.log
      .lines((c) => c.target === ep.uuid || c.target === sink.uuid)
      .map((l) => l.replace(/modify v=0[\s\S]*/, 'modify <sdp>'));
    t.same(cmds, [
      `${ep.uuid} execute spandsp_start_tone_detect dialer_na`,
      `${sink.uuid} execute eavesdrop ${ep.uuid}`,
      `${ep.uuid} modify <sdp>`,
      `${sink.uuid} subscribe CUSTOM avmd::beep`,
      `${sink.uuid} api avmd ${sink.uuid} start`,
    ]);
    sink.emitCustom('avmd::beep', { Frequency: '852.4', 'Unique-ID': sink.uuid });
    sink.emitCustom('avmd::beep', { Frequency: '852.4', 'Unique-ID': sink.uuid });
    await r.driver.hangup(legId);
    await r.settle(); // detection is released asynchronously after the end event
    t.match(outcome(r.events, legId).verdicts, [{ kind: 'beep', freqHz: 852 }]);
    t.equal(decideResult(outcome(r.events, legId)), 4);
    t.ok(
      r.log.lines().includes(`${sink.uuid} api avmd ${sink.uuid} stop`) && r.log.lines().includes(`${sink.uuid} destroy`),
      'sink released',
    );
  },
);

t.test('bridging stops detection; analysis flags gate what is reported', async (t) => {
  const r = await rig();
  const agent = await r.driver.originate({ to: 'sip:a@10.0.0.7', ringTimeoutMs: 40000 });
  r.srf.last.answer();
  const cust = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: { early: false, answered: true } });
  r.srf.last.provisional(183, 'Session Progress', EARLY_SDP);
  await r.settle();
  const ep = r.mrf.servers.get('fs1')!.endpoints[1]!;
  t.same(
    r.log.lines((c) => c.target === ep.uuid),
    [`${ep.uuid} execute spandsp_start_tone_detect dialer_na`],
    'no early analysis requested: no modify for early media',
  );
  r.srf.last.answer();
  await r.settle();
  await r.driver.bridge(cust, agent);
  const lines = r.log.lines();
  t.ok(
    lines.indexOf(`${ep.uuid} execute spandsp_stop_tone_detect `) < lines.findIndex((l) => l.includes('uuid_bridge')),
    'stopped before the bridge',
  );
  ep.emitTone('beep_1000');
  t.equal(
    outcome([...r.events, { type: 'end', legId: cust, at: 0, cause: { by: 'local', answered: true } }], cust).verdicts.length,
    0,
    'no verdicts while bridged',
  );
});

t.test('tone and avmd mapping tables', async (t) => {
  const cases: Array<[string, Partial<Verdict> | undefined]> = [
    ['busy', { kind: 'busy', pattern: 'busy' }],
    ['REORDER', { kind: 'busy', pattern: 'reorder' }],
    ['ringback', { kind: 'ringback' }],
    ['ced', { kind: 'fax', tone: 'CED' }],
    ['cng', { kind: 'fax', tone: 'CNG' }],
    ['fax', { kind: 'fax', tone: 'CNG' }],
    ['sit', { kind: 'sit', code: 'ITU' }],
    ['sit_nc', { kind: 'sit', code: 'NC' }],
    ['sit_ic', { kind: 'sit', code: 'IC' }],
    ['sit_ro', { kind: 'sit', code: 'RO' }],
    ['beep_440', { kind: 'beep', freqHz: 440 }],
    ['beep', { kind: 'beep', freqHz: 1000 }],
    ['dial', undefined],
  ];
  for (const [tone, want] of cases) {
    const v = verdictFromTone(tone, 'DE', 10);
    if (want === undefined) t.equal(v, undefined, tone);
    else t.match(v, want, tone);
  }
  t.match(verdictFromAvmd({ Frequency: 'x' }, 5), { kind: 'beep', freqHz: 0, durationMs: 300 });
});

t.test('early media: the SDP waits for the answer unless FreeSWITCH cannot decode it as it is (sdp.ts)', async (t) => {
  const r = await rig();
  // Same codec as FreeSWITCH's first (PCMU): no re-INVITE in the early media; the 200's SDP is applied at the answer
  // (even when it repeats the 183's, which FreeSWITCH has never been given).
  const a = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: analysis() });
  r.srf.last.provisional(183, 'Session Progress', EARLY_SDP);
  await r.settle();
  const epA = r.mrf.servers.get('fs1')!.endpoints[0]!;
  t.equal(r.log.lines((c) => c.target === epA.uuid && c.op === 'modify').length, 0, 'no modify at the 183');
  r.srf.last.answer(EARLY_SDP);
  await r.settle();
  t.same(
    r.log.lines((c) => c.target === epA.uuid && c.op === 'modify'),
    [`${epA.uuid} modify ${EARLY_SDP.replace('a=sendonly', 'a=sendrecv')}`],
    "the 200's SDP applied once, at the answer (sendonly given as sendrecv)",
  );
  await r.driver.hangup(a);

  // PCMA, which FreeSWITCH does not decode with until it is told: the endpoint gets the SDP at once, as before.
  const pcma = 'v=0\r\nc=IN IP4 10.0.0.9\r\nm=audio 4100 RTP/AVP 8 101\r\na=sendonly\r\n';
  const b = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: analysis() });
  r.srf.last.provisional(183, 'Session Progress', pcma);
  await r.settle();
  const epB = r.mrf.servers.get('fs1')!.endpoints[1]!;
  t.same(
    r.log.lines((c) => c.target === epB.uuid && c.op === 'modify'),
    [`${epB.uuid} modify ${pcma.replace('a=sendonly', 'a=sendrecv')}`],
  );
  r.srf.last.answer(pcma);
  await r.settle();
  t.equal(r.log.lines((c) => c.target === epB.uuid && c.op === 'modify').length, 1, 'an unchanged SDP is not applied twice');
  await r.driver.hangup(b);
});

// One descriptor for the whole call (it has the voicemail beep): a beep in early media is part of an announcement
// or a ringback, not a voicemail's; after answer the same tone is one.
t.test('a beep before answer is no verdict; after answer it is (one descriptor, no swap)', async (t) => {
  const r = await rig();
  const legId = await r.driver.originate({ to: '+12125550123', ringTimeoutMs: 40000, analysis: analysis('NA') });
  r.srf.last.provisional(183, 'Session Progress', EARLY_SDP);
  await r.settle();
  const ep = r.mrf.servers.get('fs1')!.endpoints[0]!;
  ep.emitTone('beep_1000');
  await r.settle();
  t.same(outcome2(r.events, legId), [], 'no verdict for the early beep');
  r.srf.last.answer();
  await r.settle();
  t.notOk(r.log.lines().includes(`${ep.uuid} execute spandsp_stop_tone_detect `), 'the detector runs on across the answer');
  ep.emitTone('beep_1000');
  await r.driver.hangup(legId);
  await r.settle();
  t.match(outcome2(r.events, legId), [{ phase: 'answered', kind: 'beep', freqHz: 1000 }]);
  t.equal(decideResult(outcome(r.events, legId)), 4);
});

t.test('another early descriptor (earlyToneDescriptors) is swapped for the answered one at answer', async (t) => {
  const r = await rig({ fs: { earlyToneDescriptors: { NA: 'my_na_early' } } });
  await r.driver.originate({ to: '+12125550123', ringTimeoutMs: 40000, analysis: analysis('NA') });
  r.srf.last.answer();
  await r.settle();
  const ep = r.mrf.servers.get('fs1')!.endpoints[0]!;
  t.same(
    r.log.lines((c) => c.target === ep.uuid).map((l) => l.replace(/modify v=0[\s\S]*/, 'modify <sdp>')),
    [
      `${ep.uuid} execute spandsp_start_tone_detect my_na_early`,
      `${ep.uuid} modify <sdp>`,
      `${ep.uuid} execute spandsp_stop_tone_detect `,
      `${ep.uuid} execute spandsp_start_tone_detect dialer_na`,
    ],
  );
});

function outcome2(events: LegEvent[], legId: string) {
  return events
    .filter((e): e is Extract<LegEvent, { type: 'verdict' }> => e.type === 'verdict' && e.legId === legId)
    .map((e) => ({ phase: e.phase, ...e.verdict }));
}
