/**
 * When agents on a break come back (predictive's `breakLaw`): a break-length law learnt from the desk's completed
 * breaks, shrunk toward a wide prior. Pure.
 *
 * Agents on a break are not in pacing's snapshot, yet most come back within the budget's 30 min horizon: a small
 * team with three of five on break counted 15 answers ahead where about 26 come, and one abandon did not fit in 3 %
 * of them (round eighteen's trace, README: four fifths of the 5-agent rows' no-abandon fallback). What pacing needs of
 * an agent `s` ms into a break is the conditional law of the rest of it: P(back within x | out for s), the
 * conditional survival of the break length L. Empirically, over the breaks seen,
 *   P(back within x | s) = [k·(S₀(s) − S₀(s + x)) + #{returned, s < L ≤ s + x}] ÷ [k·S₀(s) + #{L > s}]
 * with k pseudo-breaks of a prior law S₀ (exponential, mean m₀: memoryless, so a break longer than any seen gets the
 * prior's 1 − e^(−x/m₀), neither "back now" nor "never"). A break that ended in a logout is in the denominator and
 * never in the numerator: its agent did not come back, and the share of agents who do not is part of the law.
 */

/** One completed break: its length, and whether the agent came back from it (false: logged out from it). */
export interface BreakSample {
  ms: number;
  returned: boolean;
}

export interface BreakPrior {
  /** The prior's mean break (ms; exponential). */
  meanMs: number;
  /** Pseudo-breaks behind it (> 0). */
  breaks: number;
}

export interface BreakLaw {
  /** P(an agent `sinceMs` into a break is back within `xMs`). */
  backWithin(sinceMs: number, xMs: number): number;
  /** The expected share of the next `horizonMs` that such an agent is back: (1/h)·∫₀ʰ P(back within t) dt. */
  shareBack(sinceMs: number, horizonMs: number): number;
}

export function breakLaw(samples: readonly BreakSample[], prior: BreakPrior): BreakLaw {
  if (!(prior.meanMs > 0 && Number.isFinite(prior.meanMs))) throw new RangeError(`break prior mean must be > 0, got ${prior.meanMs}`);
  if (!(prior.breaks > 0 && Number.isFinite(prior.breaks)))
    throw new RangeError(`break prior pseudo-breaks must be > 0, got ${prior.breaks}`);
  const m = prior.meanMs;
  const k = prior.breaks;
  const sorted = samples.filter((b) => Number.isFinite(b.ms) && b.ms >= 0).sort((a, b) => a.ms - b.ms);
  const S0 = (t: number) => Math.exp(-Math.max(0, t) / m);
  /** k·S₀(s) + #{L > s}: the breaks (real and pseudo) still going at s. */
  const atRisk = (s: number) => {
    let n = 0;
    for (const b of sorted) if (b.ms > s) n++;
    return k * S0(s) + n;
  };
  return {
    backWithin(sinceMs, xMs) {
      const s = Math.max(0, sinceMs);
      const x = Math.max(0, xMs);
      if (x === 0) return 0;
      let back = k * (S0(s) - S0(s + x));
      for (const b of sorted) if (b.returned && b.ms > s && b.ms <= s + x) back++;
      return clamp01(back / atRisk(s));
    },
    shareBack(sinceMs, horizonMs) {
      const s = Math.max(0, sinceMs);
      const h = Math.max(0, horizonMs);
      if (h === 0) return 0;
      // The prior's part, exactly: k·∫₀ʰ (S₀(s) − S₀(s + t)) dt = k·S₀(s)·(h − m·(1 − e^(−h/m))).
      let back = k * S0(s) * (h - m * (1 - Math.exp(-h / m)));
      // A break that ends at L ∈ (s, s + h] leaves its agent back for s + h − L of the horizon.
      for (const b of sorted) if (b.returned && b.ms > s && b.ms <= s + h) back += s + h - b.ms;
      return clamp01(back / h / atRisk(s));
    },
  };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
