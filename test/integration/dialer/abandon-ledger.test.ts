/** The abandon ledger: dial-close.lua counts live answers and abandons per hour; the window is summed from it. */
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { abandonWindow } from '../../../lib/store/abandon-ledger';
import { withLedger } from '../../../lib/dialer/steps/campaign-tick';
import { startTestRedis } from '../../helpers/redis';

const HOUR = 3_600_000;

t.test('live answers and abandons are kept per hour and summed over the campaign window', async (t) => {
  const { redis } = await startTestRedis(t);
  const q = new DialQueue(redis, 'lw');
  const now = Date.parse('2026-12-04T12:30:00Z');
  // Three attempts: an abandon 3 days ago, a live answer 2 h ago, an abandon now.
  const when = [now - 72 * HOUR, now - 2 * HOUR, now];
  const abandonedAt = [true, false, true];
  await q.enqueue(
    'L',
    when.map((_, i) => ({ contactId: String(i), phone: `+8131234000${i}`, phoneType: 'landline', timeZone: '', score: i })),
  );
  const claims = await q.claim({ now: when[0]!, n: 3, leaseMs: 60_000, owner: 'A', lists: ['L'], filters: { maxAttempts: 3 } });
  for (const [i, c] of claims.entries()) {
    t.ok(await q.begin(c.attemptId, 'A', when[i]!, 60_000));
    t.ok(
      await q.close({
        attemptId: c.attemptId,
        code: abandonedAt[i] ? 14 : 20,
        now: when[i]!,
        final: true,
        nextAt: 0,
        live: true,
        abandoned: abandonedAt[i]!,
        data: {},
      }),
    );
  }
  t.same(await abandonWindow(redis, 'lw', now, 24), { live: 2, abandoned: 1, windowHours: 24 }, 'Ofcom: the last 24 h');
  t.same(await abandonWindow(redis, 'lw', now, 720), { live: 3, abandoned: 2, windowHours: 720 }, 'FCC/TSR: 30 days');
  t.same(await abandonWindow(redis, 'lw', now + 40 * 24 * HOUR, 720), { live: 0, abandoned: 0, windowHours: 720 }, 'old hours drop out');
  t.equal(Object.keys(await redis.hgetall('c:{c:lw}:abandon-ledger')).length, 0, 'and are trimmed');

  const est = { abandon: { live: 1, abandoned: 0, rate: 0, expected: 0.2, windowMs: 86_400_000 } };
  t.same(
    withLedger(est, { live: 3, abandoned: 2, windowHours: 720 })!.abandon,
    { live: 3, abandoned: 2, rate: 2 / 3, expected: 0.2, windowMs: 86_400_000 },
    'the ledger replaces what this process saw',
  );
  t.equal(withLedger(est, undefined), est);
});
