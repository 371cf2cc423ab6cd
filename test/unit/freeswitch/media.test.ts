/**
 * Hold music, playback, beep and bridging as FreeSWITCH commands on fsmrf
 * endpoints (recorded by the fakes), and the events the driver emits for them.
 */
import t from 'tap';
import pino from 'pino';
import { rig, type Rig, type FakeEndpoint } from './fakes';
import { BEEP_POLL_MS, beepWaitMs } from '../../../lib/telephony/drivers/freeswitch/detect';
import type { RecordingResult } from '../../../lib/telephony/contract';

async function answeredLeg(r: Rig, to: string): Promise<{ legId: string; uuid: string }> {
  const legId = await r.driver.originate({ to, ringTimeoutMs: 20000 });
  r.srf.last.answer();
  await r.settle();
  const eps = [...r.mrf.servers.values()].flatMap((s) => s.endpoints);
  return { legId, uuid: eps[eps.length - 1]!.uuid };
}

t.test('agent on hold music, beep, bridge to a customer, unbridge, customer BYE', async (t) => {
  const r = await rig();
  const agent = await answeredLeg(r, 'sip:agent1@10.0.0.7');
  const holdId = await r.driver.play(agent.legId, { kind: 'hold' });
  t.type(holdId, 'string');
  t.ok(r.log.lines().includes(`${agent.uuid} play local_stream://dialer_hold`));
  // Playback runs on FreeSWITCH's soft timer, set once before the leg's first playback: a phone that sends no RTP
  // would otherwise stall it (detect.ts PLAYBACK_VARS; live: test/e2e/freeswitch/silent-far-end.test.ts).
  const agentLines = r.log.lines((c) => c.target === agent.uuid);
  const timerAt = agentLines.findIndex((l) => l.includes('uuid_setvar_multi') && l.includes('timer_name=soft'));
  t.ok(
    timerAt >= 0 && timerAt < agentLines.indexOf(`${agent.uuid} play local_stream://dialer_hold`),
    'timer_name=soft before the hold music',
  );

  const cust = await answeredLeg(r, '0312345678');
  await r.driver.beep(agent.legId);
  const agentCmds = r.log.lines((c) => c.target === agent.uuid && c.op !== 'modify');
  t.same(
    agentCmds.slice(-4),
    [
      `${agent.uuid} play local_stream://dialer_hold`,
      `${agent.uuid} api uuid_displace ${agent.uuid} start {dialer_beep=1}tone_stream://%(200,0,1000) 0`,
      `${agent.uuid} api uuid_buglist ${agent.uuid}`,
      `${agent.uuid} api uuid_break ${agent.uuid} all`,
    ],
    'the beep is written over the hold music (no second playback: detect.ts BEEP_POLL_MS), then the hold music stops',
  );
  t.equal(
    r.log.lines((c) => c.target === agent.uuid && c.args.some((a) => typeof a === 'string' && a.includes('timer_name'))).length,
    1,
    'the timer set once per leg',
  );

  await r.driver.play(agent.legId, { kind: 'hold' });
  await r.driver.bridge(cust.legId, agent.legId);
  const lines = r.log.lines();
  const bridgeAt = lines.indexOf(`${cust.uuid} api uuid_bridge ${cust.uuid} ${agent.uuid}`);
  t.ok(bridgeAt > 0, 'uuid_bridge customer ↔ agent');
  const modifyAt = lines.findIndex((l) => l.startsWith(`${cust.uuid} modify v=0`));
  t.ok(modifyAt >= 0 && modifyAt < bridgeAt, 'endpoint modified with the far end SDP before bridging (else 488)');
  t.ok(lines.lastIndexOf(`${agent.uuid} api uuid_break ${agent.uuid} all`) < bridgeAt, 'hold music stopped before the bridge');
  t.same(r.trace(agent.legId).slice(-1), ['bridged']);
  t.same(r.trace(cust.legId).slice(-1), ['bridged']);
  await t.rejects(r.driver.play(cust.legId, { kind: 'hold' }), { code: 'BAD_STATE' });

  await r.driver.unbridge(agent.legId);
  t.ok(r.log.lines().includes(`${agent.uuid} api uuid_transfer ${agent.uuid} -both park inline`));
  t.same(r.trace(cust.legId).slice(-1), ['unbridged']);
});

