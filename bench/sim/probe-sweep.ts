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

export async function probeSweep(
  scenarios: Scenario[],
  seeds: number[],
  probe: Probe,
  modeOptions: ModeOptions,
  rounds: number,
): Promise<SweepRow[]> {
  const lo = new Map(scenarios.map((s) => [s.name, 0.002]));
  const hi = new Map(scenarios.map((s) => [s.name, 0.08]));
  const points = new Map<string, SweepPoint[]>(scenarios.map((s) => [s.name, []]));
  for (let round = 0; round < rounds; round++) {
    const theta = new Map(scenarios.map((s) => [s.name, round === 0 ? 0.015 : Math.sqrt(lo.get(s.name)! * hi.get(s.name)!)]));
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
