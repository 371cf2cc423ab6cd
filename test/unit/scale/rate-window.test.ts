import t from 'tap';
import { rateWindow } from '../../../lib/store/limits';

t.test('calls per second become a sliding window of starts', async (t) => {
  t.same(rateWindow(10), { limit: 10, windowMs: 1000 });
  t.same(rateWindow(10, 50), { limit: 10, windowMs: 1050 }, 'the guard lengthens the window');
  t.same(rateWindow(2.7), { limit: 2, windowMs: 1000 }, 'never rounds a rate up');
  t.same(rateWindow(0.5), { limit: 1, windowMs: 2000 }, 'below one per second: one start per 1/rate');
  t.same(rateWindow(0.3, 10), { limit: 1, windowMs: 3344 });
  t.same(rateWindow(0), { limit: 0, windowMs: 0 }, '0 = unlimited');
});
