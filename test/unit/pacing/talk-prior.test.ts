/**
 * Round eighteen's `talkPriorMs` (README, pacing): the censored talk mean shrunk toward a prior talk mean by
 * `talkPriorTalks` pseudo-talks (lib/pacing/talk-mean.ts). Off by default; tested at its edges: no ended talk, one,
 * many, and a team of 1; and in the decision, the budget's 1:1 fallback with no abandon that the censored MLE caused.
 */
import t from 'tap';
import {
  createEstimator,
  decideTick,
  estimates,
  observeAll,
  predictiveParams,
  type AgentSnapshot,
  type Estimates,
  type PacingEvent,
  type PredictiveMode,
  type TickInput,
} from '../../../lib/pacing';
import { censoredTalkMean } from '../../../lib/pacing/talk-mean';

const NOW = 10 * 3600_000;

t.test('censoredTalkMean without a prior is the censored MLE, and with one ended talk all the elapsed time', async (t) => {
  const off = { priorMs: 0, priorTalks: 2 };
  t.equal(censoredTalkMean({ ended: 0, endedMeanMs: 0, elapsedMs: 400_000, ...off }), 0, 'no ended talk: nothing known');
  t.equal(censoredTalkMean({ ended: 1, endedMeanMs: 50_000, elapsedMs: 400_000, ...off }), 450_000);
  t.equal(censoredTalkMean({ ended: 4, endedMeanMs: 50_000, elapsedMs: 400_000, ...off }), 150_000);
});

t.test('censoredTalkMean with a prior: the conjugate mean at its edges', async (t) => {
  const prior = { priorMs: 120_000, priorTalks: 2 };
  // No ended talk: the prior and the elapsed time over the pseudo-talks, finite (the MLE has no value there).
  t.equal(censoredTalkMean({ ended: 0, endedMeanMs: 0, elapsedMs: 100_000, ...prior }), 170_000);
  t.equal(censoredTalkMean({ ended: 0, endedMeanMs: 0, elapsedMs: 0, ...prior }), 120_000, 'nothing at all: the prior');
  // One ended talk of 50 s, four talkers 100 s in: the MLE says 450 s, the prior (50 + 400 + 240) ÷ 3 = 230 s.
  t.equal(censoredTalkMean({ ended: 1, endedMeanMs: 50_000, elapsedMs: 400_000, ...prior }), 230_000);
  // Many ended talks: the prior's weight fades and the figure tends to the MLE.
  const many = censoredTalkMean({ ended: 400, endedMeanMs: 180_000, elapsedMs: 1_000_000, ...prior });
  const mle = censoredTalkMean({ ended: 400, endedMeanMs: 180_000, elapsedMs: 1_000_000, priorMs: 0, priorTalks: 2 });
  t.ok(Math.abs(many - mle) / mle < 0.01, `${many} ≈ ${mle}`);
  // A prior at the data's own mean moves nothing.
  t.equal(censoredTalkMean({ ended: 10, endedMeanMs: 90_000, elapsedMs: 0, priorMs: 90_000, priorTalks: 5 }), 90_000);
});

t.test('the options: off by default, checked', async (t) => {
  t.match(predictiveParams({ kind: 'predictive' }), { talkPriorMs: 0, talkPriorTalks: 2 });
  t.throws(() => predictiveParams({ kind: 'predictive', talkPriorMs: -1 }), /talkPriorMs/);
  t.throws(() => predictiveParams({ kind: 'predictive', talkPriorMs: Infinity }), /talkPriorMs/);
  t.throws(() => predictiveParams({ kind: 'predictive', talkPriorTalks: 0 }), /talkPriorTalks/);
});

/**
 * A shift's first minutes: `resolved` calls over 8 min, every tenth live, `ended` talks of 60 s and 90 s ended, as
 * many wrap-ups of 20 s; no abandon.
 */
function early(resolved: number, ended: number): Estimates {
  const evs: PacingEvent[] = [];
  const start = NOW - 8 * 60_000;
  for (let i = 0; i < resolved; i++)
    evs.push({ type: 'resolved', at: start + i * 5000, ringMs: i % 10 === 0 ? 8000 : 40_000, live: i % 10 === 0 });
  for (let i = 0; i < ended; i++) {
    evs.push({ type: 'talkEnded', at: start + 60_000 * (i + 1), talkMs: i % 2 === 0 ? 60_000 : 90_000 });
    evs.push({ type: 'wrapEnded', at: start + 60_000 * (i + 1) + 20_000, wrapMs: 20_000 });
  }
  return estimates(observeAll(createEstimator(), evs), NOW);
}

const talking = (n: number, forMs: number): AgentSnapshot[] =>
  Array.from({ length: n }, () => ({ state: 'talking' as const, since: NOW - forMs }));
const ready = (n: number): AgentSnapshot[] => Array.from({ length: n }, () => ({ state: 'ready' as const, since: NOW - 1000 }));
const tick = (agents: AgentSnapshot[], est: Estimates, mode: PredictiveMode): TickInput => ({
  now: NOW,
  mode,
  agents,
  calls: { ringing: [], queued: [], connected: agents.filter((a) => a.state === 'talking').length },
  caps: { maxSimultaneousCalls: 0 },
  estimates: est,
});
const PRIOR: PredictiveMode = { kind: 'predictive', talkPriorMs: 120_000 };

