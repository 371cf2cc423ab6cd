/**
 * Return calls through drachtio-server + FreeSWITCH (issue 18), live: SIPp
 * customers call DIDs at drachtio-server's SIP port; the freeswitch driver
 * takes the INVITEs (srf.invite), the route decision of lib/inbound applies:
 *  - in hours → the ready agent (SIPp phone, logged in through FreeSWITCH) is
 *    bridged to the caller with the matched contact's screen pop; the agent
 *    hangs up and the caller gets our BYE;
 *  - a message route → the caller hears the WAV and gets our BYE;
 *  - a forward route → a second SIPp answers the forwarded leg;
 *  - a number without a route → 404 (no longer drachtio's own 503);
 *  - a withheld number (From anonymous) is routed and recorded, matched to
 *    no contact, and cannot be put on the DNC list;
 *  - a message route with `dncDigit` 9: the caller presses 9 (RFC 4733 from
 *    SIPp's pcap) and is on the do-not-call list, audited (source inbound-call).
 */
import { join } from 'node:path';
import t from 'tap';
import { makeList } from '../../../lib/demo/store-setup';
import { getAgentLive } from '../../../lib/store/agent-live';
import { putRoute, recentInboundCalls } from '../../../lib/store/inbound';
import { dncAudit, isDoNotCall } from '../../../lib/store/dnc';
import type { LegEvent } from '../../../lib/telephony/contract';
import type { ScreenPop } from '../../../lib/dialer/ports';
import { allDay, inboundCalls, writeMessageWav } from '../../helpers/inbound-calls';
import { startLiveEnv } from '../../helpers/live-freeswitch';
import { liveServersMissing } from '../../helpers/live-servers';
import { sleep, untilWithin } from '../../helpers/wait';

const missing = liveServersMissing();
const until = untilWithin(20_000);

