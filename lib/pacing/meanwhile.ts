/**
 * The calls-meanwhile term conditioned on supply (predictive's `meanwhileBySupply`, round nineteen).
 *
 * A call's abandon chance counts the calls the campaign goes on placing while it rings, at the campaign's average
 * rate λ (predictive.ts). But the count that matters is the one *given that this call finds no agent*, and those calls
 * are fewer: a campaign places calls mostly as agents come free, and in the cases where this call finds none, few
 * came free. Round seven's calibration (README, pacing) found the model over-predicting abandons, more the larger the
 * team, mostly from this term; round eighteen's probe at a fixed threshold found the model better with no term at all
 * (+0.55 point on the standard, +1.1 on the 10 %-live 5-agent rows), yet under the controller the worst row fell
 * without it: the truth lies between, and it is measurable.
 *
 * The estimator keeps, per tick of a predictive decision, whether the supply was short (no agent ready beyond the
 * persons already waiting for one) and the calls placed then (estimator.ts, `supply` events). The rate of placements
 * in short ticks over the campaign's average rate of placements is the factor on λ. It is the ratio of two Poisson
 * rates, shrunk toward 1 (today's term) by `prior` pseudo-calls at the average rate: (short calls + k) ÷ (short time ×
 * the average rate + k), a Gamma posterior mean. No history reads 1; a campaign that only ever placed calls while an
 * agent was free reads toward 0 as short time accumulates; one that placed every call in short ticks reads (its
 * calls + k) ÷ (their share of the time's worth + k), above 1 when short ticks are rarer than its calls.
 */

/** The supply the estimator kept over its rate window (estimator.ts `Estimates.supply`). */
export interface SupplyTally {
  /** Time (ms) of predictive ticks whose supply was short, and of all of them. */
  shortMs: number;
  allMs: number;
  /** Calls placed in those ticks. */
  shortCalls: number;
  allCalls: number;
}

/** The factor on the calls-meanwhile rate λ: the placement rate in short ticks ÷ the average, shrunk toward 1. */
export function meanwhileScale(s: SupplyTally | undefined, prior: number): number {
  if (!s || !(s.allMs > 0) || !(s.allCalls > 0)) return 1;
  const rate = s.allCalls / s.allMs;
  const expectedShort = s.shortMs * rate;
  const k = Math.max(0, prior);
  if (expectedShort + k <= 0) return 1;
  return (s.shortCalls + k) / (expectedShort + k);
}

/**
 * The second measure (predictive's `meanwhileByFreed`): the term's own count, observed. For each live answer (the estimator's
 * `answered` events, told at the person verdict), its **overtakers** are the live answers of calls placed after its call and answered before it, the very calls the term
 * counts; the estimator tallies them over all live answers and over those while which no agent came free (no wrap-up
 * ended between the call's placing and its answer). Their ratio of means is the factor on λ: the term's count given
 * that no agent came free meanwhile, the case where this call finds none. Shrunk toward 1 by `prior` pseudo-answers at
 * the overall mean: (overtakers while none freed + k·r) ÷ ((answers while none freed + k)·r), r the overall mean.
 * Measured in the simulator (scratch, seeds 1-2, the flag on): the standard's answers with no agent freed had 0.235
 * overtakers against 0.369 for all (0.64); a5-live10-talk180's 0.087 against 0.092 (0.95). The short-tick rate above
 * read 0.42 and 0.41 there: the ticks with no agent ready place few calls, but calls that overtake are placed earlier.
 */
export interface OvertakeTally {
  /** Live answers, and the overtakers they had. */
  answers: number;
  overtakers: number;
  /** The same, of the live answers while which no agent came free. */
  answersNoneFreed: number;
  overtakersNoneFreed: number;
}

/** How far back the estimator remembers live answers' placing and agents coming free: past the longest ring. */
export const RECENT_MS = 150_000;

/**
 * What the estimator remembers of the last RECENT_MS: each live answer's [placed, answered] times, agents freed, and
 * (with `meanwhileByNoneFreed`'s windowed supply events) the ticks' placements as [at, calls].
 */
export interface RecentAnswers {
  live: [number, number][];
  freedAt: number[];
  placed?: [number, number][];
}

/**
 * A live answer at `at` after `ringMs` of ringing: its overtakers (remembered live answers placed after its call and
 * answered no later), the live answers ahead of it (placed before its call, answered while it rang) and the agents freed
 * while it rang, and the memory with it added and anything older than
 * RECENT_MS dropped. Answers told a little out of order (the runner tells them at its next tick) compare by their times.
 */
