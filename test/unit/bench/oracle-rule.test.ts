import t from 'tap';
import { withinRule } from '../../../bench/sim/oracle-rule';
import pacing from '../../../bench/pacing';

t.test('the pooled rule reads the pooled rate only; the shift rule allows 1 % of the shifts over the cap', async (t) => {
  const run = (abandonRate: number, shifts: number, over: number) => ({ abandonRate, shifts, shiftsWithinCap: shifts - over });
  t.ok(withinRule(run(0.03, 200, 90), 0.03, 'pooled'), 'pooled: 3.0 % is within, whatever the shifts');
  t.notOk(withinRule(run(0.0301, 200, 0), 0.03, 'pooled'));
  t.notOk(withinRule(run(0.0301, 200, 0), 0.03, 'shifts'), 'the shift rule needs the pooled cap too');
  t.ok(withinRule(run(0.02, 200, 2), 0.03, 'shifts'), '2 of 200 is 1 %');
  t.notOk(withinRule(run(0.02, 200, 3), 0.03, 'shifts'));
  t.ok(withinRule(run(0.02, 100, 1), 0.03, 'shifts'));
  t.notOk(withinRule(run(0.02, 99, 1), 0.03, 'shifts'), 'under 100 shifts none may be over');
  t.notOk(withinRule(run(NaN, 10, 0), 0.03, 'shifts'), 'no live answers measured is not within');
});

t.test('the shift-rule oracle is refused outside a --shifts --oracle run', async (t) => {
  await t.rejects(pacing(['--shift-rule-oracle', '--only', 'a5-live10-talk60']), /needs --shifts --oracle/);
  await t.rejects(pacing(['--shifts', '--shift-rule-oracle', '--only', 'a5-live10-talk60']), /needs --shifts --oracle/);
});
