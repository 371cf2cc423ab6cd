/**
 * SMS through SMPP against an SMSC run in-process from the same library
 * (node-smpp's server): bind, submit_sm with a receipt requested, delivery
 * receipts to "delivered" / "failed", a long UCS-2 body in message_payload,
 * and a mobile-originated STOP threaded and applied to the DNC list.
 */
import t from 'tap';
import * as smpp from 'smpp';
import { startTestRedis } from '../../helpers/redis';
import { freePort } from '../../../lib/store';
import { getDncEntry } from '../../../lib/store/dnc';
import { getMessage } from '../../../lib/store/messages';
import { SmppChannel, parseReceipt } from '../../../lib/messaging/channels/smpp';
import { silent, startWithChannels, until } from './fixture';

interface Submitted {
  to: string;
  from: string;
  text: string;
  id: string;
  session: smpp.Session;
}

t.test('SMPP channel against an in-process SMSC', async (t) => {
  const { redis } = await startTestRedis(t);
  const port = await freePort();
  const submitted: Submitted[] = [];
  let seq = 0;
  const binds: string[] = [];
  const server = smpp.createServer({}, (session) => {
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu: smpp.PDU) => {
      binds.push(String(pdu.system_id));
      const ok = pdu.system_id === 'acme' && pdu.password === 'secret';
      session.send(pdu.response(ok ? {} : { command_status: smpp.errors.ESME_RBINDFAIL }));
    });
    session.on('submit_sm', (pdu: smpp.PDU) => {
      const dest = String(pdu.destination_addr);
      if (dest.endsWith('5')) return void session.send(pdu.response({ command_status: smpp.errors.ESME_RINVDSTADR }));
      const id = `smsc-${++seq}`;
      const raw = (pdu.message_payload ?? pdu.short_message) as { message: string };
      submitted.push({ to: dest, from: String(pdu.source_addr), text: raw.message, id, session });
      session.send(pdu.response({ message_id: id }));
    });
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => session.send(pdu.response()));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  t.teardown(() => {
    // close() waits for open sessions; the channel may still hold one.
    for (const s of [...server.sessions]) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });

  const channel = new SmppChannel({
    url: `smpp://127.0.0.1:${port}`,
    systemId: 'acme',
    password: 'secret',
    from: 'ACME',
    log: silent,
    timeoutMs: 3000,
  });
  const { m, events } = await startWithChannels(t, redis, { sms: channel }, { smsChannel: 'smpp' });
  t.same(binds, ['acme']);

  const receipt = (s: Submitted, stat: string) =>
    s.session.send(
      new smpp.PDU('deliver_sm', {
        source_addr: s.to,
        destination_addr: s.from,
        esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
        short_message: `id:${s.id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2405011200 done date:2405011201 stat:${stat} err:000 text:`,
      }),
    );

  await t.test('accepted, then delivered by receipt', async (t) => {
    const { message } = await m.service.trigger({ kind: 'sms', to: '+819012345678', template: 'Code {{code}}', data: { code: '4711' } });
    t.equal(message.status, 'accepted');
    const s = submitted.at(-1)!;
    t.equal(s.to, '819012345678', 'international number without +');
    t.equal(s.text, 'Code 4711');
    t.equal(s.from, 'ACME');
    t.equal(message.providerId, s.id);
    receipt(s, 'DELIVRD');
    const done = await until('delivered', async () =>
      (await getMessage(redis, message.id))?.status === 'delivered' ? getMessage(redis, message.id) : null,
    );
    t.same(
      done!.history.map((h) => h.status),
      ['queued', 'accepted', 'delivered'],
    );
    receipt(s, 'UNDELIV');
    await new Promise((r) => setTimeout(r, 200));
    t.equal((await getMessage(redis, message.id))!.status, 'delivered', 'a late contradicting receipt changes nothing');
  });

  await t.test('failed by receipt', async (t) => {
    const { message } = await m.service.trigger({ kind: 'sms', to: '+819012345670', template: 'Hello' });
    receipt(submitted.at(-1)!, 'UNDELIV');
    const done = await until('failed', async () =>
      (await getMessage(redis, message.id))?.status === 'failed' ? getMessage(redis, message.id) : null,
    );
    t.match(done!.error, /UNDELIV/);
  });

  await t.test('refused by the SMSC', async (t) => {
    const { message } = await m.service.trigger({ kind: 'sms', to: '+819012345675', template: 'Hello' });
    t.equal(message.status, 'rejected');
    t.match(message.error, /0x000b/);
  });

  await t.test('a long Japanese body goes whole in message_payload', async (t) => {
    const body = 'ご予約の確認です。'.repeat(15);
    const { message } = await m.service.trigger({ kind: 'sms', to: '+819012345671', template: body });
    t.equal(message.status, 'accepted');
    t.equal(submitted.at(-1)!.text, body);
  });

  await t.test('mobile-originated STOP is threaded and opts the number out', async (t) => {
    const { message } = await m.service.trigger({ kind: 'sms', to: '+819012345672', template: 'Sale today' });
    const s = submitted.at(-1)!;
    s.session.send(
      new smpp.PDU('deliver_sm', { source_addr: '819012345672', source_addr_ton: 1, destination_addr: 'ACME', short_message: 'Stop' }),
    );
    const out = await until('optout', () => events.find((e) => e.type === 'message.optout'));
    t.equal(out.data.threadedTo, message.id);
    t.same((await getDncEntry(redis, {}, '+819012345672'))!.channels, ['sms', 'voice']);
    await until('confirmation submitted', () => submitted.find((x) => x.to === '819012345672' && /unsubscribed/.test(x.text)));
  });
});

t.test('receipt text parsing (SMPP 3.4 Appendix B)', async (t) => {
  t.same(parseReceipt('id:abc123 sub:001 dlvrd:001 submit date:2405011200 done date:2405011201 stat:DELIVRD err:000 text:Hi', {}), {
    id: 'abc123',
    stat: 'DELIVRD',
    err: '000',
  });
  t.same(parseReceipt('', { receiptedId: 'x9', state: 5 }), { id: 'x9', stat: 'UNDELIV', err: undefined });
  t.equal(parseReceipt('hello', {}), undefined);
});
