/**
 * The messaging API with e-mail through SMTP to an in-process server
 * (smtp-server): trigger with idempotency keys, bad input refused with
 * nothing sent, an e-mail campaign over a contact list with do-not-contact
 * and invalid contacts skipped and exported, and the SMS length check.
 */
import t from 'tap';
import { SMTPServer } from 'smtp-server';
import { build, auth } from '../../helpers/app';
import { freePort } from '../../../lib/store';
import { makeEntry, putDncEntries } from '../../../lib/store/dnc';
import { makeContacts, until } from './fixture';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

async function startSmtp(t: { teardown(fn: () => unknown): void }): Promise<{ port: number; mails: Mail[]; release: () => void }> {
  const mails: Mail[] = [];
  // A recipient at slow.example is answered only when the test says so (a server taking its time).
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (address.address.endsWith('@bounce.example')) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      if (address.address.endsWith('@slow.example')) return void gate.then(() => cb());
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { port, mails, release };
}

t.test('messaging API with SMTP', async (t) => {
  const smtp = await startSmtp(t);
  const { app } = await build(t, {
    messaging: { tickMs: 50, maxBodyChars: 500, smtp: { url: `smtp://127.0.0.1:${smtp.port}`, from: 'notices@acme.example' } },
  });
  await makeContacts(app.redis, 'customers', [
    { id: 'k1', phone: '03-1200-1001', name: 'Ann', attributes: { email: 'ann@example.com', due: '2024-06-30' } },
    { id: 'k2', phone: '03-1200-1002', name: 'Bob', attributes: { email: 'bob@example.com', due: '2024-07-01' } },
    { id: 'k3', phone: '03-1200-1003', name: 'Cy', attributes: { due: '2024-07-02' } },
    { id: 'k4', phone: '03-1200-1004', name: 'Di', attributes: { email: 'not-an-address', due: '2024-07-03' } },
    { id: 'k5', phone: '03-1200-1005', name: 'Ed', attributes: { email: 'ed@bounce.example', due: '2024-07-04' } },
  ]);
  const send = (body: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/messages', headers: { ...auth('supervisor'), ...headers }, payload: body });

  await t.test('trigger sends once per idempotency key', async (t) => {
    const body = {
      kind: 'email',
      listId: 'customers',
      contactId: 'k1',
      subject: 'Payment due {{due}}',
      template: 'Dear {{name}}, your payment is due on {{due}}.',
    };
    const first = await send(body, { 'idempotency-key': 'invoice-881' });
    t.equal(first.statusCode, 202, first.body);
    const m = first.json().message;
    t.equal(m.status, 'queued', 'accepted for sending; the outcome comes later');
    t.equal(m.to, 'ann@example.com');
    await until(
      'accepted',
      async () => (await app.inject({ method: 'GET', url: `/messages/${m.id}`, headers: auth('supervisor') })).json().status === 'accepted',
    );
    t.equal(smtp.mails.length, 1);
    const mail = smtp.mails[0]!;
    t.equal(mail.from, 'notices@acme.example');
    t.same(mail.to, ['ann@example.com']);
    t.match(mail.raw, /Subject: Payment due 2024-06-30/);
    t.match(mail.raw, /Dear Ann, your payment is due on 2024-06-30\./);
    t.match(
      mail.raw,
      new RegExp(`Message-ID: <${m.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@acme\\.example>`),
      'Message-ID in the sending domain',
    );
    const again = await send(body, { 'idempotency-key': 'invoice-881' });
    t.equal(again.statusCode, 200);
    t.equal(again.json().replayed, true);
    t.equal(again.json().message.id, m.id);
    t.equal(smtp.mails.length, 1, 'the retry did not send again');
    const other = await send({ ...body, template: 'Something else' }, { 'idempotency-key': 'invoice-881' });
    t.equal(other.statusCode, 409);
    t.match(other.json().message, /different message/);
    const got = await app.inject({ method: 'GET', url: `/messages/${m.id}`, headers: auth('supervisor') });
    t.equal(got.json().status, 'accepted');
  });

  await t.test('bad input is refused and nothing is sent', async (t) => {
    const before = smtp.mails.length;
    const missing = await send({
      kind: 'email',
      to: 'x@example.com',
      subject: 'Hi',
      template: 'Dear {{name}}, {{amount}} due',
      data: { name: 'X' },
    });
    t.equal(missing.statusCode, 400);
    t.match(missing.json().message, /amount/);
    t.equal(missing.json().details.field, 'template');
    const badAddr = await send({ kind: 'email', to: 'john@@example', subject: 'Hi', template: 'Hello' });
    t.equal(badAddr.statusCode, 400);
    t.match(badAddr.json().message, /not an e-mail address/);
    const badNumber = await send({ kind: 'sms', to: '12ab', template: 'Hello' });
    t.equal(badNumber.statusCode, 400);
    t.match(badNumber.json().message, /phone/);
    const tooLong = await send({ kind: 'email', to: 'x@example.com', subject: 'Hi', template: 'x'.repeat(501) });
    t.equal(tooLong.statusCode, 400);
    t.match(tooLong.json().message, /501 characters; at most 500/);
    const noSubject = await send({ kind: 'email', to: 'x@example.com', template: 'Hello' });
    t.equal(noSubject.statusCode, 400);
    const noSms = await send({ kind: 'sms', to: '090-1234-5678', template: 'Hello' });
    t.equal(noSms.statusCode, 503, 'no SMS channel configured here');
    const unknown = await send({ kind: 'email', listId: 'customers', contactId: 'nobody', subject: 'x', template: 'x' });
    t.equal(unknown.statusCode, 404);
    t.equal(smtp.mails.length, before, 'not one mail went out');
    const bounced = await send({ kind: 'email', listId: 'customers', contactId: 'k5', subject: 'Hi', template: 'Hello {{name}}' });
    t.equal(bounced.statusCode, 202);
    const rejected = await until('rejected', async () => {
      const r = (await app.inject({ method: 'GET', url: `/messages/${bounced.json().message.id}`, headers: auth('supervisor') })).json();
      return r.status === 'rejected' ? r : null;
    });
    t.match(rejected.error, /550/, 'server refused the recipient: reported on GET');
  });

  await t.test('the request is not held while the channel takes its time: 202 at once, the outcome later', async (t) => {
    const before = smtp.mails.length;
    const r = await send({ kind: 'email', to: 'zoe@slow.example', subject: 'Hi', template: 'Hello' });
    t.equal(r.statusCode, 202, 'answered while the SMTP server has not answered the recipient yet');
    const id = r.json().message.id as string;
    t.equal(r.json().message.status, 'queued');
    const get = () => app.inject({ method: 'GET', url: `/messages/${id}`, headers: auth('supervisor') });
    t.equal((await get()).json().status, 'queued', 'still queued while the server waits');
    smtp.release();
    await until('accepted', async () => (await get()).json().status === 'accepted');
    t.equal(smtp.mails.length, before + 1, 'sent once the server answered');
  });

  await t.test('an e-mail campaign skips do-not-contact and invalid contacts; skipped are exportable', async (t) => {
    const now = new Date();
    await putDncEntries(app.redis, {}, [makeEntry({ phone: '03-1200-1002', channels: ['email'] }, { region: 'JP', actor: 't', now })], {
      actor: 't',
      now,
    });
    const create = await app.inject({
      method: 'POST',
      url: '/message-campaigns',
      headers: auth('supervisor'),
      payload: {
        id: 'dunning',
        name: 'dunning',
        kind: 'email',
        listId: 'customers',
        subject: 'Reminder for {{name}}',
        template: 'Your payment is due on {{due}}.',
        ratePerSec: 100,
      },
    });
    t.equal(create.statusCode, 201, create.body);
    const start = await app.inject({ method: 'POST', url: '/message-campaigns/dunning/start', headers: auth('supervisor') });
    t.equal(start.json().state, 'running');
    const prog = await until('completed', async () => {
      const r = (await app.inject({ method: 'GET', url: '/message-campaigns/dunning/progress', headers: auth('supervisor') })).json();
      return r.state === 'completed' ? r : null;
    });
    t.equal(prog.total, 5);
    t.equal(prog.processed, 5);
    t.equal(prog.counters.accepted, 1, 'Ann only');
    t.equal(prog.counters.rejected, 1, 'Ed bounced');
    t.equal(prog.counters.skipped, 3, 'Bob (DNC), Cy (no address), Di (bad address)');
    const csv = await app.inject({ method: 'GET', url: '/message-campaigns/dunning/export?status=skipped', headers: auth('supervisor') });
    t.equal(csv.statusCode, 200);
    t.match(csv.headers['content-type'], /text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    t.equal(lines.length, 4, 'header + 3 skipped');
    t.match(
      lines.find((l) => l.includes(',k2,')),
      /do-not-contact/,
    );
    t.match(
      lines.find((l) => l.includes(',k3,')),
      /no e-mail address/,
    );
    t.match(
      lines.find((l) => l.includes(',k4,')),
      /not an e-mail address/,
    );
    const edit = await app.inject({
      method: 'PATCH',
      url: '/message-campaigns/dunning',
      headers: auth('supervisor'),
      payload: { ratePerSec: 5 },
    });
    t.equal(edit.statusCode, 409, 'a completed campaign is not edited');
  });

  await t.test('campaign input errors', async (t) => {
    const r = await app.inject({
      method: 'POST',
      url: '/message-campaigns',
      headers: auth('supervisor'),
      payload: {
        id: 'x1',
        name: 'x',
        kind: 'sms',
        listId: 'customers',
        template: 'Hi {{name',
        keywords: [{ keyword: 'stop', reply: 'no' }],
      },
    });
    t.equal(r.statusCode, 400);
    t.match(r.json().message, /unbalanced/);
    t.match(r.json().message, /reserved/);
    const nolist = await app.inject({
      method: 'POST',
      url: '/message-campaigns',
      headers: auth('supervisor'),
      payload: { id: 'x2', name: 'x', kind: 'sms', listId: 'nope', template: 'Hi' },
    });
    t.equal(nolist.statusCode, 404);
  });

  await t.test('SMS length check warns for a linked SMS beyond one segment', async (t) => {
    const long = await app.inject({
      method: 'POST',
      url: '/messages/check',
      headers: auth('supervisor'),
      payload: { kind: 'sms', text: `Your parcel is on its way. Track it here: https://t.example/abc123 ${'x'.repeat(110)}` },
    });
    t.equal(long.json().encoding, 'GSM-7');
    t.equal(long.json().warnings.length, 1);
    t.match(long.json().warnings[0], /over the 160/);
    const jp = await app.inject({
      method: 'POST',
      url: '/messages/check',
      headers: auth('supervisor'),
      payload: { kind: 'sms', text: `ご予約の確認はこちら https://t.example/r/1 ${'あ'.repeat(50)}` },
    });
    t.equal(jp.json().encoding, 'UCS-2');
    t.match(jp.json().warnings[0], /over the 70/);
    const ok = await app.inject({
      method: 'POST',
      url: '/messages/check',
      headers: auth('supervisor'),
      payload: { kind: 'sms', text: 'Short https://t.example/a {{name}}' },
    });
    t.same(ok.json().warnings, []);
    t.same(ok.json().fields, ['name']);
  });
});
