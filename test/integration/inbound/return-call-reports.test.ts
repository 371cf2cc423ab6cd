/**
 * Return-call reports (issue 18) agree with the history they read: attempts
 * written through the real close path (DialQueue claim/begin/close, Lua on a
 * real Redis) and return calls linked through the real inbound-link.lua,
 * from a plan whose expected numbers the test works out itself. Days follow
 * the campaign's time zone (or `timeZone`); CSV like the other reports.
 */
import t from 'tap';
import { parse } from 'csv-parse/sync';
import { DialQueue } from '../../../lib/store/dial-queue';
import { linkInbound } from '../../../lib/store/inbound';
import { auth, build } from '../../helpers/app';

const H = 3_600_000;
// 2026-12-01 10:00 in Tokyo (01:00 UTC).
const T0 = Date.UTC(2026, 11, 1, 1, 0);
// code per contact, and whether the attempt is final (a final one is not retried).
const PLAN: [string, number, boolean][] = [
  ['k0', 2, false], // no answer → calls back twice on day 1 (the first closes its retry)
  ['k1', 3, false], // busy → calls back late on day 1 UTC, which is day 2 in Tokyo (retry left pending)
  ['k2', 20, true], // connected → calls back anyway: a return call, but not a non-answered number
  ['k3', 4, false], // answering machine → never calls back
  ['k4', 2, false], // no answer → never calls back
];

t.test('return calls per campaign and day, and the share of non-answered numbers that called back', async (t) => {
  const { app } = await build(t);
  const redis = app.redis;
  const post = (url: string, body: unknown) =>
    app.inject({ method: 'POST', url, headers: { ...auth('admin'), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  t.equal((await post('/campaigns', { id: 'rc', name: 'rc' })).statusCode, 201);
  t.equal((await post('/campaigns', { id: 'quiet', name: 'quiet' })).statusCode, 201);

  const q = new DialQueue(redis, 'rc');
  await q.enqueue(
    'L1',
    PLAN.map(([contactId], i) => ({ contactId, phone: `+8131234000${i}`, phoneType: 'landline', timeZone: '', score: i })),
  );
  const claims = await q.claim({ now: T0 - H, n: PLAN.length, leaseMs: 24 * H, owner: 'test', lists: ['L1'], filters: { maxAttempts: 3 } });
  t.equal(claims.length, PLAN.length);
  for (const c of claims) {
    const [, code, final] = PLAN.find(([id]) => `L1:${id}` === c.ref)!;
    t.ok(await q.begin(c.attemptId, 'test', T0 - 60_000, 24 * H));
    t.ok(
      await q.close({
        attemptId: c.attemptId,
        code,
        now: T0,
        final,
        nextAt: final ? 0 : T0 + 48 * H,
        live: code === 20,
        abandoned: false,
        talkMs: code === 20 ? 30_000 : 0,
        data: { startedAt: T0 - 60_000, phone: c.phone },
      }),
    );
  }
  const link = (ref: string, at: number, close: boolean) =>
    linkInbound(redis, 'rc', `L1:${ref}`, `in-${ref}-${at}`, at, close, { did: '+81312340009' });
  t.equal((await link('k0', T0 + H, true)).outcome, 'closed', 'the first return call closes k0 pending retry');
  t.equal((await link('k0', T0 + 2 * H, true)).outcome, 'done', 'the second finds it done');
  t.equal((await link('k2', T0 + 3 * H, true)).outcome, 'done');
  t.equal((await link('k1', T0 + 15 * H, false)).outcome, 'pending', 'k1 (16:00 UTC = 01:00 next day in Tokyo), retry kept');

  const get = (url: string, role: 'supervisor' | 'agent' = 'supervisor') => app.inject({ method: 'GET', url, headers: auth(role) });
  const r = await get('/reports/campaigns/rc/return-calls');
  t.equal(r.statusCode, 200, r.body);
  t.same(r.json().campaigns, [
    {
      campaignId: 'rc',
      timeZone: 'Asia/Tokyo',
      returnCalls: 4,
      callers: 3,
      retriesClosed: 1,
      nonAnswered: 4,
      calledBack: 2,
      calledBackShare: 0.5,
    },
  ]);
  t.same(r.json().days, [
    { campaignId: 'rc', day: '2026-12-01', returnCalls: 3, callers: 2, retriesClosed: 1 },
    { campaignId: 'rc', day: '2026-12-02', returnCalls: 1, callers: 1, retriesClosed: 0 },
  ]);

  const utc = await get('/reports/campaigns/rc/return-calls?timeZone=UTC');
  t.same(
    (utc.json().days as { day: string; returnCalls: number }[]).map((d) => [d.day, d.returnCalls]),
    [['2026-12-01', 4]],
    'in UTC all four fall on 1 December',
  );
  const ranged = await get(`/reports/campaigns/rc/return-calls?from=${T0 - H}&to=${T0 + 2 * H}`);
  t.match(ranged.json().campaigns[0], { returnCalls: 1, callers: 1, nonAnswered: 4, calledBack: 1, calledBackShare: 0.25 }, 'range');

  const all = await get('/reports/return-calls');
  t.same(
    (all.json().campaigns as { campaignId: string; returnCalls: number; calledBackShare: number | null }[]).map((c) => [
      c.campaignId,
      c.returnCalls,
      c.calledBackShare,
    ]),
    [
      ['quiet', 0, null],
      ['rc', 4, 0.5],
    ],
    'every campaign; one without non-answered numbers has no share',
  );

  const csv = await get('/reports/return-calls?campaign=rc&format=csv');
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /text\/csv/);
  t.same(parse(csv.rawPayload.subarray(3), { columns: true }), [
    { campaign_id: 'rc', day: '2026-12-01', return_calls: '3', callers: '2', retries_closed: '1' },
    { campaign_id: 'rc', day: '2026-12-02', return_calls: '1', callers: '1', retries_closed: '0' },
  ]);
  const sum = await get('/reports/campaigns/rc/return-calls?format=csv&table=campaigns&encoding=shift_jis');
  t.match(sum.headers['content-type'], /Shift_JIS/);
  t.same(parse(sum.rawPayload, { columns: true }), [
    {
      campaign_id: 'rc',
      return_calls: '4',
      callers: '3',
      retries_closed: '1',
      non_answered_numbers: '4',
      called_back: '2',
      called_back_share: '0.5',
    },
  ]);

  t.equal((await get('/reports/return-calls', 'agent')).statusCode, 403, 'supervisors only');
  const badZone = await get('/reports/return-calls?timeZone=Mars/Olympus');
  t.equal(badZone.statusCode, 400);
  t.match(badZone.json().message, /querystring\.timeZone/);
  t.equal((await get('/reports/campaigns/nope/return-calls')).statusCode, 404);
  t.equal((await get('/reports/return-calls?from=2026-12-02&to=2026-12-01')).statusCode, 400);
});
