import t from 'tap';
import { ladder, numArg } from '../../../bench/lib/ladder';

t.test('a cap below the first step is one stage at the cap, not an empty ramp', async (t) => {
  t.same(ladder([50, 100, 200], 40), [40]);
});

t.test('a cap between steps keeps the steps below and adds the cap', async (t) => {
  t.same(ladder([25, 50, 100, 150], 120), [25, 50, 100, 120]);
  t.same(ladder([25, 50, 100, 150], 100), [25, 50, 100]);
  t.same(ladder([25, 50, 100, 150], 1000), [25, 50, 100, 150], 'a cap above the ladder bounds it');
});

t.test('a cap of 0 runs no stage', async (t) => {
  t.same(ladder([10, 20], 0), []);
});

t.test('numArg reads an option, defaults when absent, names a bad one', async (t) => {
  t.equal(numArg(['--max-rate', '40'], '--max-rate', 3200), 40);
  t.equal(numArg([], '--max-rate', 3200), 3200);
  t.throws(() => numArg(['--max-rate'], '--max-rate', 1), /--max-rate needs a number/);
  t.throws(() => numArg(['--max-rate', 'x'], '--max-rate', 1), /--max-rate needs a number/);
});
