import t from 'tap';
import { loadConfig } from '../../../lib/config';
import { createEstimator, estimates, observe, observeAll, type PacingEvent } from '../../../lib/pacing';

const MIN = 60_000;

t.test('live rate, ring-time laws, talk and wrap-up from events', async (t) => {
  const evs: PacingEvent[] = [];
  // 8 calls: 2 live (rings 5 s and 11 s), 6 others (3 busy at 2 s, 3 no answer at 40 s)
  evs.push({ type: 'resolved', at: 1000, ringMs: 5000, live: true }, { type: 'resolved', at: 2000, ringMs: 11_000, live: true });
  for (let i = 0; i < 3; i++)
    evs.push(
      { type: 'resolved', at: 3000 + i, ringMs: 2000, live: false },
      { type: 'resolved', at: 4000 + i, ringMs: 40_000, live: false },
    );
  evs.push(
    { type: 'talkEnded', at: 5000, talkMs: 100_000 },
    { type: 'talkEnded', at: 6000, talkMs: 200_000 },
    { type: 'wrapEnded', at: 7000, wrapMs: 15_000 },
  );
  const s = observeAll(createEstimator({ bucketMs: MIN }), evs);
  const e = estimates(s, 10_000);
  t.equal(e.resolved, 8);
  t.equal(e.live, 2);
  t.equal(e.liveRate, 0.25);
  t.equal(e.liveRingCdf[4], 0, 'no live answer within 5 s (bin 5–6 s holds the first)');
  t.equal(e.liveRingCdf[5], 0.5);
  t.equal(e.liveRingCdf[11], 1);
  t.equal(e.otherRingCdf[2], 0.5, 'busy at 2 s is half of the others');
  t.equal(e.otherRingCdf[39], 0.5);
  t.equal(e.otherRingCdf[40], 1);
  t.equal(e.meanLiveRingMs, 8500, 'bin midpoints 5.5 s and 11.5 s');
  t.same(e.talk, { n: 2, meanMs: 150_000, sdMs: Math.sqrt(5e9) });
  t.same(e.wrap, { n: 1, meanMs: 15_000, sdMs: 0 });
});

t.test('abandon rate counts code 14 over live answers, in the window and since the start', async (t) => {
  let s = createEstimator({ bucketMs: MIN, abandonWindowMs: 10 * MIN });
  for (let i = 0; i < 40; i++) s = observe(s, { type: 'resolved', at: i * 1000, ringMs: 8000, live: true });
  s = observe(s, { type: 'abandoned', at: 41_000 });
  s = observe(s, { type: 'abandoned', at: 42_000 });
  let e = estimates(s, 60_000);
  t.same(e.abandon, {
    live: 40,
    abandoned: 2,
    rate: 0.05,
    expected: 0,
    // The model's own calls' (calibrationOwnCalls): an untold abandon counts as the model's.
    abandonedOwn: 2,
    expectedOwn: 0,
    windowMs: 10 * MIN,
    riskCalls: 0,
    riskSum: 0,
    learntCalls: 0,
    learntSum: 0,
  });
  // 20 minutes later, 60 more live answers: the window holds only these, the shift holds all.
  for (let i = 0; i < 60; i++) s = observe(s, { type: 'resolved', at: 20 * MIN + i * 1000, ringMs: 8000, live: true });
  e = estimates(s, 21 * MIN);
  t.same(e.abandon, {
    live: 60,
    abandoned: 0,
    rate: 0,
    expected: 0,
    abandonedOwn: 0,
    expectedOwn: 0,
    windowMs: 10 * MIN,
    riskCalls: 0,
    riskSum: 0,
    learntCalls: 0,
    learntSum: 0,
  });
  t.same(e.shift, { live: 100, abandoned: 2, rate: 0.02 });
});

t.test('the abandons the model expected are summed for its calibration', async (t) => {
  let s = createEstimator({ bucketMs: MIN });
  s = observe(s, { type: 'placed', at: 1000, calls: 3, expectedAbandons: 0.25 });
  s = observe(s, { type: 'placed', at: 2000, calls: 1, expectedAbandons: 0.5 });
  t.equal(estimates(s, 3000).abandon.expected, 0.75);
  t.throws(() => observe(s, { type: 'placed', at: 0, calls: 1, expectedAbandons: -1 }), /expectedAbandons/);
});

