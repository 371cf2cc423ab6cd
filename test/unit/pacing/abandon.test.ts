import t from 'tap';
import { abandonDeadline, decideAnswered, DEFAULT_ABANDON_THRESHOLD_MS } from '../../../lib/pacing';

t.test('a live answer is reserved, waits inside the threshold, or is abandoned with code 14', async (t) => {
  const g = 100_000;
  const rows = [
    { now: g, ready: 2, expect: { action: 'reserve' } },
    { now: g + 5000, ready: 1, expect: { action: 'reserve' } }, // an agent is there: late is better than abandon
    { now: g, ready: 0, expect: { action: 'wait', deadline: g + 2000 } },
    { now: g + 1999, ready: 0, expect: { action: 'wait', deadline: g + 2000 } },
    { now: g + 2000, ready: 0, expect: { action: 'abandon', resultCode: 14 } },
    { now: g + 9000, ready: 0, expect: { action: 'abandon', resultCode: 14 } },
  ];
  for (const r of rows)
    t.same(
      decideAnswered({ now: r.now, verdictAt: g, verdictGapMs: 0, readyAgents: r.ready }),
      r.expect,
      `${r.now - g} ms, ${r.ready} ready`,
    );
  t.equal(DEFAULT_ABANDON_THRESHOLD_MS, 2000, 'FCC 64.1200(a)(7): 2 s after the greeting');
});

t.test('the threshold is per campaign', async (t) => {
  t.same(decideAnswered({ now: 2500, verdictAt: 0, verdictGapMs: 0, readyAgents: 0, thresholdMs: 3000 }), {
    action: 'wait',
    deadline: 3000,
  });
  t.same(decideAnswered({ now: 0, verdictAt: 0, verdictGapMs: 0, readyAgents: 0, thresholdMs: 0 }), { action: 'abandon', resultCode: 14 });
});

t.test("the detector's post-greeting wait is spent of the threshold (one rule for the call flow and the simulator)", async (t) => {
  t.equal(abandonDeadline(10_000, 2000, 800), 11_200);
  t.equal(abandonDeadline(10_000, 2000, 2500), 10_000, 'never before the verdict');
  t.same(decideAnswered({ now: 11_199, verdictAt: 10_000, verdictGapMs: 800, readyAgents: 0 }), { action: 'wait', deadline: 11_200 });
  t.same(decideAnswered({ now: 11_200, verdictAt: 10_000, verdictGapMs: 800, readyAgents: 0 }), { action: 'abandon', resultCode: 14 });
});

t.test('bad input is refused', async (t) => {
  t.throws(() => decideAnswered({ now: 0, verdictAt: 0, verdictGapMs: 0, readyAgents: 0, thresholdMs: -1 }), /threshold/);
  t.throws(() => decideAnswered({ now: NaN, verdictAt: 0, verdictGapMs: 0, readyAgents: 0 }), /numeric/);
});
