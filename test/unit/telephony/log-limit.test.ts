import t from 'tap';
import { LogLimiter } from '../../../lib/sip/log-limit';

t.test('at most `burst` warnings per window, then one line with the count left out', async (t) => {
  const l = new LogLimiter(3, 1000);
  const logged = Array.from({ length: 10 }, (_, i) => l.take(i).log);
  t.same(logged, [true, true, true, false, false, false, false, false, false, false]);
  t.equal(l.suppressedTotal, 7);
  t.same(l.take(1000), { log: true, flushed: 7 }, 'the next window says how many were left out, once');
  t.same(l.take(1001), { log: true, flushed: 0 });
  t.equal(l.suppressedTotal, 7);
});