t.test('windows roll: old samples leave each window on its own schedule', async (t) => {
  let s = createEstimator({ bucketMs: MIN, rateWindowMs: 5 * MIN, handleWindowMs: 30 * MIN });
  s = observe(s, { type: 'resolved', at: 0, ringMs: 3000, live: true });
  s = observe(s, { type: 'talkEnded', at: 0, talkMs: 60_000 });
  t.equal(estimates(s, 4 * MIN).live, 1, 'inside 5 min');
  t.equal(estimates(s, 6 * MIN).live, 0, 'out of the 5 min rate window');
  t.equal(estimates(s, 6 * MIN).talk.n, 1, 'still in the 30 min talk window');
  t.equal(estimates(s, 31 * MIN).talk.n, 0);
  // a much later event prunes buckets no window can see
  s = observe(s, { type: 'resolved', at: 24 * 60 * MIN, ringMs: 3000, live: false });
  t.ok(s.buckets.length <= 2, `pruned to ${s.buckets.length} buckets`);
});

t.test('observe never changes its input (the state is a value) and survives JSON', async (t) => {
  const s0 = createEstimator();
  const s1 = observe(s0, { type: 'resolved', at: 1000, ringMs: 4000, live: true });
  const before = JSON.stringify(s1);
  const s2 = observe(s1, { type: 'resolved', at: 2000, ringMs: 4000, live: true });
  t.equal(JSON.stringify(s1), before);
  t.equal(s0.buckets.length, 0);
  t.equal(estimates(s2, 3000).live, 2);
  const revived = JSON.parse(JSON.stringify(s2));
  t.same(estimates(revived, 3000), estimates(s2, 3000));
});

t.test('a late event counts in the newest bucket, rings past the last bin in the last bin', async (t) => {
  let s = createEstimator({ bucketMs: MIN, ringBins: 10 });
  s = observe(s, { type: 'resolved', at: 5 * MIN, ringMs: 1000, live: false });
  s = observe(s, { type: 'resolved', at: 1 * MIN, ringMs: 99_000, live: false });
  const e = estimates(s, 5 * MIN);
  t.equal(e.resolved, 2);
  t.equal(e.otherRingCdf[8], 0.5);
  t.equal(e.otherRingCdf[9], 1);
});

t.test('bad events and settings are refused with the field named', async (t) => {
  const s = createEstimator();
  t.throws(() => observe(s, { type: 'resolved', at: 0, ringMs: -1, live: true }), /ringMs/);
  t.throws(() => observe(s, { type: 'talkEnded', at: 0, talkMs: NaN }), /talkMs/);
  t.throws(() => observe(s, { type: 'wrapEnded', at: NaN, wrapMs: 1 }), /time/);
  t.throws(() => observe(s, { type: 'nope', at: 0 } as unknown as PacingEvent), /unknown pacing event/);
  t.throws(() => createEstimator({ bucketMs: 0 }), /bucketMs/);
  t.throws(() => createEstimator({ ringBins: 2.5 }), /ringBins/);
});

t.test('dialer.pacing config has the defaults and feeds the estimator', async (t) => {
  const c = loadConfig({ env: {} });
  t.same(c.dialer.pacing.estimator, {
    bucketMs: 300_000,
    rateWindowMs: 1_800_000,
    handleWindowMs: 3_600_000,
    abandonWindowMs: 86_400_000,
    agentWindowMs: 14_400_000,
    breakWindowMs: 86_400_000,
    ringBinMs: 1000,
    ringBins: 120,
  });
  t.equal(c.dialer.pacing.predictive.safetyMargin, 0.15);
  t.ok(createEstimator(c.dialer.pacing.estimator));
  t.throws(() => loadConfig({ env: { DIALER_DIALER__PACING__PREDICTIVE__SAFETY_MARGIN: '1.5' } }), /safetyMargin/);
});