t.test('a bridge asked for as the answer event arrives waits for that leg’s modify (else FreeSWITCH drops both legs)', async (t) => {
  // Found live under load (test/e2e/freeswitch/inbound-forwards.test.ts): the inbound forward bridges the caller to
  // the target from the target's answer event; the driver emitted it before chaining the modify with the target's
  // SDP, so the bridge's wait on the leg's media missed it, uuid_bridge went first, and FreeSWITCH hung up both.
  const r = await rig();
  const agent = await answeredLeg(r, 'sip:agent1@10.0.0.7');
  await r.driver.play(agent.legId, { kind: 'hold' });
  const custId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 20000 });
  const eps = [...r.mrf.servers.values()].flatMap((s) => s.endpoints);
  const cust = eps[eps.length - 1]!;
  let release!: () => void;
  cust.modifyGate = new Promise<void>((res) => (release = res));
  let bridged: Promise<void> | undefined;
  r.driver.onEvent((e) => {
    if (e.type === 'answer' && e.legId === custId) bridged = r.driver.bridge(agent.legId, custId);
  });
  r.srf.last.answer();
  await r.settle();
  t.ok(bridged, 'the bridge was asked for from the answer event');
  t.notOk(
    r.log.lines().some((l) => l.includes('uuid_bridge')),
    'no uuid_bridge while FreeSWITCH has not taken the far end’s SDP',
  );
  release();
  await bridged;
  const lines = r.log.lines();
  const modifiedAt = lines.indexOf(`${cust.uuid} modified`);
  const bridgeAt = lines.findIndex((l) => l.includes('uuid_bridge'));
  t.ok(modifiedAt >= 0 && modifiedAt < bridgeAt, 'modify settled, then uuid_bridge');
  t.same(r.trace(custId).slice(-1), ['bridged']);
});

t.test('a beep over hold music whose displace never ends is stopped at its length + a loaded server’s lag, logged', async (t) => {
  const lines: string[] = [];
  const r = await rig({ logger: pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }) });
  const agent = await answeredLeg(r, 'sip:agent1@10.0.0.7');
  await r.driver.play(agent.legId, { kind: 'hold' });
  const ep = [...r.mrf.servers.values()].flatMap((s) => s.endpoints).find((e: FakeEndpoint) => e.uuid === agent.uuid)!;
  ep.displaceStuck = true;
  let done = false;
  const beep = r.driver.beep(agent.legId, { durationMs: 200 }).then(() => (done = true));
  // Virtual time: the driver polls uuid_buglist every BEEP_POLL_MS.
  const start = r.clock.now();
  while (!done && r.clock.now() - start < 60000) {
    await r.settle();
    if (!done) r.clock.advance(BEEP_POLL_MS);
  }
  await beep;
  const waited = r.clock.now() - start;
  const bound = beepWaitMs(200);
  t.ok(waited > bound && waited <= bound + 2 * BEEP_POLL_MS, `the wait ended at the bound (${bound} ms): ${waited} ms`);
  t.ok(bound <= 200 + 2000, `the bound keeps an answered customer waiting at most 2 s past the beep (${bound} ms)`);
  const warn = lines
    .map((l) => JSON.parse(l) as { level: number; msg: string; waitedMs?: number; boundMs?: number })
    .find((l) => l.level === 40);
  t.match(warn, { msg: /displace did not end/, boundMs: bound }, 'a warning says the beep was stopped, with the wait and its bound');
  const cmds = r.log.lines((c) => c.target === agent.uuid && c.op === 'api').slice(-2);
  t.same(
    cmds,
    [
      `${agent.uuid} api uuid_displace ${agent.uuid} stop {dialer_beep=1}tone_stream://%(200,0,1000)`,
      `${agent.uuid} api uuid_break ${agent.uuid} all`,
    ],
    'the displace is stopped, then the hold music, as after a beep that ended',
  );
});

