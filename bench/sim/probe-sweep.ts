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

export async function probeSweep(
  scenarios: Scenario[],
  seeds: number[],
  probe: Probe,
  modeOptions: ModeOptions,
  rounds: number,
  range: SweepRange = DEFAULT_RANGE,
): Promise<SweepRow[]> {
  const lo = new Map(scenarios.map((s) => [s.name, range.lo]));
  const hi = new Map(scenarios.map((s) => [s.name, range.hi]));
  const points = new Map<string, SweepPoint[]>(scenarios.map((s) => [s.name, []]));
  for (let round = 0; round < rounds; round++) {
    const theta = new Map(scenarios.map((s) => [s.name, round === 0 ? range.first : Math.sqrt(lo.get(s.name)! * hi.get(s.name)!)]));
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
