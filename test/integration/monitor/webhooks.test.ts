/**
 * Webhook delivery survives a receiver that is down: a local HTTP receiver
 * refuses (503, then a closed port), then accepts; every event arrives, in
 * order, each with a valid signature. Also: replay, dead letters, formatters.
 */
import t from 'tap';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import pino from 'pino';
import { freePort } from '../../../lib/store';
import { validateConfig } from '../../../lib/config';
import {
  WebhookWorker,
  appendToLog,
  createSubscription,
  formatEvent,
  listDeadLetters,
  readLog,
  setCursor,
  verifySignature,
  NOTICE_TYPES,
  type WebhookEvent,
} from '../../../lib/notify/webhooks';
import { startTestRedis } from '../../helpers/redis';
import { auth, build } from '../../helpers/app';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

/** A receiver whose answer the test switches: 'refuse' answers 503. */
async function receiver(port: number, mode: { answer: 'accept' | 'refuse' }) {
  const got: Received[] = [];
  let refused = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (mode.answer === 'refuse') {
        refused++;
        res.writeHead(503).end('down for maintenance');
        return;
      }
      got.push({ body, headers: req.headers });
      res.writeHead(204).end();
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { got, server, refusedCount: () => refused };
}

const waitFor = async (cond: () => boolean, what: string, ms = 15000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const config = validateConfig({
  monitor: { webhooks: { backoffBaseMs: 20, backoffMaxMs: 200, maxAttempts: 100, pollMs: 50, timeoutMs: 2000 } },
});
const log = pino({ level: 'silent' });

t.test('receiver down, then up: nothing lost or reordered, signatures valid', async (t) => {
  const { redis } = await startTestRedis(t);
  const port = await freePort();
  const sub = await createSubscription(redis, {
    url: `http://127.0.0.1:${port}/hook`,
    events: ['call.', 'campaign.completed'],
    campaigns: ['c1'],
  });
  // Events before the receiver exists at all (connection refused).
  const sent: string[] = [];
  const emit = async (type: string, campaignId: string, i: number) => {
    const id = await appendToLog(redis, { type, at: Date.now(), campaignId, data: { seq: i, campaignId } }, 10000);
    if (campaignId === 'c1' && (type.startsWith('call.') || type === 'campaign.completed')) sent.push(id);
  };
  for (let i = 0; i < 5; i++) await emit('call.ended', 'c1', i);
  await emit('call.ended', 'other', 99);
  await emit('agent.state', 'c1', 98);

  const worker = new WebhookWorker({ redis, log, config: config.monitor.webhooks, owner: 'w1' });
  worker.start();
  t.teardown(() => worker.stop());
  await waitFor(() => worker.stats.failedAttempts >= 3, 'refused attempts');

  // The receiver comes up but refuses with 503 for a while.
  const mode = { answer: 'refuse' as 'accept' | 'refuse' };
  const rx = await receiver(port, mode);
  t.teardown(() => rx.server.close());
  for (let i = 5; i < 10; i++) await emit(i % 2 ? 'call.started' : 'call.ended', 'c1', i);
  await waitFor(() => rx.refusedCount() >= 3, '503 answers');
  t.equal(rx.got.length, 0, 'nothing accepted yet');

  mode.answer = 'accept';
  await emit('campaign.completed', 'c1', 10);
  await waitFor(() => rx.got.length >= sent.length, 'all deliveries');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(rx.got.length, sent.length, 'each event delivered once after the receiver accepted');
  t.same(
    rx.got.map((g) => g.headers['x-dialer-event-id']),
    sent,
    'in log order, nothing lost, nothing foreign',
  );
  t.same(
    rx.got.map((g) => JSON.parse(g.body).data.seq),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  for (const g of rx.got) {
    const v = verifySignature(sub.secret, g.headers['x-dialer-signature'] as string, g.body, Date.now());
    t.ok(v.ok, `signature of ${String(g.headers['x-dialer-event-id'])}`);
    t.equal(String(v.ok && v.timestamp), g.headers['x-dialer-timestamp']);
  }
  t.notOk(
    verifySignature('wrong-secret', rx.got[0]!.headers['x-dialer-signature'] as string, rx.got[0]!.body, Date.now()).ok,
    'another secret fails',
  );
  t.notOk(
    verifySignature(sub.secret, rx.got[0]!.headers['x-dialer-signature'] as string, rx.got[0]!.body + ' ', Date.now()).ok,
    'a changed body fails',
  );
  t.notOk(
    verifySignature(sub.secret, rx.got[0]!.headers['x-dialer-signature'] as string, rx.got[0]!.body, Date.now() + 3600_000).ok,
    'an old signature fails',
  );
  t.ok(Number(rx.got[0]!.headers['x-dialer-delivery-attempt']) > 1, 'the first event needed retries');

  // Replay from a position: the last three again, in order.
  const before = rx.got.length;
  await setCursor(redis, sub.id, sent[sent.length - 4]!);
  worker.poke();
  await waitFor(() => rx.got.length >= before + 3, 'replayed events');
  t.same(
    rx.got.slice(before).map((g) => g.headers['x-dialer-event-id']),
    sent.slice(-3),
  );
});

t.test('an event refused every time goes to the dead-letter view and delivery goes on', async (t) => {
  const { redis } = await startTestRedis(t);
  const port = await freePort();
  const got: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const seq = JSON.parse(body).data.seq;
      if (seq === 1) return void res.writeHead(400).end('bad');
      got.push(String(seq));
      res.writeHead(200).end();
    });
  }).listen(port, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const sub = await createSubscription(redis, { url: `http://127.0.0.1:${port}/`, events: ['*'] });
  for (let i = 0; i < 3; i++) await appendToLog(redis, { type: 'call.ended', at: Date.now(), campaignId: 'c', data: { seq: i } }, 1000);
  const worker = new WebhookWorker({ redis, log, config: { ...config.monitor.webhooks, maxAttempts: 3 }, owner: 'w' });
  worker.start();
  t.teardown(() => worker.stop());
  await waitFor(() => got.length === 2, 'the other events');
  t.same(got, ['0', '2']);
  const dead = await listDeadLetters(redis, sub.id);
  t.equal(dead.length, 1);
  t.match(dead[0], { type: 'call.ended', attempts: 3, lastStatus: 400, lastError: 'HTTP 400' });
  const log2 = await readLog(redis, '0-0', 10);
  t.equal(dead[0]!.eventId, log2[1]!.id);
});