t.test('beeps over hold music never share a displace name: one FreeSWITCH kept registered refuses the next', async (t) => {
  // FreeSWITCH can keep a short tone's displace name registered on the channel (detect.ts displaceTarget); a beep
  // with the same name is refused and was played as its own playback, leaving a service thread on the leg.
  const r = await rig();
  const agent = await answeredLeg(r, 'sip:agent1@10.0.0.7');
  const ep = [...r.mrf.servers.values()].flatMap((s) => s.endpoints).find((e: FakeEndpoint) => e.uuid === agent.uuid)!;
  ep.displaceNamesStick = true;
  for (let i = 0; i < 3; i++) {
    await r.driver.play(agent.legId, { kind: 'hold' });
    await r.driver.beep(agent.legId, { durationMs: 0 });
  }
  const mine = r.log.lines((c) => c.target === agent.uuid);
  t.same(
    mine.filter((l) => l.includes('uuid_displace')),
    [1, 2, 3].map((n) => `${agent.uuid} api uuid_displace ${agent.uuid} start {dialer_beep=${n}}tone_stream://%(0,0,1000) 0`),
    'three displaces, three names',
  );
  t.same(ep.displaceRefused, 0, 'none refused');
  t.notOk(
    mine.some((l) => l.includes('play tone_stream')),
    'no beep played as a playback of its own',
  );
});

t.test('customer BYE during a bridge: agent leg stays, unbridged', async (t) => {
  const r = await rig();
  const agentId = await r.driver.originate({ to: 'sip:agent1@10.0.0.7', ringTimeoutMs: 20000 });
  r.srf.last.answer();
  const custId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 20000 });
  const custDlg = r.srf.last.answer();
  await r.settle();
  await r.driver.bridge(custId, agentId);
  custDlg.remoteBye();
  await r.settle();
  t.same(r.trace(custId).slice(-2), ['unbridged', 'end:remote:200:answered']);
  t.same(r.trace(agentId).slice(-2), ['bridged', 'unbridged']);
  t.equal(r.driver.health().activeLegs, 1, 'agent leg kept up');
  await r.driver.play(agentId, { kind: 'hold' });
  t.ok(r.log.lines().at(-1)!.endsWith('play local_stream://dialer_hold'), 'back on hold music');
});

t.test('nothing starts on a leg before FreeSWITCH reports the end of the playback it breaks', async (t) => {
  // FreeSWITCH runs an application queued on the channel inside a playback that has not seen its break yet, and
  // the inner playback's service thread then stays on the leg for good (detect.ts PLAYBACK_END_WAIT_MS).
  const r = await rig();
  const agent = await answeredLeg(r, 'sip:agent1@10.0.0.7');
  const ep = [...r.mrf.servers.values()].flatMap((s) => s.endpoints).find((e) => e.uuid === agent.uuid)!;
  await r.driver.play(agent.legId, { kind: 'hold' });
  let seen!: () => void;
  ep.breakSeen = new Promise<void>((res) => (seen = res));
  const next = r.driver.play(agent.legId, { kind: 'file', path: '/srv/prompts/msg.wav' });
  await r.settle();
  const mine = () => r.log.lines((c) => c.target === agent.uuid && c.op !== 'modify');
  t.equal(mine().at(-1), `${agent.uuid} api uuid_break ${agent.uuid} all`, 'broken, and nothing sent after it yet');
  seen();
  await next;
  t.same(
    mine().slice(-2),
    [`${agent.uuid} playback-ended local_stream://dialer_hold`, `${agent.uuid} play /srv/prompts/msg.wav`],
    'the next playback once the hold music has ended',
  );

  // The same before a bridge, and after a beep over hold music (the beep ends the hold music).
  await r.driver.play(agent.legId, { kind: 'hold' });
  ep.breakSeen = new Promise<void>((res) => (seen = res));
  const cust = await answeredLeg(r, '0312345678');
  const bridging = r.driver.bridge(cust.legId, agent.legId);
  await r.settle();
  t.notOk(
    r.log.lines().some((l) => l.includes('uuid_bridge')),
    'no uuid_bridge while the hold music has not ended',
  );
  seen();
  await bridging;
  const lines = r.log.lines();
  t.ok(
    lines.indexOf(`${agent.uuid} playback-ended local_stream://dialer_hold`) < lines.findIndex((l) => l.includes('uuid_bridge')),
    'uuid_bridge after the hold music ended',
  );
  await r.driver.unbridge(agent.legId);
  await r.driver.play(agent.legId, { kind: 'hold' });
  ep.breakSeen = new Promise<void>((res) => (seen = res));
  let beeped = false;
  const beep = r.driver.beep(agent.legId).then(() => (beeped = true));
  await r.settle();
  t.notOk(beeped, 'the beep waits for the hold music’s end');
  seen();
  await beep;
  t.equal(mine().at(-1), `${agent.uuid} playback-ended local_stream://dialer_hold`);
});

