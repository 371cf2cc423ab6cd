/**
 * SMS over SIP MESSAGE against SIPp playing the mobile network
 * (sipp-scenarios/uas-message.xml): what was sent, statuses, threading of
 * replies, keywords (STOP / HELP / START / free text, case and spaces) and
 * the opt-out landing on the shared do-not-contact list for SMS and voice.
 */
import t from 'tap';
import { startTestRedis } from '../../helpers/redis';
import { dncAudit, getDncEntry, isDoNotCall, makeEntry, putDncEntries } from '../../../lib/store/dnc';
import { getMessage, getCounters } from '../../../lib/store/messages';
import { createCampaign, progress, setState } from '../../../lib/messaging/manage';
import { OPT_OUT_REPLY, OPT_IN_REPLY } from '../../../lib/messaging/service';
import { makeContacts, receivedBodies, sipChannel, startMessageCarrier, startWithChannels, until } from './fixture';

t.test('SIP MESSAGE channel with SIPp as the mobile network', async (t) => {
  const { redis } = await startTestRedis(t);
  const carrier = await startMessageCarrier(t);
  const { m, events } = await startWithChannels(t, redis, { sms: sipChannel(carrier.sipp.address) });
  const svc = m.service;

  await t.test('free text reply is threaded to the message sent and changes no list', async (t) => {
    const { message } = await svc.trigger({
      kind: 'sms',
      to: '03-1200-0004',
      template: 'Hello {{name}}, your parcel {{ref}} arrives today',
      data: { name: 'Ann', ref: 'P-77' },
    });
    t.equal(message.status, 'accepted');
    t.equal(message.to, '+81312000004', 'number normalised to E.164');
    t.equal(message.body, 'Hello Ann, your parcel P-77 arrives today');
    const reply = await until('reply event', () => events.find((e) => e.type === 'message.reply' && e.data.from === '+81312000004'));
    t.equal(reply.data.threadedTo, message.id);
    t.equal(reply.data.action, 'none');
    const stored = await until('reply on the record', async () =>
      (await getMessage(redis, message.id))?.replies === 1 ? getMessage(redis, message.id) : null,
    );
    t.equal(stored!.lastReply!.body, 'Running 10 minutes late, see you soon');
    t.ok(receivedBodies(carrier.trace()).includes('Hello Ann, your parcel P-77 arrives today'), 'SIPp received the body as sent');
    t.equal((await isDoNotCall(redis, { phone: '+81312000004', channel: 'sms', now: new Date() })).listed, false);
  });

  await t.test('a 404 from the trunk is a permanent rejection', async (t) => {
    const { message } = await svc.trigger({ kind: 'sms', to: '+81312000005', template: 'Hi' });
    t.equal(message.status, 'rejected');
    t.match(message.error, /404/);
  });

  await t.test('STOP opts out of SMS and voice, audited with the inbound message, confirmed once', async (t) => {
    const { message } = await svc.trigger({ kind: 'sms', to: '+81312000001', template: 'Appointment tomorrow 10:00' });
    const out = await until('optout', () => events.find((e) => e.type === 'message.optout' && e.data.phone === '+81312000001'));
    t.same(out.data.channels, ['sms', 'voice']);
    t.equal(out.data.threadedTo, message.id);
    const entry = await getDncEntry(redis, {}, '+81312000001');
    t.same(entry!.channels, ['sms', 'voice']);
    t.equal(
      (await isDoNotCall(redis, { phone: '+81312000001', channel: 'voice', now: new Date() })).listed,
      true,
      'voice campaigns see it',
    );
    const audit = await dncAudit(redis, {}, { phone: '+81312000001' });
    t.equal(audit[0]!.source, `sms:${String(out.data.inboundId)}`, 'audit names the inbound message');
    await until('confirmation at SIPp', () => receivedBodies(carrier.trace()).includes(OPT_OUT_REPLY));
    // The phone does not answer our confirmation (it carries In-Reply-To), so exactly one arrives.
    await new Promise((r) => setTimeout(r, 300));
    t.equal(receivedBodies(carrier.trace()).filter((b) => b === OPT_OUT_REPLY).length, 1);
    const again = await svc.trigger({ kind: 'sms', to: '+81312000001', template: 'Another one' });
    t.equal(again.message.status, 'skipped', 'next message to the number is skipped at send time');
    t.match(again.message.skipReason, /do-not-contact/);
    t.notOk(receivedBodies(carrier.trace()).includes('Another one'), 'and never reaches the trunk');
  });

  await t.test('"  stop  " in lower case with spaces is an opt-out too', async (t) => {
    await svc.trigger({ kind: 'sms', to: '+81312000006', template: 'Hi there' });
    const out = await until('optout', () => events.find((e) => e.type === 'message.optout' && e.data.phone === '+81312000006'));
    t.equal(out.data.keyword, 'STOP');
  });

  await t.test('HELP is answered with the help text', async (t) => {
    await svc.trigger({ kind: 'sms', to: '+81312000002', template: 'Your code is 1234' });
    await until('help text at SIPp', () =>
      receivedBodies(carrier.trace()).includes('Acme reminders. Call 03-1234-5678. Reply STOP to opt out.'),
    );
    t.equal((await isDoNotCall(redis, { phone: '+81312000002', channel: 'sms', now: new Date() })).listed, false);
    t.pass('help answered');
  });

  await t.test('STOP then START removes only what the opt-out added', async (t) => {
    const now = new Date();
    // A complaint had already barred voice calls; the SMS opt-in must not lift it.
    await putDncEntries(
      redis,
      {},
      [makeEntry({ phone: '+81312000007', channels: ['voice'], reason: 'complaint 2024-05' }, { region: 'JP', actor: 'supervisor', now })],
      { actor: 'supervisor', now },
    );
    await svc.trigger({ kind: 'sms', to: '+81312000007', template: 'Survey: how did we do?' });
    const out = await until('optout', () => events.find((e) => e.type === 'message.optout' && e.data.phone === '+81312000007'));
    t.same(out.data.channels, ['sms'], 'voice was already there');
    const back = await until('optin', () => events.find((e) => e.type === 'message.optin' && e.data.phone === '+81312000007'));
    t.same(back.data.channels, ['sms']);
    const entry = await getDncEntry(redis, {}, '+81312000007');
    t.same(entry!.channels, ['voice']);
    t.equal(entry!.reason, 'complaint 2024-05');
    t.equal(entry!.addedBy, 'supervisor');
    await until('opt-in confirmation', () => receivedBodies(carrier.trace()).includes(OPT_IN_REPLY));
  });

  await t.test('a message campaign skips opted-out and invalid contacts and reports progress', async (t) => {
    await makeContacts(redis, 'msg-list', [
      { id: 'a', phone: '03-1200-0004', name: 'Ann', attributes: { slot: '10:00' } },
      { id: 'b', phone: '03-1200-0001', name: 'Bob', attributes: { slot: '11:00' } }, // opted out above
      { id: 'c', phone: '03-1200-0009', name: 'Cy' }, // no slot: template gap
      { id: 'd', phone: '03-1200-0019', name: 'Di', attributes: { msg: 'Di, your own text' } },
    ]);
    await createCampaign(redis, {
      id: 'remind',
      name: 'remind',
      kind: 'sms',
      listId: 'msg-list',
      template: 'Hi {{name}}, see you at {{slot}}',
      messageField: 'msg',
      ratePerSec: 50,
    });
    await setState(redis, 'remind', 'start');
    const p = await until('campaign completed', async () => {
      const x = await progress(redis, 'remind');
      return x.state === 'completed' ? x : null;
    });
    t.equal(p.total, 4);
    t.equal(p.processed, 4);
    t.equal(p.counters.accepted, 2);
    t.equal(p.counters.skipped, 2);
    const bodies = receivedBodies(carrier.trace());
    t.ok(bodies.includes('Hi Ann, see you at 10:00'));
    t.ok(bodies.includes('Di, your own text'), 'per-contact message column wins');
    t.notOk(
      bodies.some((b) => b.startsWith('Hi Bob') || b.startsWith('Hi Cy')),
      'nothing sent to skipped contacts',
    );
    const c = await getCounters(redis, 'remind');
    t.equal(c.created, 4);
  });
});
