import t from 'tap';
import { DEFAULT_IDLE_LIMITS, idleDecision, limitFor } from '../../../lib/agents/idle';
import { AGENT_STATES, type AgentState } from '../../../lib/agents/state';

const MIN = 60_000;
const since = 1_700_000_000_000;

t.test("default limits are seed 001's 30/60 minutes", async (t) => {
  t.equal(limitFor('ready', DEFAULT_IDLE_LIMITS), 3600);
  t.equal(limitFor('wrap_up', DEFAULT_IDLE_LIMITS), 1800);
  t.equal(limitFor('break', DEFAULT_IDLE_LIMITS), 3600);
  t.equal(limitFor('away', DEFAULT_IDLE_LIMITS), 1800);
});

t.test('states with a call or without a phone are never released for idleness', async (t) => {
  for (const s of ['logged_out', 'connecting', 'reserved', 'talking'] as AgentState[]) {
    t.same(idleDecision(s, since, since + 10 * 3600 * 1000, DEFAULT_IDLE_LIMITS), { release: false }, s);
  }
});

const cases: [AgentState, number, boolean][] = [
  ['ready', 59, false],
  ['ready', 60, true],
  ['ready', 61, true],
  ['wrap_up', 29, false],
  ['wrap_up', 30, true],
  ['break', 59, false],
  ['break', 60, true],
  ['away', 29, false],
  ['away', 30, true],
];
for (const [state, minutes, release] of cases) {
  t.test(`${state} for ${minutes} min → ${release ? 'released' : 'kept'}`, async (t) => {
    const d = idleDecision(state, since, since + minutes * MIN, DEFAULT_IDLE_LIMITS);
    t.equal(d.release, release);
    if (d.release) t.equal(d.overdueMs, (minutes - limitFor(state, DEFAULT_IDLE_LIMITS)! / 60) * MIN);
    else t.equal(d.dueAt, since + limitFor(state, DEFAULT_IDLE_LIMITS)! * 1000);
  });
}

t.test('reason says the state and the limit', async (t) => {
  const d = idleDecision('wrap_up', since, since + 31 * MIN, DEFAULT_IDLE_LIMITS);
  t.same(d, { release: true, reason: 'wrap-up for more than 30 min', overdueMs: MIN });
  const s = idleDecision('away', since, since + 5000, { ...DEFAULT_IDLE_LIMITS, awaySec: 3 });
  t.same(s, { release: true, reason: 'away for more than 3 s', overdueMs: 2000 });
});

t.test('a limit of 0 means never', async (t) => {
  const limits = { readySec: 0, wrapUpSec: 0, breakSec: 0, awaySec: 0 };
  for (const s of AGENT_STATES) t.equal(idleDecision(s, since, since + 1e9, limits).release, false, s);
});
