/**
 * `npm run bench -- pacing --probe-sweep '{"truth":["talk"]}'`: predictive with a fixed per-call threshold (probe.ts)
 * and the given quantities true, the threshold swept per scenario (log-bisection, all scenarios in lockstep) to 3.0 %
 * pooled abandon as the oracles are, and its occupancy there read off the two runs that bracket 3.0 % (linear in the
 * abandon rate between them). Running it with no truths, then with each, says what each estimated quantity costs at
 * matched abandon with the controller out of the way (README, pacing, round fifteen).
 */
import { simCampaign } from './campaign';
import type { SimResult } from './engine';
import type { ModeOptions } from './mode-options';
import { runAll, type Job } from './pool';
import type { Probe } from './probe';
import type { Scenario } from './scenario';

const CAP = 0.03;

export interface SweepPoint {
  theta: number;
  occupancy: number;
  abandonRate: number;
}

export interface SweepRow {
  scenario: string;
  /** Occupancy at 3.0 % pooled abandon, interpolated between the bracketing runs (null: no run on one side). */
  occupancyAt3: number | null;
  points: SweepPoint[];
}

function pooled(rs: SimResult[]): { occupancy: number; abandonRate: number } {
  const hours = rs.reduce((a, r) => a + r.agentHours, 0);
  const live = rs.reduce((a, r) => a + r.live, 0);
  return {
    occupancy: rs.reduce((a, r) => a + r.occupancy * r.agentHours, 0) / hours,
    abandonRate: live > 0 ? rs.reduce((a, r) => a + r.abandoned, 0) / live : 0,
  };
}

/** Occupancy at `cap` abandon from the nearest runs below and above it (linear between); null without both. */
export function occupancyAtCap(points: readonly SweepPoint[], cap = CAP): number | null {
  let below: SweepPoint | undefined;
  let above: SweepPoint | undefined;
  for (const p of points) {
    if (p.abandonRate <= cap && (!below || p.abandonRate > below.abandonRate)) below = p;
    if (p.abandonRate > cap && (!above || p.abandonRate < above.abandonRate)) above = p;
  }
  if (!below || !above) return null;
  const t = (cap - below.abandonRate) / (above.abandonRate - below.abandonRate);
  return below.occupancy + t * (above.occupancy - below.occupancy);
}

/** The default bisection range and first threshold (round fifteen's runs). */
export const DEFAULT_RANGE: SweepRange = { lo: 0.002, hi: 0.08, first: 0.015 };

export interface SweepRange {
  lo: number;
  hi: number;
  /** The first round's threshold. */
  first: number;
}

/**
 * `--probe-range lo,hi` (round seventeen): a narrower bisection range where the threshold at 3.0 % is known to lie, first
 * at its geometric middle, so that three rounds bracket 3.0 % closely (with every law true the standard reaches 3.0 % only
 * past θ 0.05, the default range's fourth round). Absent: DEFAULT_RANGE.
 */
export function parseProbeRange(s: string | undefined): SweepRange {
  if (s === undefined) return DEFAULT_RANGE;
  const [lo, hi, ...rest] = s.split(',').map(Number);
  if (rest.length > 0 || !(lo! > 0 && hi! > lo! && hi! <= 0.5)) throw new Error(`--probe-range: lo,hi with 0 < lo < hi ≤ 0.5, got ${s}`);
  return { lo: lo!, hi: hi!, first: Math.sqrt(lo! * hi!) };
}

/** How far past the proportional guess a scaled step goes, toward the side no run has seen yet. */
const SCALED_OVERSHOOT = 1.1;

/**
 * The next round's threshold for one scenario. Bracketed (runs on both sides of the cap), or unscaled: the geometric
 * middle of [lo, hi], the bisection. With `scaled` (`--probe-scaled`, round nineteen) and every run so far on one side,
 * the last run's own figure: θ × cap ÷ its abandon rate (the rate grows about in proportion to θ, README round thirteen),
 * 10 % further toward the unseen side and kept within [lo, hi], so that a variant which moves the risk scale (no
 * calls-meanwhile term: 4.3-6.4 % at both of round seventeen's thresholds, round eighteen) brackets 3.0 % in two rounds.
 */
export function nextTheta(points: readonly SweepPoint[], lo: number, hi: number, scaled: boolean, cap = CAP): number {
  const last = points[points.length - 1];
  const bracketed = points.some((p) => p.abandonRate <= cap) && points.some((p) => p.abandonRate > cap);
  if (!scaled || !last || bracketed || !(last.abandonRate > 0)) return Math.sqrt(lo * hi);
  const guess = last.theta * (cap / last.abandonRate) * (last.abandonRate > cap ? 1 / SCALED_OVERSHOOT : SCALED_OVERSHOOT);
  return Math.min(hi, Math.max(lo, guess));
}

export async function probeSweep(
  scenarios: Scenario[],
  seeds: number[],
  probe: Probe,
  modeOptions: ModeOptions,
  rounds: number,
  range: SweepRange = DEFAULT_RANGE,
  scaled = false,
): Promise<SweepRow[]> {
  const lo = new Map(scenarios.map((s) => [s.name, range.lo]));
  const hi = new Map(scenarios.map((s) => [s.name, range.hi]));
  const points = new Map<string, SweepPoint[]>(scenarios.map((s) => [s.name, []]));
  for (let round = 0; round < rounds; round++) {
    const theta = new Map(
      scenarios.map((s) => [s.name, round === 0 ? range.first : nextTheta(points.get(s.name)!, lo.get(s.name)!, hi.get(s.name)!, scaled)]),
    );
    const jobs: Job[] = [];
    for (const scenario of scenarios)
      for (const seed of seeds)
        jobs.push({
          scenario,
          strategy: {
            kind: 'tick',
            name: 'probe',
            campaign: simCampaign('predictive'),
            predictive: modeOptions,
            probe: { ...probe, fixedRisk: theta.get(scenario.name)! },
          },
          seed,
        });
    const results = await runAll(jobs);
    for (const sc of scenarios) {
      const th = theta.get(sc.name)!;
      const p = pooled(results.filter((r) => r.scenario === sc.name));
      points.get(sc.name)!.push({ theta: th, ...p });
      if (p.abandonRate <= CAP) lo.set(sc.name, th);
      else hi.set(sc.name, th);
    }
    console.error(`probe sweep: round ${round + 1} of ${rounds} done`);
  }
  return scenarios.map((s) => ({ scenario: s.name, occupancyAt3: occupancyAtCap(points.get(s.name)!), points: points.get(s.name)! }));
}