export function overtakeOf(
  recent: RecentAnswers | undefined,
  at: number,
  ringMs: number,
): { overtakers: number; ahead: number; freed: number; recent: RecentAnswers } {
  const placedAt = at - ringMs;
  const live = (recent?.live ?? []).filter(([, a]) => a > at - RECENT_MS);
  const freedAt = (recent?.freedAt ?? []).filter((t) => t > at - RECENT_MS);
  let overtakers = 0;
  let ahead = 0;
  for (const [p, a] of live) {
    if (p > placedAt && a <= at) overtakers++;
    // Ringing when it was placed and answered while it rang (meanwhile-share.ts R; calls placed at the same moment are
    // the model's calls alongside, neither).
    else if (p < placedAt && a > placedAt && a <= at) ahead++;
  }
  let freed = 0;
  for (const f of freedAt) if (f > placedAt && f <= at) freed++;
  return { overtakers, ahead, freed, recent: { ...recent, live: [...live, [placedAt, at]], freedAt } };
}

/**
 * The third measure (predictive's `meanwhileByNoneFreed`, round twenty): the calls placed over the window before a
 * moment when no agent had come free in it, against the window before any moment. The term counts the calls placed
 * while this call rings that are answered before it, and it matters in the case where this call finds no agent: few
 * came free while it rang. So its rate is the placement rate over a ring's length before a moment with no agent freed
 * over that length. Round nineteen's supply measure took the rate *in* the ticks with no agent ready and read 0.42
 * where the overtakers' own ratio (while no agent came free ÷ all) was 0.64 on the standard: the calls that overtake are
 * placed before the agents run out, while some still look free. The overtakers' own count (meanwhileByFreed) samples
 * it once per live answer, a few hundred a shift; this samples it every tick.
 *
 * The tick at `at` with `calls` placed: its placements in (at − windowMs, at] (this tick's included), whether no agent
 * came free in that window, and the memory with this tick's placements added and anything older than RECENT_MS dropped.
 */
export function windowedSupply(
  recent: RecentAnswers | undefined,
  at: number,
  windowMs: number,
  calls: number,
): { short: boolean; windowCalls: number; windowFreed: number; recent: RecentAnswers } {
  const from = at - windowMs;
  const placed = (recent?.placed ?? []).filter(([t]) => t > at - RECENT_MS);
  if (calls > 0) placed.push([at, calls]);
  let windowCalls = 0;
  for (const [t, n] of placed) if (t > from && t <= at) windowCalls += n;
  let windowFreed = 0;
  for (const t of recent?.freedAt ?? []) if (t > from && t <= at) windowFreed++;
  return {
    short: windowFreed === 0,
    windowCalls,
    windowFreed,
    recent: { live: recent?.live ?? [], freedAt: recent?.freedAt ?? [], placed },
  };
}

/**
 * The windows' moments (predictive's `meanwhileCovariance`, round twenty-one): over the ticks of the windowed supply
 * events, each weighted by its time, Σ of the calls placed in the window before it (p), of the agents freed in it (f),
 * and of their products, so the covariance of the two counts over a window of that length.
 */
export interface WindowMoments {
  /** Time the windows were sampled (ms), and the window's length they were sampled at (Σ time · window). */
  ms: number;
  windowMsSum: number;
  p: number;
  f: number;
  pf: number;
  pp: number;
  ff: number;
}

/** The moments with one tick's window added, weighted by `gapMs`. */
export function addWindow(m: WindowMoments | undefined, gapMs: number, windowMs: number, calls: number, freed: number): WindowMoments {
  const z = m ?? { ms: 0, windowMsSum: 0, p: 0, f: 0, pf: 0, pp: 0, ff: 0 };
  return {
    ms: z.ms + gapMs,
    windowMsSum: z.windowMsSum + gapMs * windowMs,
    p: z.p + gapMs * calls,
    f: z.f + gapMs * freed,
    pf: z.pf + gapMs * calls * freed,
    pp: z.pp + gapMs * calls * calls,
    ff: z.ff + gapMs * freed * freed,
  };
}

/** The sum of two tallies of window moments (the estimator's buckets). */
export function sumWindows(a: WindowMoments | undefined, b: WindowMoments): WindowMoments {
  if (!a) return { ...b };
  return {
    ms: a.ms + b.ms,
    windowMsSum: a.windowMsSum + b.windowMsSum,
    p: a.p + b.p,
    f: a.f + b.f,
    pf: a.pf + b.pf,
    pp: a.pp + b.pp,
    ff: a.ff + b.ff,
  };
}

