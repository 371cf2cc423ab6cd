/**
 * Return calls through drachtio-server + FreeSWITCH (issue 18), live, the
 * parts test/e2e/freeswitch/inbound.test.ts does not cover:
 *  - audio both ways between the caller and the agent: each is an RTP probe
 *    sending its own tone (Goertzel, as test/e2e/freeswitch/supervision.test.ts);
 *  - forward on no answer (default 20 s): the only agent is talking, the caller
 *    waits on hold music and is forwarded to a second SIPp at 20 s, not before;
 *  - forward on busy: the only agent is talking → forwarded at once;
 *  - each forward target is a person who answers and talks 5 s (sipp-scenarios/uas-forward-target.xml);
 *  - a temporary override forwards until its end time, then the schedule
 *    (the message) is back.
 */
import { join } from 'node:path';
import t from 'tap';
import { makeAgents } from '../../../lib/demo/store-setup';
import { getAgentLive } from '../../../lib/store/agent-live';
import { putRoute } from '../../../lib/store/inbound';
import { PAYLOAD_TYPE } from '../../../lib/media/g711';
import { RtpProbe } from '../../../lib/telephony/testing/rtp-probe';
import { allDay, inboundCalls, writeMessageWav } from '../../helpers/inbound-calls';
import { probePhone, startLiveEnv } from '../../helpers/live-freeswitch';
import { liveServersMissing } from '../../helpers/live-servers';
import { sleep, untilWithin } from '../../helpers/wait';

const missing = liveServersMissing();
const until = untilWithin(30_000);
const AGENT_HZ = 600;
const CALLER_HZ = 1100;
/** A tone the party hears has a large share of the frame's energy; one it does not, close to none. */
const PRESENT = 0.2;
const ABSENT = 0.05;

