/** The runner's break feed (lib/dialer/steps/break-feed.ts): completed breaks for predictive's breakLaw. Pure, no Redis. */
import t from 'tap';
import { BreakFeed } from '../../../lib/dialer/steps/break-feed';

const MIN = 60_000;

t.test('a break seen by two campaigns ends once for each, with its length', async (t) => {
  const f = new BreakFeed();
  f.seen('c1', [{ since: 1000, agentId: 'a' }]);
  f.seen('c2', [{ since: 1000, agentId: 'a' }]);
  f.seen('c1', [{ since: 1000, agentId: 'a' }]);
  t.equal(f.size, 1);
  const ended = f.agentState({ agentId: 'a', from: 'break', to: 'ready', at: 1000 + 15 * MIN });
  t.same(
    ended.map((e) => e.campaignId),
    ['c1', 'c2'],
  );
  t.same(ended[0]!.event, { type: 'breakEnded', at: 1000 + 15 * MIN, breakMs: 15 * MIN, returned: true, agentId: 'a' });
  t.equal(f.size, 0, 'forgotten once ended');
  t.same(f.agentState({ agentId: 'a', from: 'break', to: 'ready', at: 2000 + 15 * MIN }), [], 'ends once');
});

t.test('an agent logging out from a break: a break that did not return', async (t) => {
  const f = new BreakFeed();
  f.seen('c1', [{ since: 0, agentId: 'a' }]);
  const [e] = f.agentState({ agentId: 'a', from: 'break', to: 'logged_out', at: 40 * MIN });
  t.equal(e?.event.returned, false);
  t.equal(e?.event.breakMs, 40 * MIN);
});

t.test('what the feed does not follow feeds nobody', async (t) => {
  const f = new BreakFeed();
  f.seen('c1', [{ since: 0 }]);
  t.equal(f.size, 0, 'no agent id: not followed');
  t.same(f.agentState({ agentId: 'b', from: 'break', to: 'ready', at: MIN }), [], 'a break no tick saw');
  f.seen('c1', [{ since: 0, agentId: 'a' }]);
  t.same(f.agentState({ agentId: 'a', from: 'ready', to: 'reserved', at: MIN }), [], 'not a break ending');
  t.equal(f.size, 1);
  // A new since: a new break (the last one's end was missed); the old one is dropped, not measured.
  f.seen('c2', [{ since: 5 * MIN, agentId: 'a' }]);
  const ended = f.agentState({ agentId: 'a', from: 'break', to: 'ready', at: 20 * MIN });
  t.same(
    ended.map((e) => [e.campaignId, e.event.breakMs]),
    [['c2', 15 * MIN]],
  );
});