t.test('file playback ends with playback-done; looping and hold do not; stopPlayback breaks', async (t) => {
  const r = await rig();
  const leg = await answeredLeg(r, '0312345678');
  const id = await r.driver.play(leg.legId, { kind: 'file', path: '/srv/prompts/abandon.wav' });
  await r.settle();
  const done = r.events.filter((e) => e.type === 'playback-done');
  t.same(
    done.map((e) => (e as { id: string }).id),
    [id],
  );
  await r.driver.play(leg.legId, { kind: 'file', path: '/srv/prompts/msg.wav' }, { loop: true });
  t.ok(r.log.lines().includes(`${leg.uuid} execute endless_playback /srv/prompts/msg.wav`));
  await r.driver.stopPlayback(leg.legId);
  await r.driver.play(leg.legId, { kind: 'tone', freqHz: 440, durationMs: 500 }, { loop: true });
  t.ok(r.log.lines().includes(`${leg.uuid} play tone_stream://%(500,0,440);loops=-1`));
  await r.driver.stopPlayback(leg.legId);
  await r.settle();
  t.equal(r.events.filter((e) => e.type === 'playback-done').length, 1, 'no playback-done for loops');
});

t.test('media calls on legs that are not answered, unknown, or on different media servers', async (t) => {
  const r = await rig({
    fs: {
      mediaServers: [
        { address: 'fs1', port: 8021, secret: 'a', profile: 'drachtio_mrf', listenAddress: '', local: false, forkAddress: '10.0.0.1' },
        { address: 'fs2', port: 8021, secret: 'b', profile: 'drachtio_mrf', listenAddress: '', local: false, forkAddress: '10.0.0.1' },
      ],
    },
  });
  const ringing = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 20000 });
  await t.rejects(r.driver.play(ringing, { kind: 'hold' }), { code: 'BAD_STATE' });
  await t.rejects(r.driver.beep('nope'), { code: 'UNKNOWN_LEG' });
  r.srf.last.answer();
  // Second leg lands on the other (less loaded) server.
  const other = await r.driver.originate({ to: '0312345679', ringTimeoutMs: 20000 });
  r.srf.last.answer();
  await r.settle();
  t.same(
    r.log.lines((c) => c.op === 'createEndpoint'),
    ['fs1 createEndpoint', 'fs2 createEndpoint'],
    'load spread over the pool',
  );
  await t.rejects(r.driver.bridge(ringing, other), { code: 'BAD_STATE', message: /different media servers/ });
  await t.rejects(r.driver.bridge(ringing, ringing), { code: 'BAD_REQUEST' });
});

t.test('customer calls go to the media server where an agent waits', async (t) => {
  const r = await rig({
    fs: {
      mediaServers: [
        { address: 'fs1', port: 8021, secret: 'a', profile: 'drachtio_mrf', listenAddress: '', local: false, forkAddress: '10.0.0.1' },
        { address: 'fs2', port: 8021, secret: 'b', profile: 'drachtio_mrf', listenAddress: '', local: false, forkAddress: '10.0.0.1' },
      ],
    },
  });
  await r.driver.originate({ to: 'sip:a1@10.0.0.7', ringTimeoutMs: 20000 }); // fs1
  r.srf.last.answer();
  await r.driver.originate({ to: 'sip:a2@10.0.0.8', ringTimeoutMs: 20000 }); // fs2 (least loaded)
  // a2 not answered yet: only fs1 has an idle agent.
  r.mrf.servers.get('fs1')!.sessions = 50; // busier, but the agent is there
  await r.driver.originate({ to: '0312345678', ringTimeoutMs: 20000 });
  t.same(
    r.log.lines((c) => c.op === 'createEndpoint'),
    ['fs1 createEndpoint', 'fs2 createEndpoint', 'fs1 createEndpoint'],
  );
});

