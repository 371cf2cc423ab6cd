/**
 * Paired seeds (bench/pacing.ts `--shifts --paired JSON`, round twenty-four): the same scenarios and seeds run under
 * two sets of predictive options, and per scenario the occupancy difference seed by seed, its mean, spread and
 * standard error. A seed fixes the world (arrivals, answers, talks, agents), so most of a shift's occupancy is the
 * same under both and cancels in the difference; pooled figures of separate runs keep it.
 *
 * Why: the adoption rule reads the standard scenario's pooled occupancy on seed sets of two and six seeds. Round
 * twenty-four's paired run of `meanwhileShare` on the standard (seeds 13-25) put one seed's difference at a standard
 * deviation of 0.65 point, so a two-seed set's mean has one of 0.46: a candidate worth +0.1 point shows "up" on such
 * a set 59 times in 100, little more often than a coin (README, pacing, round twenty-four).
 */

/** One shift's figures, as the simulator reports them (engine.ts SimResult). */
export interface PairedShift {
  scenario: string;
  seed: number;
  occupancy: number;
  agentHours: number;
  live: number;
  abandoned: number;
  abandonRate: number;
}

export interface PairedScenario {
  scenario: string;
  /** Seeds run under both option sets, ascending. */
  seeds: number[];
  /** Candidate − base occupancy per seed, in points (percent). */
  deltas: number[];
  /** Their mean, sample standard deviation and standard error (NaN below two seeds). */
  mean: number;
  sd: number;
  se: number;
  /** Seeds where the candidate's occupancy is higher. */
  seedsUp: number;
  /** Pooled over the seeds: occupancy weighted by agent-hours, abandon rate from summed counts, the worst shift. */
  base: { occupancy: number; abandonRate: number; worstShiftAbandonRate: number };
  candidate: { occupancy: number; abandonRate: number; worstShiftAbandonRate: number };
}

function pooled(rs: PairedShift[]): PairedScenario['base'] {
  const hours = rs.reduce((a, r) => a + r.agentHours, 0);
  const live = rs.reduce((a, r) => a + r.live, 0);
  const abandoned = rs.reduce((a, r) => a + r.abandoned, 0);
  return {
    occupancy: hours > 0 ? rs.reduce((a, r) => a + r.occupancy * r.agentHours, 0) / hours : NaN,
    abandonRate: live > 0 ? abandoned / live : NaN,
    worstShiftAbandonRate: Math.max(...rs.map((r) => r.abandonRate)),
  };
}

/**
 * Per scenario (in the base's order of first appearance), the paired differences of the seeds both runs hold.
 * A (scenario, seed) in one run only is left out; two shifts of one (scenario, seed) in a run is a caller's error.
 */
export function pairedDeltas(base: PairedShift[], candidate: PairedShift[]): PairedScenario[] {
  const key = (r: PairedShift) => `${r.scenario}\u0000${r.seed}`;
  const index = (rs: PairedShift[]) => {
    const m = new Map<string, PairedShift>();
    for (const r of rs) {
      if (m.has(key(r))) throw new Error(`paired: ${r.scenario} seed ${r.seed} twice in one run`);
      m.set(key(r), r);
    }
    return m;
  };
  index(base); // refuses a (scenario, seed) twice
  const c = index(candidate);
  const names = [...new Set(base.map((r) => r.scenario))];
  const out: PairedScenario[] = [];
  for (const scenario of names) {
    const pairs = base
      .filter((r) => r.scenario === scenario && c.has(key(r)))
      .map((r) => [r, c.get(key(r))!] as const)
      .sort((x, y) => x[0].seed - y[0].seed);
    if (pairs.length === 0) continue;
    const deltas = pairs.map(([x, y]) => (y.occupancy - x.occupancy) * 100);
    const n = deltas.length;
    const mean = deltas.reduce((a, d) => a + d, 0) / n;
    const sd = n > 1 ? Math.sqrt(deltas.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1)) : NaN;
    out.push({
      scenario,
      seeds: pairs.map(([x]) => x.seed),
      deltas,
      mean,
      sd,
      se: sd / Math.sqrt(n),
      seedsUp: deltas.filter((d) => d > 0).length,
      base: pooled(pairs.map(([x]) => x)),
      candidate: pooled(pairs.map(([, y]) => y)),
    });
  }
  return out;
}