t.test('off, every figure is as before; on, the handle time is the shrunk one', async (t) => {
  const est = early(100, 2);
  const team = [...ready(1), ...talking(4, 200_000)];
  const def = decideTick(tick(team, est, { kind: 'predictive' }));
  t.same(
    decideTick(tick(team, est, { kind: 'predictive', talkPriorMs: 0, talkPriorTalks: 5 })),
    def,
    'talkPriorTalks alone changes nothing',
  );
  // MLE: (60 + 90 + 4 × 200) ÷ 2 = 475 s, + 20 s wrap-up.
  t.equal(def.trace.figures.handleMs, 495_000);
  t.equal(def.trace.figures.talkEnded, 2);
  // Prior: (150 + 800 + 240) ÷ 4 = 297.5 s, + 20 s.
  t.equal(decideTick(tick(team, est, PRIOR)).trace.figures.handleMs, 317_500);
});

t.test('a 5-agent team with two ended talks and no abandon: the MLE spends the budget, the prior does not', async (t) => {
  const est = early(100, 2);
  t.equal(est.abandon.abandoned, 0);
  t.equal(est.abandon.live, 10);
  const team = [...ready(1), ...talking(4, 200_000)];
  // MLE: 5 × 30 min ÷ 495 s = 18.2 answers expected; 10 + 18.2 < 1 ÷ 3 %: "one more abandon would not fit".
  const def = decideTick(tick(team, est, { kind: 'predictive' }));
  t.match(def.reason, /abandon budget of 3\.0 % spent/);
  // Prior: 5 × 30 min ÷ 317.5 s = 28.3; 38.3 answers bear one abandon, and the model decides.
  const on = decideTick(tick(team, est, PRIOR));
  t.notMatch(on.reason, /spent/);
  t.ok(on.trace.figures.perCallRisk !== undefined);
});

t.test('a team of 1: the budget bears no abandon over 30 min whatever the talk mean, prior or not', async (t) => {
  const est = early(100, 1);
  for (const mode of [{ kind: 'predictive' } as const, PRIOR]) {
    const d = decideTick(tick(talking(1, 30_000), est, mode));
    t.match(d.reason, /abandon budget of 3\.0 % spent/);
    t.equal(d.calls, 0, 'the agent is talking: 1:1 places nothing');
  }
  // One ended talk of 60 s, the agent 30 s into the next: MLE 90 s; prior (60 + 30 + 240) ÷ 3 = 110 s.
  t.equal(decideTick(tick(talking(1, 30_000), est, { kind: 'predictive' })).trace.figures.handleMs, 110_000);
  t.equal(decideTick(tick(talking(1, 30_000), est, PRIOR)).trace.figures.handleMs, 130_000);
});

t.test('talkPriorFromEnded: the prior is the ended talks’ own mean', async (t) => {
  const ended = { priorMs: 'ended' as const, priorTalks: 2 };
  // No ended talk: no such mean, as without a prior.
  t.equal(censoredTalkMean({ ended: 0, endedMeanMs: 0, elapsedMs: 400_000, ...ended }), 0);
  // One ended talk of 50 s, four talkers 100 s in: 50 + 400 ÷ 3 s (the MLE: 50 + 400).
  t.equal(censoredTalkMean({ ended: 1, endedMeanMs: 50_000, elapsedMs: 400_000, ...ended }), 50_000 + 400_000 / 3);
  // Nobody talking: the ended mean, prior or not.
  t.equal(censoredTalkMean({ ended: 3, endedMeanMs: 70_000, elapsedMs: 0, ...ended }), 70_000);
  // In the tick: two ended talks (60 s, 90 s), four talkers 200 s in: 75 + 800 ÷ 4 s, + 20 s wrap-up; the budget then
  // bears one abandon (5 × 30 min ÷ 295 s = 30.5 expected, + 10 seen).
  const est = early(100, 2);
  const d = decideTick(tick([...ready(1), ...talking(4, 200_000)], est, { kind: 'predictive', talkPriorFromEnded: true }));
  t.equal(d.trace.figures.handleMs, 295_000);
  t.notMatch(d.reason, /spent/);
  t.equal(predictiveParams({ kind: 'predictive' }).talkPriorFromEnded, false);
});

t.test('talkPriorInFallbackOnly: the prior weighs only the budget’s fallback, the model keeps the censored MLE', async (t) => {
  const est = early(100, 2);
  const team = [...ready(1), ...talking(4, 200_000)];
  const only = decideTick(tick(team, est, { kind: 'predictive', talkPriorFromEnded: true, talkPriorInFallbackOnly: true }));
  const def = decideTick(tick(team, est, { kind: 'predictive' }));
  // The MLE's 495 s in the figures and the model; the fallback counts 30.5 expected answers with the prior, so it
  // does not fire where the default's 18.2 made it fire.
  t.equal(only.trace.figures.handleMs, 495_000);
  t.match(def.reason, /spent/);
  t.notMatch(only.reason, /spent/);
  // Where the fallback does not fire either way, every figure is the default's (nothing else reads the prior).
  const later = early(200, 30);
  t.same(
    decideTick(tick(team, later, { kind: 'predictive', talkPriorFromEnded: true, talkPriorInFallbackOnly: true })),
    decideTick(tick(team, later, { kind: 'predictive' })),
  );
  // Off, it changes nothing.
  t.same(decideTick(tick(team, est, { kind: 'predictive', talkPriorInFallbackOnly: true })), def);
});
