/**
 * One rule in two places: "a contact with attempts left may be dialled" is
 * decided in TS (decideRetry, when an attempt closes) and in Lua (dial-claim,
 * when max attempts was lowered while paused). Both run on the same table of
 * cases here, so they cannot drift apart.
 */
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { decideRetry } from '../../../lib/rules/retry';
import { startTestRedis } from '../../helpers/redis';

const CASES: { attempts: number; maxAttempts: number }[] = [];
for (const maxAttempts of [1, 2, 3, 5]) for (let attempts = 0; attempts <= 6; attempts++) CASES.push({ attempts, maxAttempts });

t.test('TS and Lua agree on who may be dialled again', async (t) => {
  const { redis } = await startTestRedis(t);
  for (const [i, c] of CASES.entries()) {
    const q = new DialQueue(redis, `ma${i}`);
    await q.enqueue('L', [{ contactId: 'x', phone: '+81312345678', phoneType: 'landline', timeZone: '', score: 0 }]);
    await redis.hset(`c:{c:ma${i}}:ct:L:x`, 'attempts', String(c.attempts));
    const lua =
      (await q.claim({ now: 1, n: 1, leaseMs: 1000, owner: 'A', lists: ['L'], filters: { maxAttempts: c.maxAttempts } })).length === 1;
    // TS: after attempt number `attempts` ended with a retried code (busy), is the contact dialled again?
    const ts = c.attempts === 0 || !decideRetry(3, c.attempts, { maxAttempts: c.maxAttempts, retryIntervalSec: 0 }, 0).final;
    t.equal(lua, ts, `attempts ${c.attempts}, max ${c.maxAttempts}: ${ts ? 'dial' : 'done'}`);
  }
});
