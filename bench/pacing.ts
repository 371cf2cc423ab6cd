/**
 * Pacing benchmark: the discrete-event simulator (bench/sim) over the grid of
 * agents 5/20/100 × live answer 10/25/50 % × talk 60/180 s, for progressive
 * 1:1, seed 002's ratio table, a VICIdial-style adaptive baseline and our
 * predictive mode, several seeded 8-hour shifts each.
 * Usage: npm run bench -- pacing [--hours H] [--seeds N] [--only a20-live25-talk180]
 * Last line: {"standard": {progressive, ratioTable, adaptive, predictive}, "worstPredictiveAbandonRate": x}.
 */
import { RATIO_TABLE_PRESET } from '../lib/pacing';
import type { SimResult, Strategy } from './sim/engine';
import { runAll, type Job } from './sim/pool';
import { grid, STANDARD } from './sim/scenario';

const STRATEGIES: Strategy[] = [
  { kind: 'tick', name: 'progressive', mode: { kind: 'progressive' } },
  { kind: 'tick', name: 'ratioTable', mode: { kind: 'progressive', ratioTable: RATIO_TABLE_PRESET } },
  { kind: 'adaptive', name: 'adaptive' },
  { kind: 'tick', name: 'predictive', mode: { kind: 'predictive' } },
];

interface Figures {
  occupancy: number;
  abandonRate: number;
  talkMinutesPerAgentHour: number;
  meanAgentWaitSec: number;
}

/** Pools the seeds of one scenario × strategy: rates from summed counts, per-hour figures weighted by agent-hours. */
function pool(rs: SimResult[]): Figures & { live: number; abandoned: number; worstSeedAbandonRate: number } {
  const hours = rs.reduce((a, r) => a + r.agentHours, 0);
  const live = rs.reduce((a, r) => a + r.live, 0);
  const abandoned = rs.reduce((a, r) => a + r.abandoned, 0);
  const w = (f: (r: SimResult) => number) => rs.reduce((a, r) => a + f(r) * r.agentHours, 0) / hours;
  return {
    occupancy: w((r) => r.occupancy),
    abandonRate: live > 0 ? abandoned / live : 0,
    talkMinutesPerAgentHour: w((r) => r.talkMinutesPerAgentHour),
    meanAgentWaitSec: w((r) => r.meanAgentWaitSec),
    live,
    abandoned,
    worstSeedAbandonRate: Math.max(...rs.map((r) => r.abandonRate)),
  };
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const r4 = (x: number) => Math.round(x * 10000) / 10000;
const r1 = (x: number) => Math.round(x * 10) / 10;

export default async function main(args: string[] = []): Promise<void> {
  const hours = Number(arg(args, 'hours') ?? 8);
  const seeds = Number(arg(args, 'seeds') ?? 3);
  const only = arg(args, 'only');
  if (!(hours > 0) || !(Number.isInteger(seeds) && seeds > 0)) throw new Error('--hours must be > 0 and --seeds a positive integer');
  const scenarios = grid(hours).filter((s) => !only || s.name === only);
  if (scenarios.length === 0) throw new Error(`no scenario named ${only}`);
  const jobs: Job[] = [];
  for (const scenario of scenarios) for (const strategy of STRATEGIES) for (let seed = 1; seed <= seeds; seed++) jobs.push({ scenario, strategy, seed });
  const t0 = Date.now();
  const results = await runAll(jobs);
  console.log(`pacing simulator: ${scenarios.length} scenarios × ${STRATEGIES.length} strategies × ${seeds} seeds × ${hours} h shifts (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  console.log('scenario              strategy      occupancy  abandon   worst-seed  talk-min/agent-h  mean-wait-s   live  abandoned');
  const table = new Map<string, Map<string, ReturnType<typeof pool>>>();
  for (const sc of scenarios) {
    const row = new Map<string, ReturnType<typeof pool>>();
    for (const st of STRATEGIES) {
      const p = pool(results.filter((r) => r.scenario === sc.name && r.strategy === st.name));
      row.set(st.name, p);
      console.log(
        `${sc.name.padEnd(22)}${st.name.padEnd(14)}${(p.occupancy * 100).toFixed(1).padStart(8)} %${(p.abandonRate * 100).toFixed(2).padStart(7)} %${(p.worstSeedAbandonRate * 100).toFixed(2).padStart(10)} %${p.talkMinutesPerAgentHour.toFixed(1).padStart(18)}${p.meanAgentWaitSec.toFixed(1).padStart(13)}${String(p.live).padStart(7)}${String(p.abandoned).padStart(11)}`,
      );
    }
    table.set(sc.name, row);
  }
  const worst = Math.max(...[...table.values()].map((row) => row.get('predictive')!.abandonRate));
  const std = table.get(STANDARD.name);
  const fig = (name: string): Figures | null => {
    const p = std?.get(name);
    return p ? { occupancy: r4(p.occupancy), abandonRate: r4(p.abandonRate), talkMinutesPerAgentHour: r1(p.talkMinutesPerAgentHour), meanAgentWaitSec: r1(p.meanAgentWaitSec) } : null;
  };
  console.log(
    JSON.stringify({
      standard: { progressive: fig('progressive'), ratioTable: fig('ratioTable'), adaptive: fig('adaptive'), predictive: fig('predictive') },
      worstPredictiveAbandonRate: r4(worst),
    }),
  );
}