t.test(
  'inbound through drachtio + FreeSWITCH: audio both ways, no-answer and busy forwards, override',
  { skip: missing ?? false, timeout: 240_000 },
  async (t) => {
    const { live, redis, dir, startServices } = await startLiveEnv(t, { name: 'e2e-fs-fwd', agents: 0, timeoutS: 200 });
    const closedWav = writeMessageWav(join(dir, 'closed.wav'));
    // The agent's phone: SIPp with an RTP probe sending the agent's tone.
    const agentPhone = await probePhone(t, { toneHz: AGENT_HZ, timeoutS: 200 });
    await makeAgents(redis, 'returns', [{ id: 'ag1', address: agentPhone.sipp.address }]);

    const services = await startServices();
    const { events, ofCaller, callIn, far } = inboundCalls(t, {
      inbound: services.inbound,
      remote: `127.0.0.1:${live.drachtio.sipPort}`,
      callerTimeoutS: 150,
      farTimeoutS: 200,
    });
    // The forward targets answer and talk for 5 s: a person, not uas-callee-hangup's 0.8 s, which a loaded
    // host's bridge outlasted (round twenty-three's CI run: the target gone before the bridge, no forward).
    const noAnswerTarget = await far('uas-forward-target');
    const busyTarget = await far('uas-forward-target');
    const overrideTarget = await far('uas-forward-target');

    const common = { timeZone: 'UTC', holidays: [], closeRetries: false };
    const msg = { type: 'message' as const, file: closedWav };
    const agents = (extra: { noAnswer?: { to: string }; busy?: { to: string } } = {}) =>
      allDay({ type: 'agents', groups: ['returns'], ...extra });
    await putRoute(redis, { ...common, did: '+81312360001', bands: agents(), closed: msg });
    await putRoute(redis, {
      ...common,
      did: '+81312360002',
      bands: agents({ noAnswer: { to: `sip:desk@${noAnswerTarget.address}` } }),
      closed: msg,
    });
    await putRoute(redis, {
      ...common,
      did: '+81312360003',
      bands: agents({ busy: { to: `sip:desk@${busyTarget.address}` } }),
      closed: msg,
    });
    // Long enough for the calls before the override call on a loaded host (each forward target talks 5 s).
    const overrideUntil = Date.now() + 45_000;
    await putRoute(redis, {
      ...common,
      did: '+81312360004',
      bands: [],
      closed: msg,
      override: { action: { type: 'forward', to: `sip:desk@${overrideTarget.address}` }, until: new Date(overrideUntil).toISOString() },
    });

    await services.desk.login('ag1');
    await until(async () => (await getAgentLive(redis, 'ag1'))?.state === 'ready', 'agent ag1 ready through FreeSWITCH');

    // ---- the caller (an RTP probe with its own tone) reaches the agent: audio both ways ----
    const callerProbe = await RtpProbe.start({ toneHz: CALLER_HZ });
    t.teardown(() => callerProbe.close());
    const caller = await callIn('0312360001', '09033330001', {
      scenario: 'inbound-caller-probe',
      keys: { probe_port: String(callerProbe.port), probe_pt: String(PAYLOAD_TYPE.ulaw), probe_codec: 'PCMU' },
    });
    await until(async () => (await getAgentLive(redis, 'ag1'))?.state === 'talking', 'the agent talking with the caller');
    // Both probes send once FreeSWITCH sends to them; then what each hears over a second, after the bridge settles.
    await until(() => callerProbe.frames.length > 0 && agentPhone.probe.frames.length > 0, 'audio to both parties');
    await sleep(700);
    // A second of frames at each probe, waited for (a fixed window would be short for a CPU-starved SIPp phone).
    const from = Date.now();
    const since = (p: RtpProbe) => p.frames.filter((f) => f.at >= from).length;
    await until(
      () => since(callerProbe) >= 50 && since(agentPhone.probe) >= 50,
      () => `a second of audio at both parties (caller ${since(callerProbe)}, agent ${since(agentPhone.probe)} frames)`,
    );
    const tones = [AGENT_HZ, CALLER_HZ];
    const callerHeard = callerProbe.heard(tones, from);
    const agentHeard = agentPhone.probe.heard(tones, from);
    t.ok(callerHeard.frames >= 20, `the caller received audio (${callerHeard.frames} frames)`);
    t.ok(agentHeard.frames >= 20, `the agent received audio (${agentHeard.frames} frames)`);
    t.ok(callerHeard.shares[AGENT_HZ]! > PRESENT, `the caller hears the agent (${callerHeard.shares[AGENT_HZ]!.toFixed(2)})`);
    t.ok(callerHeard.shares[CALLER_HZ]! < ABSENT, `the caller does not hear themself (${callerHeard.shares[CALLER_HZ]!.toFixed(3)})`);
    t.ok(agentHeard.shares[CALLER_HZ]! > PRESENT, `the agent hears the caller (${agentHeard.shares[CALLER_HZ]!.toFixed(2)})`);
    t.ok(agentHeard.shares[AGENT_HZ]! < ABSENT, `the agent does not hear themself (${agentHeard.shares[AGENT_HZ]!.toFixed(3)})`);

    // ---- the only agent is talking: no-answer (20 s) and busy (at once) forwards, and the override ----
    const t0 = Date.now();
    const noAnswerCaller = await callIn('0312360002', '09033330002');
    const busyAt = Date.now();
    const busyCaller = await callIn('0312360003', '09033330003');
    t.equal((await busyCaller.done).code, 0, 'the busy-forwarded caller ended cleanly');
    const busy = ofCaller('inbound.forwarded', '+819033330003');
    t.ok(busy, 'forwarded on busy');
    if (!busy) t.comment(JSON.stringify(events.filter((e) => e.data.caller === '+819033330003')));
    t.ok(busy!.at - busyAt < 10_000, `at once (${busy!.at - busyAt} ms after the call, not after the no-answer time)`);
    t.equal(ofCaller('inbound.no-agent', '+819033330003')?.data.why, 'busy');
    t.equal((await busyTarget.done).code, 0, 'the busy target took the forwarded call');

    const ovr = await callIn('0312360004', '09033330004');
    t.equal((await ovr.done).code, 0, 'the override caller ended cleanly');
    t.equal(ofCaller('inbound.routed', '+819033330004')?.data.by, 'override', 'the override decided');
    t.ok(ofCaller('inbound.forwarded', '+819033330004'), 'forwarded to the override target');
    t.equal((await overrideTarget.done).code, 0, 'the override target took the call');

    await until(() => !!ofCaller('inbound.forwarded', '+819033330002'), 'the no-answer forward', 90_000);
    const waited = ofCaller('inbound.forwarded', '+819033330002')!.at - t0;
    // Not before 20 s; the upper bound only guards against a forward that never waited on a clock at all.
    t.ok(waited >= 20_000 && waited < 60_000, `forwarded on no answer after ${waited} ms (20 s)`);
    t.equal(ofCaller('inbound.no-agent', '+819033330002')?.data.why, 'no-answer');
    t.equal((await noAnswerTarget.done).code, 0, 'the second SIPp took the forwarded call');
    t.equal((await noAnswerCaller.done).code, 0, 'the no-answer caller ended cleanly');
    t.equal((await getAgentLive(redis, 'ag1'))?.state, 'talking', 'the agent was busy all along');

    // ---- the agent hangs up: the caller gets our BYE ----
    await services.desk.hangupCustomer('ag1');
    t.equal((await caller.done).code, 0, 'the caller got our BYE when the agent hung up');

    // ---- after its end time the override no longer applies: the message ----
    await until(() => Date.now() > overrideUntil, 'the override end', 60_000);
    const after = await callIn('0312360004', '09033330044');
    t.equal((await after.done).code, 0, 'the message played and our BYE came');
    t.equal(ofCaller('inbound.routed', '+819033330044')?.data.by, 'closed', 'the schedule is back');
  },
);