t.test('the recent dialling rate: calls resolved per ms over the part of the rate window seen so far', async (t) => {
  const evs: PacingEvent[] = [];
  for (let i = 0; i < 120; i++) evs.push({ type: 'resolved', at: 60 * MIN + i * 5000, ringMs: 10_000, live: i % 4 === 0 });
  const s = observeAll(createEstimator({ bucketMs: MIN, rateWindowMs: 30 * MIN }), evs);
  // 120 calls over 10 minutes (a call every 5 s), the window 30 minutes: the rate is over the 10 minutes seen.
  t.equal(estimates(s, 70 * MIN).resolvedPerMs, 120 / (10 * MIN));
  // 40 minutes on, the window holds 20 of those minutes of which the last 10 are silent.
  const later = estimates(s, 100 * MIN);
  t.ok(later.resolvedPerMs < 120 / (10 * MIN), 'the silence since lowers it');
  t.equal(estimates(createEstimator(), 0).resolvedPerMs, 0, 'no samples: 0');
});

t.test(
  'the per-bucket series of resolved calls and live answers, oldest first, back over a day (a tracked live rate reads it)',
  async (t) => {
    let s = createEstimator({ bucketMs: MIN, rateWindowMs: 5 * MIN });
    s = observe(s, { type: 'resolved', at: 500, ringMs: 8000, live: true });
    s = observe(s, { type: 'resolved', at: 700, ringMs: 40_000, live: false });
    s = observe(s, { type: 'abandoned', at: 800 });
    s = observe(s, { type: 'resolved', at: 10 * MIN + 5, ringMs: 40_000, live: false });
    s = observe(s, { type: 'talkEnded', at: 12 * MIN, talkMs: 60_000 });
    const e = estimates(s, 12 * MIN + 1);
    t.equal(e.resolved, 1, 'the rate window holds the last call only');
    t.same(
      e.liveSeries,
      [
        { start: 0, resolved: 2, live: 1 },
        { start: 10 * MIN, resolved: 1, live: 0 },
      ],
      'older buckets than the rate window, and none without a resolved call',
    );
    t.same(estimates(s, 25 * 3600_000).liveSeries, [], 'a day later: nothing');
  },
);

t.test("each agent's pace from the talks and wrap-ups that name the agent, over the agent window", async (t) => {
  const s0 = createEstimator({ bucketMs: MIN, agentWindowMs: 60 * MIN });
  // No event names an agent: no paces (the estimates are as before).
  const anon = observeAll(s0, [{ type: 'talkEnded', at: 0, talkMs: 60_000 }]);
  t.notOk('agentPace' in estimates(anon, MIN));
  // Agent a talks twice as long as b and c and wraps up as long as they do; d has no call yet (not in the paces:
  // predictive gives an agent it has no pace for the team's law).
  const evs: PacingEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const jitter = 0.8 + (i % 5) / 10;
    evs.push({ type: 'talkEnded', at: i * 1000, talkMs: 240_000 * jitter, agentId: 'a' });
    evs.push({ type: 'talkEnded', at: i * 1000, talkMs: 120_000 * jitter, agentId: 'b' });
    evs.push({ type: 'talkEnded', at: i * 1000, talkMs: 120_000 * jitter, agentId: 'c' });
    for (const id of ['a', 'b', 'c']) evs.push({ type: 'wrapEnded', at: i * 1000 + 1, wrapMs: 20_000 * jitter, agentId: id });
  }
  const s = observeAll(s0, evs);
  const p = estimates(s, MIN).agentPace!;
  t.same(Object.keys(p).sort(), ['a', 'b', 'c']);
  t.ok(p.a!.talk > 1.3 && p.b!.talk < 0.85, `a slower than the team (${p.a!.talk.toFixed(3)}), b faster (${p.b!.talk.toFixed(3)})`);
  t.equal(p.a!.talks, 40);
  t.same([p.a!.wrap, p.b!.wrap, p.c!.wrap], [1, 1, 1], 'the same wrap-ups: the team law');
  t.equal(estimates(s, MIN).talk.n, 120, 'the team law still counts every talk');
  // Out of the 60 min agent window (a later event rolls the buckets): no pace left.
  const later = observe(s, { type: 'resolved', at: 90 * MIN, ringMs: 1000, live: false });
  t.notOk('agentPace' in estimates(later, 90 * MIN));
  t.ok(JSON.parse(JSON.stringify(s)), 'the state with agents is still a JSON value');
  t.same(estimates(JSON.parse(JSON.stringify(s)), MIN).agentPace, p);
});