t.test(
  'inbound calls through drachtio + FreeSWITCH: agent, message, forward, 404',
  { skip: missing ?? false, timeout: 180_000 },
  async (t) => {
    const { live, redis, dir, startServices } = await startLiveEnv(t, {
      name: 'e2e-fs-in',
      agents: 1,
      agentGroup: 'returns',
      timeoutS: 170,
    });
    const closedWav = writeMessageWav(join(dir, 'closed.wav'));
    await makeList(redis, 'L', ['0312000014']);

    const services = await startServices();
    const { driver } = services;
    t.equal(driver.name, 'freeswitch');

    const legEvents: LegEvent[] = [];
    driver.onEvent((e) => legEvents.push(e));
    const { events, callIn, far } = inboundCalls(t, {
      inbound: services.inbound,
      remote: `127.0.0.1:${live.drachtio.sipPort}`,
      callerTimeoutS: 120,
      farTimeoutS: 150,
    });
    const pops: ScreenPop[] = [];
    services.desk.on('screen-pop', (e) => pops.push(e.pop));
    // A person who answers and talks 5 s: uas-callee-hangup's 0.8 s was shorter than a loaded host's bridge
    // (test/e2e/freeswitch/inbound-forwards.test.ts lost a forward that way in round twenty-three's CI run).
    const target = await far('uas-forward-target');

    const common = { timeZone: 'UTC', holidays: [], closeRetries: true };
    const msg = { type: 'message' as const, file: closedWav };
    await putRoute(redis, {
      ...common,
      did: '+81312340001',
      bands: allDay({ type: 'agents', groups: ['returns'] }),
      closed: msg,
    });
    await putRoute(redis, { ...common, did: '+81312340002', bands: [], closed: msg });
    await putRoute(redis, { ...common, did: '+81312340003', bands: [], closed: { type: 'forward', to: `sip:desk@${target.address}` } });

    await services.desk.login('ag1');
    await until(
      async () => (await getAgentLive(redis, 'ag1'))?.state === 'ready',
      'agent ag1 ready (its SIPp phone answered through FreeSWITCH)',
    );

    // ---- a number without a route: 404 ----
    const unknown = await callIn('0312349999', '09011110000', { scenario: 'inbound-caller-404' });
    t.equal((await unknown.done).code, 0, 'a DID without a route is refused with 404 through drachtio');

    // ---- in hours: the ready agent, with the screen pop ----
    const caller = await callIn('0312340001', '0312000014');
    await until(() => pops.length === 1, 'screen pop');
    t.match(pops[0], { listId: 'L', contactId: 'c0', name: 'Contact 0', phone: '+81312000014' }, 'screen pop: the matched contact');
    t.match(pops[0]!.inbound, { did: '+81312340001', caller: '+81312000014' });
    await until(async () => (await getAgentLive(redis, 'ag1'))?.state === 'talking', 'agent talking with the caller');
    const callerLeg = legEvents.find(
      (e) => e.type === 'answer' && !legEvents.some((x) => x.type === 'trying' && x.legId === e.legId),
    )?.legId;
    t.ok(callerLeg, "the caller's leg was answered (an inbound leg: no INVITE of ours)");
    await until(
      () => legEvents.some((e) => e.type === 'bridged' && e.legId === callerLeg),
      'the caller bridged to the agent in FreeSWITCH',
    );
    t.ok(driver.mediaUuid(callerLeg!), 'the caller has a FreeSWITCH channel');
    await sleep(500);
    await services.desk.hangupCustomer('ag1');
    t.equal((await caller.done).code, 0, 'the caller got our BYE when the agent hung up');
    t.ok(
      events.some((e) => e.type === 'inbound.answered' && e.data.caller === '+81312000014'),
      'inbound.answered',
    );

    // ---- a message route: the WAV, then our BYE ----
    const closed = await callIn('0312340002', '09011110002');
    t.equal((await closed.done).code, 0, 'the message caller heard the file and got our BYE');
    t.ok(
      events.some((e) => e.type === 'inbound.routed' && e.data.caller === '+819011110002'),
      'routed to the message',
    );

    // ---- forward: a second SIPp answers the forwarded leg ----
    const fwd = await callIn('0312340003', '09011110003');
    t.equal((await target.done).code, 0, 'the forward target took the call');
    t.equal((await fwd.done).code, 0, 'the forwarded caller ended cleanly');
    t.ok(
      events.some((e) => e.type === 'inbound.forwarded' && e.data.caller === '+819011110003'),
      'inbound.forwarded',
    );

    // ---- a withheld number: routed, recorded, matched to no contact, no DNC possible ----
    const anonymous = await callIn('0312340002', 'anonymous');
    t.equal((await anonymous.done).code, 0, 'a withheld caller is routed like any other (the message, our BYE)');
    const withheld = (await recentInboundCalls(redis, 10)).find((c) => c.did === '+81312340002' && c.caller === undefined);
    t.ok(withheld, 'the withheld call is recorded without a caller number');
    t.same(withheld?.contacts, [], 'and matched to no contact');
    await t.rejects(services.inbound.doNotCall(withheld!.id, 'test'), /no caller number \(withheld\)/, 'DNC refused: no number');

    // ---- the message's dncDigit: the caller presses 9 (RFC 4733 through FreeSWITCH) ----
    await putRoute(redis, { ...common, did: '+81312340004', bands: [], closed: { ...msg, dncDigit: '9' } });
    const listed = async () => (await isDoNotCall(redis, { phone: '+819011110004', channel: 'voice', now: new Date() })).listed;
    t.notOk(await listed(), 'not listed before');
    const presses = await callIn('0312340004', '09011110004', {
      scenario: 'inbound-caller-dtmf',
      keys: { dtmf: '/usr/share/sip-tester/dtmf_2833_9.pcap' },
    });
    t.equal((await presses.done).code, 0, 'the caller pressing 9 hears the message out and gets our BYE');
    await until(listed, 'the DNC entry from the digit');
    t.ok(
      events.some((e) => e.type === 'inbound.dnc' && e.data.caller === '+819011110004'),
      'inbound.dnc',
    );
    const audit = await dncAudit(redis, {}, { phone: '+819011110004' });
    t.match(audit[0], { source: 'inbound-call', actor: 'caller (DTMF)', action: 'added' }, 'audited like other DNC sources');

    const log = await recentInboundCalls(redis, 10);
    t.same(
      [...new Set(log.map((c) => c.did))].sort(),
      ['+81312340001', '+81312340002', '+81312340003', '+81312340004', '+81312349999'],
      'every call is in the inbound call log',
    );
  },
);
