/** The runner's wrap-up feed: each wrap-up reaches its campaign's estimator with the talk before it. */
import t from 'tap';
import { WrapUpFeed } from '../../../lib/dialer/steps/wrap-up-feed';
import { createEstimator, observe, estimates } from '../../../lib/pacing/estimator';

t.test('a wrap-up ends with the talk its call had', async (t) => {
  const f = new WrapUpFeed();
  f.reserved('ag1', 'c1');
  t.equal(f.agentState({ agentId: 'ag1', from: 'ready', to: 'reserved', at: 1_000 }), undefined);
  t.equal(f.agentState({ agentId: 'ag1', from: 'reserved', to: 'talking', at: 2_000 }), undefined);
  f.talkEnded('ag1', 'c1', 95_000);
  t.equal(f.agentState({ agentId: 'ag1', from: 'talking', to: 'wrap_up', at: 97_000 }), undefined);
  t.equal(f.inWrapUp('c1'), 1);
  t.same(f.agentState({ agentId: 'ag1', from: 'wrap_up', to: 'ready', at: 112_000 }), {
    campaignId: 'c1',
    event: { type: 'wrapEnded', at: 112_000, wrapMs: 15_000, talkMs: 95_000, agentId: 'ag1' },
  });
  t.equal(f.inWrapUp('c1'), 0);
  // Fed once: the agent is no longer tracked.
  t.equal(f.agentState({ agentId: 'ag1', from: 'wrap_up', to: 'ready', at: 113_000 }), undefined);
});

t.test('the wrap-up starting before the close still gets the talk', async (t) => {
  const f = new WrapUpFeed();
  f.reserved('ag1', 'c1');
  f.agentState({ agentId: 'ag1', from: 'talking', to: 'wrap_up', at: 50_000 });
  f.talkEnded('ag1', 'c1', 6_000);
  t.same(f.agentState({ agentId: 'ag1', from: 'wrap_up', to: 'ready', at: 52_000 })?.event, {
    type: 'wrapEnded',
    at: 52_000,
    wrapMs: 2_000,
    talkMs: 6_000,
    agentId: 'ag1',
  });
});

t.test('no talk known: the wrap-up is fed without one; another campaign or a new reservation does not lend its talk', async (t) => {
  const f = new WrapUpFeed();
  f.reserved('ag1', 'c1');
  f.talkEnded('ag1', 'c2', 30_000); // not this agent's campaign
  f.agentState({ agentId: 'ag1', from: 'talking', to: 'wrap_up', at: 10_000 });
  t.same(f.agentState({ agentId: 'ag1', from: 'wrap_up', to: 'ready', at: 14_000 }), {
    campaignId: 'c1',
    event: { type: 'wrapEnded', at: 14_000, wrapMs: 4_000, agentId: 'ag1' },
  });
  f.reserved('ag2', 'c1');
  f.talkEnded('ag2', 'c1', 40_000);
  f.reserved('ag2', 'c1'); // the next call: the last talk is dropped
  f.agentState({ agentId: 'ag2', from: 'talking', to: 'wrap_up', at: 20_000 });
  t.notOk('talkMs' in f.agentState({ agentId: 'ag2', from: 'wrap_up', to: 'ready', at: 21_000 })!.event);
  // An agent never reserved is not tracked.
  t.equal(f.agentState({ agentId: 'ag3', from: 'wrap_up', to: 'ready', at: 1 }), undefined);
});

t.test('the estimator keeps the fed wrap-ups per class of talk', async (t) => {
  const f = new WrapUpFeed();
  let est = createEstimator();
  let at = 0;
  for (const [talkMs, wrapMs] of [
    [6_000, 2_000],
    [120_000, 20_000],
    [130_000, 25_000],
  ]) {
    f.reserved('ag1', 'c1');
    f.talkEnded('ag1', 'c1', talkMs);
    f.agentState({ agentId: 'ag1', from: 'talking', to: 'wrap_up', at: (at += 1_000) });
    est = observe(est, f.agentState({ agentId: 'ag1', from: 'wrap_up', to: 'ready', at: (at += wrapMs) })!.event);
  }
  const e = estimates(est, at);
  const perClass = e.wrapByTalk.map((row) => row.reduce((a, b) => a + b, 0));
  t.equal(
    perClass.reduce((a, b) => a + b, 0),
    3,
  );
  t.equal(perClass[1], 1, 'the 6 s talk is in the 5-10 s class');
  t.equal(perClass[5], 2, 'the two 2-min talks are in the 80-160 s class');
});