/**
 * The calls-meanwhile count's covariance with the agents coming free, per call it counts (predictive's
 * `meanwhileCovariance`). The model's spread of answers ahead less agents free adds the count's Poisson variance (its
 * mean) and the agents' as if independent; but a campaign places calls as agents come free, so the two move together
 * and Var(D − S) is less by 2·Cov. Over a window of W, γ = Cov(calls placed, agents freed) ÷ E[calls placed]: the
 * count the model uses is the placements over its slice thinned to those answered live by then (a share q of them),
 * so its covariance with the agents freed is q·Cov, about (slice ÷ W)·Cov for slices of other lengths, and its mean
 * q·E·(slice ÷ W): per unit of the count, γ, at any slice. It is shrunk toward 0 (independence, today's term) by
 * `prior` pseudo-windows: γ · n ÷ (n + prior), n the windows' worth of time sampled (time ÷ window). 0 with no sample.
 */
export function meanwhileCovariance(m: WindowMoments | undefined, prior: number): { gamma: number; cov: number; windows: number } {
  if (!m || !(m.ms > 0) || !(m.p > 0)) return { gamma: 0, cov: 0, windows: 0 };
  const ep = m.p / m.ms;
  const ef = m.f / m.ms;
  const cov = m.pf / m.ms - ep * ef;
  const windows = m.ms / (m.windowMsSum / m.ms);
  const k = Math.max(0, prior);
  return { gamma: (cov / ep) * (windows / (windows + k)), cov, windows };
}

/**
 * The same γ read off the term's own count (predictive's `meanwhileCovarianceFrom: 'answers'`, round twenty-one): for
 * each live answer, its overtakers (the calls the term counts) and the agents freed while it rang (overtakeOf), their
 * covariance over the live answers, within classes of ring time (a longer ring has more of both, which is not the
 * coupling the spread needs), ÷ the overtakers' mean: Σ_c (ΣOF − ΣO·ΣF ÷ n) ÷ Σ_c ΣO. A trace of the simulator's
 * standard found the window measure above at 0.23 where this count gave 0.30 (README, round twenty-one).
 * Per ring class: [answers, Σ overtakers, Σ freed, Σ overtakers × freed].
 */
export type CouplingTally = [number, number, number, number][];

/** The ring-time classes of CouplingTally: COUPLING_CLASS_MS each, the last open. */
export const COUPLING_CLASS_MS = 4000;
export const COUPLING_CLASSES = 16;

/** The tally with one live answer added. */
export function addCoupling(t: CouplingTally | undefined, ringMs: number, overtakers: number, freed: number): CouplingTally {
  const out: CouplingTally = t ? t.map((r) => [r[0], r[1], r[2], r[3]]) : Array.from({ length: COUPLING_CLASSES }, () => [0, 0, 0, 0]);
  const c = Math.min(COUPLING_CLASSES - 1, Math.max(0, Math.floor(ringMs / COUPLING_CLASS_MS)));
  const r = out[c]!;
  out[c] = [r[0] + 1, r[1] + overtakers, r[2] + freed, r[3] + overtakers * freed];
  return out;
}

/** The sum of two tallies (the estimator's buckets). */
export function sumCoupling(a: CouplingTally | undefined, b: CouplingTally): CouplingTally {
  if (!a) return b.map((r) => [r[0], r[1], r[2], r[3]]);
  return a.map((r, i) => {
    const q = b[i] ?? [0, 0, 0, 0];
    return [r[0] + q[0], r[1] + q[1], r[2] + q[2], r[3] + q[3]];
  });
}

/** γ from the live answers' own counts, shrunk toward 0 by `prior` pseudo-answers. 0 without an overtaker. */
export function couplingCovariance(t: CouplingTally | undefined, prior: number): { gamma: number; answers: number } {
  if (!t) return { gamma: 0, answers: 0 };
  let cov = 0;
  let over = 0;
  let n = 0;
  for (const [m, so, sf, sof] of t) {
    n += m;
    if (m < 2) continue;
    cov += sof - (so * sf) / m;
    over += so;
  }
  if (!(over > 0)) return { gamma: 0, answers: n };
  const k = Math.max(0, prior);
  return { gamma: (cov / over) * (n / (n + k)), answers: n };
}

/** The factor on λ from the overtakers: their mean while no agent came free ÷ their mean, shrunk toward 1. */
export function meanwhileFreedScale(o: OvertakeTally | undefined, prior: number): number {
  if (!o || !(o.answers > 0) || !(o.overtakers > 0)) return 1;
  const r = o.overtakers / o.answers;
  const k = Math.max(0, prior);
  if (o.answersNoneFreed + k <= 0) return 1;
  return (o.overtakersNoneFreed + k * r) / ((o.answersNoneFreed + k) * r);
}
