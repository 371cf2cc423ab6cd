/**
 * One rule in two places: "may a contact be dialled now in its own zone's
 * calling hours, and if not, from when" is decided in TS (decideDialTime, the
 * re-check at dial time) and inside the claim script (dial-claim.lua, given the
 * rule per zone by zoneTable). Both run on the same table of cases here, so
 * they cannot drift apart; the script also counts no attempt for a contact it
 * puts back.
 */
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { decideDialTime, zoneTable } from '../../../lib/dialer/steps/dial-time';
import type { BusinessHours } from '../../../lib/rules/hours';
import { startTestRedis } from '../../helpers/redis';

const weekdays = (from: string, to: string) => {
  const r = [{ from, to }];
  return { mon: r, tue: r, wed: r, thu: r, fri: r };
};
const HOURS: Record<string, BusinessHours> = {
  nineToFive: { timeZone: 'Asia/Tokyo', days: weekdays('09:00', '17:00') },
  split: {
    timeZone: 'Asia/Tokyo',
    days: {
      ...weekdays('10:00', '12:00'),
      wed: [
        { from: '10:00', to: '12:00' },
        { from: '13:00', to: '24:00' },
      ],
      sun: [{ from: '02:30', to: '04:00' }],
    },
  },
  never: { timeZone: 'Asia/Tokyo', days: {} },
};
const ZONES = ['', 'Asia/Tokyo', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Mars/Olympus'];
const INSTANTS = [
  '2026-12-07T03:00:00Z', // Mon 12:00 Tokyo, 03:00 London, Sun 22:00 New York
  '2026-12-07T00:00:00Z', // Mon 09:00:00.000 Tokyo: the opening minute itself
  '2026-12-07T07:59:59Z', // Mon 16:59:59 Tokyo: the last second
  '2026-12-07T08:00:00Z', // Mon 17:00 Tokyo: closed
  '2026-12-11T12:00:00Z', // Fri evening Tokyo, noon London
  '2026-12-09T04:30:00Z', // Wed 13:30 Tokyo (split hours' second range)
  '2026-03-08T06:45:00Z', // Sun 01:45 New York: the next 02:30 falls in the DST gap
  '2026-10-04T15:45:00Z', // Sun 02:15 Lord Howe (half-hour DST change that night)
];

interface Case {
  hours: string;
  zone: string;
  at: string;
}
const CASES: Case[] = [];
for (const hours of Object.keys(HOURS)) for (const zone of ZONES) for (const at of INSTANTS) CASES.push({ hours, zone, at });

t.test('TS and Lua agree on who may be dialled now, and from when', async (t) => {
  const { redis } = await startTestRedis(t);
  let later = 0;
  for (const [i, c] of CASES.entries()) {
    const hours = HOURS[c.hours]!;
    const now = Date.parse(c.at);
    const name = `${c.hours} ${c.zone || "(campaign's)"} ${c.at}`;
    const ts = decideDialTime({ phone: '+81312345678', timeZone: c.zone, hours, dnc: { listed: false }, now });
    const q = new DialQueue(redis, `hz${i}`);
    await q.enqueue('L', [{ contactId: 'x', phone: '+81312345678', phoneType: 'landline', timeZone: c.zone, score: 0 }]);
    const claims = await q.claim({
      now,
      n: 1,
      leaseMs: 1000,
      owner: 'A',
      lists: ['L'],
      filters: { maxAttempts: 3 },
      hours: (zones) => zoneTable(hours, zones, now),
    });
    const ct = await q.contactState('L:x');
    if (ts.action === 'dial') {
      t.equal(claims.length, 1, `${name}: dial`);
      t.equal(claims[0]?.hoursCheckedAt, now, `${name}: the claim says when it applied the hours`);
      t.equal(ct.state, 'inflight', name);
    } else {
      later++;
      t.equal(ts.action, 'later', name);
      if (ts.action !== 'later') continue;
      t.equal(claims.length, 0, `${name}: not dialled`);
      t.equal(ct.state, 'queued', `${name}: back in its queue`);
      t.equal(Number(ct.score), ts.at, `${name}: until ${new Date(ts.at).toISOString()}`);
      t.equal(Number(await redis.zscore(`c:{c:hz${i}}:queue:L`, 'x')), ts.at, `${name}: queued at that instant`);
      t.equal(ct.attempts, '0', `${name}: no attempt counted`);
      t.equal((await q.counters()).seq, undefined, `${name}: no attempt made`);
    }
  }
  t.ok(later > 20 && later < CASES.length - 20, `both outcomes covered (${later} of ${CASES.length} put back)`);
});

t.test('a contact put back is claimed when its zone opens', async (t) => {
  const { redis } = await startTestRedis(t);
  const hours = HOURS.nineToFive!;
  const q = new DialQueue(redis, 'open');
  await q.enqueue('L', [{ contactId: 'x', phone: '+442071234567', phoneType: 'landline', timeZone: 'Europe/London', score: 5 }]);
  const claimAt = (now: number) =>
    q.claim({ now, n: 1, leaseMs: 1000, owner: 'A', lists: ['L'], filters: { maxAttempts: 3 }, hours: (z) => zoneTable(hours, z, now) });
  const opens = Date.parse('2026-12-07T09:00:00Z');
  t.same(await claimAt(Date.parse('2026-12-07T03:00:00Z')), []);
  t.same(await claimAt(opens - 1), [], 'not a millisecond early');
  t.same(
    await q.claimDetailed({ now: opens - 1, n: 1, leaseMs: 1000, owner: 'A', lists: ['L'], filters: { maxAttempts: 3 } }),
    { claims: [], nextEligibleAt: opens },
    'nothing eligible now, and when the next is (why nothing dials)',
  );
  const [c] = await claimAt(opens);
  t.match(c, { ref: 'L:x', attemptNo: 1, timeZone: 'Europe/London' }, 'claimed at 09:00 London, first attempt');
});

t.test('the zones set: kept by the enqueue, refilled for contacts queued before it, several zones in one claim', async (t) => {
  const { redis } = await startTestRedis(t);
  const hours = HOURS.nineToFive!;
  const now = Date.parse('2026-12-07T03:00:00Z'); // open in Tokyo, closed in London and New York
  const q = new DialQueue(redis, 'mix');
  const zones = ['Asia/Tokyo', 'Europe/London', 'America/New_York', ''];
  await q.enqueue(
    'L',
    Array.from({ length: 12 }, (_, i) => ({
      contactId: `c${i}`,
      phone: `+8131234${i}`,
      phoneType: 'landline',
      timeZone: zones[i % 4]!,
      score: i,
    })),
  );
  t.same(
    (await redis.smembers('c:{c:mix}:zones')).sort(),
    ['America/New_York', 'Asia/Tokyo', 'Europe/London'],
    'the enqueue kept the zones',
  );
  // Contacts queued before the set was kept (or a zone added between the read and the claim): the script asks.
  await redis.del('c:{c:mix}:zones');
  const asked: string[][] = [];
  const claims = await q.claim({
    now,
    n: 10,
    leaseMs: 1000,
    owner: 'A',
    lists: ['L'],
    filters: { maxAttempts: 3 },
    hours: (z) => {
      asked.push([...z]);
      return zoneTable(hours, z, now);
    },
  });
  t.same(
    claims.map((c) => c.contactId),
    ['c0', 'c3', 'c4', 'c7', 'c8', 'c11'],
    "Tokyo's and the campaign's own zone's contacts, in order",
  );
  t.same(asked[0], [], 'the set was empty');
  t.same(asked.slice(1), [['Asia/Tokyo'], ['Europe/London'], ['America/New_York']], 'each missing zone asked about once, as met');
  t.same((await redis.smembers('c:{c:mix}:zones')).sort(), ['America/New_York', 'Asia/Tokyo', 'Europe/London'], 'the set refilled');
  t.equal(await redis.zcard('c:{c:mix}:queue:L'), 6, 'London and New York put back');
  t.equal((await q.counters()).seq, 6, 'one attempt per claim, none for those put back');
});

t.test('without hours the claim applies none (callbacks: checked before their agent is reserved)', async (t) => {
  const { redis } = await startTestRedis(t);
  const q = new DialQueue(redis, 'nohours');
  await q.enqueue('L', [{ contactId: 'x', phone: '+442071234567', phoneType: 'landline', timeZone: 'Europe/London', score: 0 }]);
  const [c] = await q.claim({
    now: Date.parse('2026-12-07T03:00:00Z'),
    n: 1,
    leaseMs: 1000,
    owner: 'A',
    lists: ['L'],
    filters: { maxAttempts: 3 },
  });
  t.match(c, { ref: 'L:x' });
  t.equal(c?.hoursCheckedAt, undefined, 'and says so: decideDialTime checks them');
});