t.test('API: subscribe, list without secrets, replay, dead letters, validation', async (t) => {
  const { app } = await build(t);
  const bad = await app.inject({
    method: 'POST',
    url: '/webhooks',
    headers: auth('admin'),
    payload: { url: 'http://127.0.0.1:9/x', events: ['call.ended'], format: 'slack' },
  });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().message, /notices only/);
  const unknown = await app.inject({
    method: 'POST',
    url: '/webhooks',
    headers: auth('admin'),
    payload: { url: 'http://127.0.0.1:9/x', events: ['call.nope'] },
  });
  t.equal(unknown.statusCode, 400);
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/webhooks',
        headers: auth('supervisor'),
        payload: { url: 'http://127.0.0.1:9/x', events: ['*'] },
      })
    ).statusCode,
    403,
  );
  const created = await app.inject({
    method: 'POST',
    url: '/webhooks',
    headers: auth('admin'),
    payload: {
      url: 'http://127.0.0.1:9/x',
      events: ['campaign.completed'],
      format: 'line',
      lineTo: 'U123',
      headers: { authorization: 'Bearer line-token' },
    },
  });
  t.equal(created.statusCode, 201, created.body);
  const c = created.json();
  t.ok(c.secret.length >= 32, 'secret shown once');
  const listed = (await app.inject({ url: '/webhooks', headers: auth('admin') })).json();
  t.equal(listed.webhooks.length, 1);
  t.notOk('secret' in listed.webhooks[0], 'secret not listed');
  t.same(listed.webhooks[0].headerNames, ['authorization']);
  const replay = await app.inject({ method: 'POST', url: `/webhooks/${c.id}/replay`, headers: auth('admin'), payload: { from: '0-0' } });
  t.equal(replay.json().cursor, '0-0');
  t.same((await app.inject({ url: `/webhooks/${c.id}/dead-letters`, headers: auth('admin') })).json(), { deadLetters: [] });
  t.equal((await app.inject({ method: 'DELETE', url: `/webhooks/${c.id}`, headers: auth('admin') })).statusCode, 204);
  t.equal((await app.inject({ url: `/webhooks/${c.id}`, headers: auth('admin') })).statusCode, 404);
});