t.test('stop() hangs every leg up and health reports the connections', async (t) => {
  const r = await rig();
  t.match(r.driver.health(), { ok: true, activeLegs: 0, detail: 'drachtio connected; media servers 1/1 connected' });
  const a = await r.driver.originate({ to: 'sip:a1@10.0.0.7', ringTimeoutMs: 20000 });
  r.srf.last.answer();
  const b = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 20000 });
  await r.settle();
  const stopping = r.driver.stop();
  r.srf.last.reject(487, 'Request Terminated');
  await stopping;
  t.same(r.trace(a).at(-1), 'end:local:200:answered');
  t.same(r.trace(b).at(-1), 'end:local:487:unanswered');
  t.match(r.driver.health(), { ok: false, activeLegs: 0 });
  await t.rejects(r.driver.originate({ to: '0312345678', ringTimeoutMs: 1000 }), { code: 'UNAVAILABLE' });
});

t.test('a recording FreeSWITCH cannot write (RECORD_STOP uri-failure) ends as an error; the call goes on', async (t) => {
  const r = await rig();
  const agent = await answeredLeg(r, 'sip:agent1@10.0.0.7');
  const cust = await answeredLeg(r, '0312345678');
  await r.driver.bridge(cust.legId, agent.legId);
  const ep = [...r.mrf.servers.values()].flatMap((s) => s.endpoints).find((e) => e.uuid === cust.uuid)!;
  const ended: RecordingResult[] = [];
  const id = await r.driver.startRecording({
    customerLeg: cust.legId,
    agentLeg: agent.legId,
    path: '/nonexistent-dir/a.wav',
    onEnd: (x) => ended.push(x),
  });
  const lines = r.log.lines((c) => c.target === cust.uuid);
  const sub = lines.indexOf(`${cust.uuid} subscribe RECORD_STOP`);
  const start = lines.indexOf(`${cust.uuid} api uuid_record ${cust.uuid} start /nonexistent-dir/a.wav`);
  t.ok(sub >= 0 && sub < start, 'RECORD_STOP subscribed before the recording starts');
  t.match(
    lines.find((l) => l.includes('uuid_setvar_multi')),
    /RECORD_USE_THREAD=false/,
    'written from the media bug',
  );
  // Another file's stop (the analysis tap) and a normal cause change nothing.
  ep.emitRecordStop('/tmp/other.wav', 'uri-failure');
  await r.settle();
  t.same(ended, []);
  ep.emitRecordStop('/nonexistent-dir/a.wav', 'uri-failure');
  // The result reads the file (real fs I/O): wait for it, bounded.
  for (let i = 0; i < 500 && ended.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
  ep.emitRecordStop('/nonexistent-dir/a.wav', 'uri-failure');
  await r.settle();
  t.equal(ended.length, 1, 'onEnd once');
  t.match(ended[0], { id, endedBy: 'error', error: /could not write \/nonexistent-dir\/a\.wav.*uri-failure/, bytes: 0 });
  t.notOk(
    r.log.lines().some((l) => l.includes(`uuid_record ${cust.uuid} stop`)),
    'nothing to stop: FreeSWITCH ended it',
  );
  t.notOk(
    r.events.some((e) => e.type === 'end'),
    'no leg ended',
  );
  t.same(r.trace(cust.legId).slice(-1), ['bridged']);
  await t.rejects(r.driver.stopRecording(id), { code: 'UNKNOWN_LEG' });

  // A stop whose final flush fails is reported the same way.
  const ended2: RecordingResult[] = [];
  const id2 = await r.driver.startRecording({ customerLeg: cust.legId, path: '/nonexistent-dir/b.wav', onEnd: (x) => ended2.push(x) });
  const stopping = r.driver.stopRecording(id2);
  ep.emitRecordStop('/nonexistent-dir/b.wav', 'uri-failure');
  t.match(await stopping, { id: id2, endedBy: 'error', error: /could not write/ });
  // A normal stop (success-maxtime) of an unreadable file is still an error, but not a write failure.
  const id3 = await r.driver.startRecording({ customerLeg: cust.legId, path: '/nonexistent-dir/c.wav' });
  t.match(await r.driver.stopRecording(id3), { endedBy: 'error', error: /not readable/ });
});