t.test('chat formatters carry seed 004 notices', async (t) => {
  const ev = (type: string, data: Record<string, unknown>, agentId?: string): WebhookEvent => ({
    id: '1-0',
    type,
    at: Date.UTC(2025, 0, 2, 3, 4, 5),
    campaignId: 'spring',
    agentId,
    data,
  });
  const events = [
    ev('campaign.completed', {}),
    ev('campaign.abandon-warning', { rate: 0.026, abandoned: 13, live: 500, capPct: 3 }),
    ev('callback.due', { contactId: 'k7', dueAt: Date.UTC(2025, 0, 2, 9) }, 'a1'),
    ev('agent.released', { reason: 'released: ready over 60 min' }, 'a2'),
    ev('transfer.failed', { target: 'sip:600@pbx', error: '486 Busy Here' }, 'a1'),
    ev('message.reply', { from: '+819012345678', body: 'Running late', action: 'none' }),
    // Return calls (issue 18): seed 004's "inbound call handled by IVR" and transfer succeeded.
    ev('transfer.succeeded', { target: 'sip:desk@pbx', caller: '+819011112222', how: 'forward-busy' }),
    ev('inbound.ivr', { caller: '+819011112222', did: '+81312345678', target: 'sip:bot@ivr' }),
  ];
  t.equal(events.length, NOTICE_TYPES.length);
  t.match(
    JSON.parse(formatEvent('slack', events[5]!).body).text,
    /SMS reply received from \+819012345678: \+819012345678 replied \(campaign spring\): "Running late"/,
  );
  const slack = JSON.parse(formatEvent('slack', events[1]!).body);
  t.match(slack.text, /Abandon rate near the cap: spring/);
  t.match(slack.blocks[1].text.text, /2\.6 % \(13 of 500 live answers\) against a cap of 3 %/);
  const teams = JSON.parse(formatEvent('teams', events[0]!).body);
  t.equal(teams.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
  t.equal(teams.attachments[0].content.body[0].text, 'Campaign spring finished');
  const line = JSON.parse(formatEvent('line', events[3]!, { lineTo: 'U1' }).body);
  t.same(line, {
    to: 'U1',
    messages: [{ type: 'text', text: 'Agent a2 released\nAgent a2 was logged out automatically: released: ready over 60 min.' }],
  });
  const cw = formatEvent('chatwork', events[4]!);
  t.equal(cw.contentType, 'application/x-www-form-urlencoded');
  t.equal(
    new URLSearchParams(cw.body).get('body'),
    '[info][title]Transfer failed (a1)[/title]Transfer to sip:600@pbx failed: 486 Busy Here. The customer is back with the agent.[/info]',
  );
  t.match(
    JSON.parse(formatEvent('slack', events[2]!).body).text,
    /Callback to contact k7 \(campaign spring\) is due at 2025-01-02 09:00:00 UTC/,
  );
  t.match(
    JSON.parse(formatEvent('slack', events[6]!).body).text,
    /Transfer succeeded: Call from \+819011112222 transferred to sip:desk@pbx \(forward-busy\)/,
  );
  t.match(
    JSON.parse(formatEvent('slack', events[7]!).body).text,
    /Inbound call handled by IVR: Call from \+819011112222 to \+81312345678 was handled by the IVR at sip:bot@ivr/,
  );
});
