/**
 * Pacing benchmark: the discrete-event simulator (bench/sim) over a grid of 27
 * scenarios — agents 5/20/100 × live answer 10/25/50 % × talk 60/180 s in a
 * rich world (AMD errors both ways, bridge delay, breaks, uneven agents, a
 * daily swing of the answer rate; 40 s ring timeout, and the 180 s rows again
 * at 20 s) — for progressive 1:1, seed 002's ratio table, a VICIdial-style
 * adaptive baseline and our predictive mode, several seeded shifts each, and
 * an oracle (exact agent free times, true laws) swept per scenario to 3.0 %
 * abandon as the ceiling: oracleRatio = occupancy ÷ the oracle's.
 * A second ceiling, the laws oracle (sim/laws-oracle.ts), knows the true laws and each agent's state, time in it and
 * speed but not the drawn remainders, swept the same way: lawsRatio = predictive's occupancy ÷ its occupancy, and its
 * own oracleRatio is the part of the gap that is information no dialer has.
 * Usage: npm run bench -- pacing [--hours H] [--seeds N] [--first-seed S] [--only a20-live25-talk180[,…]] [--agents 5] [--rounds R] [--calibration] [--shifts [--oracle [--shift-rule-oracle] [--decompose] | --paired JSON] [--discrimination]] [--no-baselines] [--mode-options JSON] [--probe-sweep JSON [--probe-range lo,hi] [--probe-scaled]]
 * (`--first-seed`: judge a change on other seeds than the grid's 1…N, whose shifts it may have been tuned on;
 * `--calibration`: predictive's abandons expected against those seen, binned by the abandon chance per call placed;
 * `--no-baselines`: predictive and the two oracles only;
 * `--mode-options '{"wrapLawByTalk":true}'`: the predictive mode's options (sim/mode-options.ts), echoed in the last line;
 * `--shifts`: predictive alone, no baselines and no oracle, each shift's abandon rate — the shift rule on many seeds
 * at a tenth of the cost; `--shifts --oracle` adds the oracle's sweep on the same seeds and each scenario's oracleRatio;
 * `--shift-rule-oracle` adds a second sweep of it held to the shift rule as well as the pooled cap, sim/oracle-rule.ts,
 * and each scenario's shiftRuleOracleRatio; `--shifts --paired JSON`: predictive under --mode-options and under JSON on
 * the same seeds, per scenario the occupancy difference seed by seed with its mean, sd and se, sim/paired.ts;
 * `--decompose` with `--shifts --oracle`: per scenario a JSON line of predictive's and the oracle's lost agent time by when
 * in the shift and why, and the gap, sim/lost-time.ts; `--discrimination` with `--shifts`: per scenario a JSON line of how
 * well predictive's per-call abandon prediction ranks the calls that then found no agent, against the laws oracle's and
 * the clairvoyant oracle's predictions of the same calls (AUC, Brier, calibration table), sim/discrimination.ts.)
 * Last line (JSON): per strategy, the standard scenario's figures and the worst
 * over the grid.
 */
import { simCampaign } from './sim/campaign';
import { CALIBRATION_EDGES, type SimResult, type Strategy } from './sim/engine';
import { runAll, type Job } from './sim/pool';
import { parseModeOptions, type ModeOptions } from './sim/mode-options';
import { parseProbe } from './sim/probe';
import { parseProbeRange, probeSweep } from './sim/probe-sweep';
import { withinRule, type OracleRule } from './sim/oracle-rule';
import { pairedDeltas } from './sim/paired';
import { grid, STANDARD, type Scenario } from './sim/scenario';
import { addLost, emptyLost, inPoints, lostGap, summarize, type LostTime } from './sim/lost-time';
import { PREDICTORS, readRecords, summarizeDiscrimination, DISCRIMINATION_EDGES } from './sim/discrimination';

const strategiesWith = (predictive: ModeOptions): Strategy[] => [
  { kind: 'tick', name: 'progressive', campaign: simCampaign('progressive') },
  { kind: 'tick', name: 'ratioTable', campaign: simCampaign('ratioTable') },
  { kind: 'adaptive', name: 'adaptive' },
  { kind: 'tick', name: 'predictive', campaign: simCampaign('predictive'), predictive },
];
const CAP = 0.03;

interface Pooled {
  occupancy: number;
  abandonRate: number;
  worstShiftAbandonRate: number;
  shiftsWithinCap: number;
  shifts: number;
  live: number;
  abandoned: number;
  /** Waiting agents' time under-dialled / awaiting answers, as shares of available time (engine.ts). */
  idleUnderDialled: number;
  idleAwaitingAnswers: number;
  /** The waiting agents' time by when × why, summed over the shifts (agent-ms; sim/lost-time.ts; `--decompose` only), and the available agent-ms. */
  lost?: LostTime;
  availableMs: number;
}

/** Pools the seeds of one scenario × strategy: rates from summed counts, occupancy weighted by agent-hours. */
function pool(rs: SimResult[]): Pooled {
  const hours = rs.reduce((a, r) => a + r.agentHours, 0);
  const live = rs.reduce((a, r) => a + r.live, 0);
  const abandoned = rs.reduce((a, r) => a + r.abandoned, 0);
  return {
    occupancy: rs.reduce((a, r) => a + r.occupancy * r.agentHours, 0) / hours,
    abandonRate: live > 0 ? abandoned / live : 0,
    worstShiftAbandonRate: Math.max(...rs.map((r) => r.abandonRate)),
    shiftsWithinCap: rs.filter((r) => r.abandonRate <= CAP).length,
    shifts: rs.length,
    live,
    abandoned,
    idleUnderDialled: rs.reduce((a, r) => a + r.idleUnderDialled * r.agentHours, 0) / hours,
    idleAwaitingAnswers: rs.reduce((a, r) => a + r.idleAwaitingAnswers * r.agentHours, 0) / hours,
    ...(rs.some((r) => r.lost) ? { lost: rs.reduce((a, r) => (r.lost ? addLost(a, r.lost) : a), emptyLost()) } : {}),
    availableMs: hours * 3_600_000,
  };
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const r4 = (x: number) => Math.round(x * 10000) / 10000;
const idle = (p: Pooled) =>
  `${(p.idleUnderDialled * 100).toFixed(1).padStart(9)} %${(p.idleAwaitingAnswers * 100).toFixed(1).padStart(12)} %`;

/**
 * Sweeps the oracle's per-call risk per scenario (log-bisection, all scenarios
 * in lockstep so the worker threads stay busy) to the largest that keeps the
 * pooled abandon rate within 3.0 % (and, with the rule 'shifts', at most 1 % of
 * the single shifts over it: sim/oracle-rule.ts).
 */
async function sweepOracle(
  scenarios: Scenario[],
  seeds: number[],
  rounds: number,
  kind: 'oracle' | 'lawsOracle' = 'oracle',
  rule: OracleRule = 'pooled',
  lostTime = false,
): Promise<Map<string, Pooled & { theta: number }>> {
  const lo = new Map(scenarios.map((s) => [s.name, 1e-4]));
  const hi = new Map(scenarios.map((s) => [s.name, 0.1]));
  const best = new Map<string, Pooled & { theta: number }>();
  for (let round = 0; round < rounds; round++) {
    const theta = new Map(scenarios.map((s) => [s.name, round === 0 ? 0.008 : Math.sqrt(lo.get(s.name)! * hi.get(s.name)!)]));
    const jobs: Job[] = [];
    for (const scenario of scenarios)
      for (const seed of seeds) jobs.push({ scenario, strategy: { kind, name: kind, theta: theta.get(scenario.name)! }, seed, lostTime });
    const results = await runAll(jobs);
    for (const sc of scenarios) {
      const p = pool(results.filter((r) => r.scenario === sc.name));
      const th = theta.get(sc.name)!;
      if (withinRule(p, CAP, rule)) {
        lo.set(sc.name, th);
        if (!best.has(sc.name) || best.get(sc.name)!.occupancy < p.occupancy) best.set(sc.name, { ...p, theta: th });
      } else hi.set(sc.name, th);
    }
  }
  return best;
}

/** The model's abandons expected against those seen, per bin of the abandon chance per call placed (pooled over seeds). */
function printCalibration(scenario: string, rs: SimResult[]): void {
  for (const r of rs.length ? [rs[0]] : []) {
    const c = CALIBRATION_EDGES.map((_, i) => ({
      calls: rs.reduce((a, x) => a + x.calibration!.calls[i]!, 0),
      expected: rs.reduce((a, x) => a + x.calibration!.expected[i]!, 0),
      observed: rs.reduce((a, x) => a + x.calibration!.observed[i]!, 0),
    }));
    console.log(`${scenario.padEnd(29)}${r.strategy.padEnd(14)}calibration: per-call expected < edge: calls, abandons expected, seen`);
    let lo = 0;
    CALIBRATION_EDGES.forEach((edge, i) => {
      const b = c[i]!;
      if (b.calls > 0)
        console.log(
          `${''.padEnd(43)}[${lo.toFixed(4)}, ${Number.isFinite(edge) ? edge.toFixed(4) : '  ∞   '})${String(b.calls).padStart(9)}${b.expected.toFixed(1).padStart(10)}${String(b.observed).padStart(7)}`,
        );
      lo = edge;
    });
  }
}

export default async function main(args: string[] = []): Promise<void> {
  const hours = Number(arg(args, 'hours') ?? 4);
  const seedCount = Number(arg(args, 'seeds') ?? 2);
  const firstSeed = Number(arg(args, 'first-seed') ?? 1);
  const rounds = Number(arg(args, 'rounds') ?? 6);
  const only = arg(args, 'only');
  const showCalibration = args.includes('--calibration');
  // The predictive mode's options for this run (an experiment's settings; absent: the mode's defaults).
  const modeOptions = parseModeOptions(arg(args, 'mode-options'));
  const all = strategiesWith(modeOptions);
  // Predictive and the two ceilings only (the baselines' figures do not change with pacing work).
  const strategies = args.includes('--no-baselines') ? all.filter((s) => s.name === 'predictive') : all;
  if (
    !(hours > 0) ||
    !(Number.isInteger(seedCount) && seedCount > 0) ||
    !(Number.isInteger(firstSeed) && firstSeed > 0) ||
    !(Number.isInteger(rounds) && rounds > 0)
  )
    throw new Error('--hours must be > 0, --seeds, --first-seed and --rounds positive integers');
  const seeds = Array.from({ length: seedCount }, (_, i) => firstSeed + i);
  const agents = arg(args, 'agents');
  if (agents !== undefined && !(Number.isInteger(Number(agents)) && Number(agents) > 0))
    throw new Error('--agents must be a positive integer');
  const names = only?.split(',');
  const scenarios = grid(hours).filter((s) => (!names || names.includes(s.name)) && (agents === undefined || s.agents === Number(agents)));
  if (scenarios.length === 0)
    throw new Error(`no scenario ${[only && `named ${only}`, agents && `with ${agents} agents`].filter(Boolean).join(' ')} in the grid`);
  const sweepProbe = parseProbe(arg(args, 'probe-sweep'));
  if (sweepProbe) {
    const t0 = Date.now();
    const range = parseProbeRange(arg(args, 'probe-range'));
    const scaled = args.includes('--probe-scaled');
    const rows = await probeSweep(scenarios, seeds, sweepProbe, modeOptions, rounds, range, scaled);
    console.log(
      `pacing probe sweep ${JSON.stringify(sweepProbe)}: ${scenarios.length} scenarios × seeds ${seeds.join(',')} × ${rounds} rounds (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
    for (const r of rows)
      console.log(
        `${r.scenario.padEnd(29)}${r.occupancyAt3 === null ? '     —   ' : `${(r.occupancyAt3 * 100).toFixed(2).padStart(7)} %`} at 3.0 %   ${r.points.map((p) => `θ ${p.theta.toPrecision(3)}: ${(p.occupancy * 100).toFixed(1)} @ ${(p.abandonRate * 100).toFixed(2)}`).join(' · ')}`,
      );
    console.log(
      JSON.stringify({
        probe: sweepProbe,
        seeds,
        // The run's whole variant (round nineteen): its sweep as well as its options, so two lines tell which ran.
        range: [range.lo, range.hi],
        ...(scaled ? { scaled } : {}),
        ...(Object.keys(modeOptions).length ? { modeOptions } : {}),
        occupancyAt3: Object.fromEntries(rows.map((r) => [r.scenario, r.occupancyAt3 === null ? null : r4(r.occupancyAt3)])),
      }),
    );
    return;
  }
  const shiftRule = args.includes('--shift-rule-oracle');
  const decompose = args.includes('--decompose');
  if (decompose && !(args.includes('--shifts') && args.includes('--oracle')))
    throw new Error('--decompose needs --shifts --oracle (the lost time of predictive and of the oracle on the same seeds)');
  if (shiftRule && !(args.includes('--shifts') && args.includes('--oracle')))
    throw new Error('--shift-rule-oracle needs --shifts --oracle (on the many seeds a shift rule can be judged on)');
  const pairedWith = arg(args, 'paired');
  if (pairedWith !== undefined) {
    if (!args.includes('--shifts') || args.includes('--oracle'))
      throw new Error('--paired needs --shifts and no --oracle (two option sets on the same seeds, predictive alone)');
    return paired(scenarios, seeds, modeOptions, parseModeOptions(pairedWith));
  }
  const discriminate = args.includes('--discrimination');
  if (discriminate && !args.includes('--shifts')) throw new Error('--discrimination needs --shifts (predictive alone, many seeds)');
  if (args.includes('--shifts'))
    return shifts(scenarios, seeds, hours, all, modeOptions, args.includes('--oracle') ? rounds : 0, shiftRule, decompose, discriminate);
  const jobs: Job[] = [];
  for (const scenario of scenarios) for (const strategy of strategies) for (const seed of seeds) jobs.push({ scenario, strategy, seed });
  const t0 = Date.now();
  const results = await runAll(jobs);
  const oracle = await sweepOracle(scenarios, seeds, rounds);
  const lawsOracle = await sweepOracle(scenarios, seeds, rounds, 'lawsOracle');
  console.log(
    `pacing simulator: ${scenarios.length} scenarios × ${strategies.length} strategies + oracle + laws oracle (${rounds} sweep rounds each) × seeds ${firstSeed}–${firstSeed + seedCount - 1} × ${hours} h shifts (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  console.log(
    'scenario                     strategy      occupancy  abandon  worst-shift  oracleRatio   live  abandoned  idle:under  idle:awaiting  lawsRatio',
  );
  const table = new Map<string, Map<string, Pooled & { oracleRatio: number; lawsRatio: number }>>();
  const lawsRows = new Map<string, Pooled & { theta: number; oracleRatio: number }>();
  for (const sc of scenarios) {
    const row = new Map<string, Pooled & { oracleRatio: number; lawsRatio: number }>();
    const o = oracle.get(sc.name);
    const lo = lawsOracle.get(sc.name);
    for (const st of strategies) {
      const p = pool(results.filter((r) => r.scenario === sc.name && r.strategy === st.name));
      const oracleRatio = o && o.occupancy > 0 ? p.occupancy / o.occupancy : NaN;
      const lawsRatio = lo && lo.occupancy > 0 ? p.occupancy / lo.occupancy : NaN;
      row.set(st.name, { ...p, oracleRatio, lawsRatio });
      console.log(
        `${sc.name.padEnd(29)}${st.name.padEnd(14)}${(p.occupancy * 100).toFixed(1).padStart(8)} %${(p.abandonRate * 100).toFixed(2).padStart(7)} %${(p.worstShiftAbandonRate * 100).toFixed(2).padStart(10)} %${oracleRatio.toFixed(3).padStart(12)}${String(p.live).padStart(7)}${String(p.abandoned).padStart(11)}${idle(p)}${lawsRatio.toFixed(3).padStart(11)}`,
      );
    }
    if (o)
      console.log(
        `${sc.name.padEnd(29)}${'oracle'.padEnd(14)}${(o.occupancy * 100).toFixed(1).padStart(8)} %${(o.abandonRate * 100).toFixed(2).padStart(7)} %${(o.worstShiftAbandonRate * 100).toFixed(2).padStart(10)} %${`θ=${o.theta.toPrecision(3)}`.padStart(12)}${String(o.live).padStart(7)}${String(o.abandoned).padStart(11)}${idle(o)}`,
      );
    else console.log(`${sc.name.padEnd(29)}oracle        no setting within ${CAP * 100} % found`);
    // The laws oracle: its oracleRatio is what no dialer's information can beat (the clairvoyant part of the gap).
    if (lo) {
      const oracleRatio = o && o.occupancy > 0 ? lo.occupancy / o.occupancy : NaN;
      lawsRows.set(sc.name, { ...lo, oracleRatio });
      console.log(
        `${sc.name.padEnd(29)}${'lawsOracle'.padEnd(14)}${(lo.occupancy * 100).toFixed(1).padStart(8)} %${(lo.abandonRate * 100).toFixed(2).padStart(7)} %${(lo.worstShiftAbandonRate * 100).toFixed(2).padStart(10)} %${oracleRatio.toFixed(3).padStart(12)}${String(lo.live).padStart(7)}${String(lo.abandoned).padStart(11)}${idle(lo)}${`θ=${lo.theta.toPrecision(3)}`.padStart(11)}`,
      );
    } else console.log(`${sc.name.padEnd(29)}lawsOracle    no setting within ${CAP * 100} % found`);
    table.set(sc.name, row);
    if (showCalibration)
      printCalibration(
        sc.name,
        results.filter((r) => r.scenario === sc.name && r.calibration),
      );
  }
  const std = table.get(STANDARD.name);
  const out: Record<string, unknown> = {
    scenarios: scenarios.length,
    seeds: seedCount,
    ...(firstSeed !== 1 ? { firstSeed } : {}),
    hours,
    ...(Object.keys(modeOptions).length ? { modeOptions } : {}),
  };
  const standard: Record<string, unknown> = {};
  const worst: Record<string, unknown> = {};
  for (const st of strategies) {
    const p = std?.get(st.name);
    if (p)
      standard[st.name] = {
        occupancy: r4(p.occupancy),
        abandonRate: r4(p.abandonRate),
        worstShiftAbandonRate: r4(p.worstShiftAbandonRate),
        oracleRatio: r4(p.oracleRatio),
        ...(st.name === 'predictive' ? { lawsRatio: r4(p.lawsRatio) } : {}),
      };
    const rows = [...table.values()].map((row) => row.get(st.name)!);
    const shifts = rows.reduce((a, r) => a + r.shifts, 0);
    worst[st.name] = {
      minOracleRatio: r4(Math.min(...rows.map((r) => r.oracleRatio))),
      maxAbandonRate: r4(Math.max(...rows.map((r) => r.abandonRate))),
      worstShiftAbandonRate: r4(Math.max(...rows.map((r) => r.worstShiftAbandonRate))),
      shiftsWithinCap: r4(rows.reduce((a, r) => a + r.shiftsWithinCap, 0) / shifts),
      ...(st.name === 'predictive' ? { minLawsRatio: r4(Math.min(...rows.map((r) => r.lawsRatio))) } : {}),
    };
  }
  // The laws oracle against the clairvoyant one: below 0.97 in a row, no dialer can meet the target there.
  const lr = [...lawsRows.values()];
  if (lr.length)
    worst.lawsOracle = {
      minOracleRatio: r4(Math.min(...lr.map((r) => r.oracleRatio))),
      maxAbandonRate: r4(Math.max(...lr.map((r) => r.abandonRate))),
      rowsBelow097: lr.filter((r) => r.oracleRatio < 0.97).length,
    };
  const so = oracle.get(STANDARD.name);
  if (so) standard.oracle = { occupancy: r4(so.occupancy), abandonRate: r4(so.abandonRate), theta: Number(so.theta.toPrecision(3)) };
  const sl = lawsRows.get(STANDARD.name);
  if (sl)
    standard.lawsOracle = {
      occupancy: r4(sl.occupancy),
      abandonRate: r4(sl.abandonRate),
      theta: Number(sl.theta.toPrecision(3)),
      oracleRatio: r4(sl.oracleRatio),
    };
  out.standard = standard;
  out.worst = worst;
  console.log(JSON.stringify(out));
}

/**
 * `--shifts`: predictive alone (no baselines, no oracle sweep), each shift's occupancy and abandon rate, and the
 * shifts over the cap: the shift rule (≥ 99 % of single shifts within 3 %) judged on many seeds cheaply.
 * Last line (JSON): shifts, those over the cap, the worst shift, and per scenario the pooled figures. With
 * `oracleRounds` > 0 (`--oracle`), the oracle is swept on the same seeds too (no laws oracle, no baselines): per scenario
 * `oracleOccupancy` and `oracleRatio`, and `oracleRatio` {standard, worst, worstScenario} over the scenarios run.
 */
/**
 * `--shifts --paired JSON`: predictive under the run's options (the base, `--mode-options`, default none) and under
 * JSON's (the candidate) on the same scenarios and seeds; per scenario the occupancy difference seed by seed, its mean,
 * standard deviation and standard error (sim/paired.ts). What the seed sets' pooled figures cannot tell apart: a
 * candidate's loss on one set from the sets' own noise.
 */
async function paired(scenarios: Scenario[], seeds: number[], base: ModeOptions, candidate: ModeOptions): Promise<void> {
  const t0 = Date.now();
  const as = (o: ModeOptions) => strategiesWith(o).find((s) => s.name === 'predictive')!;
  const jobs = (o: ModeOptions): Job[] => scenarios.flatMap((scenario) => seeds.map((seed) => ({ scenario, strategy: as(o), seed })));
  const both = await runAll([...jobs(base), ...jobs(candidate)]);
  const half = both.length / 2;
  const rows = pairedDeltas(both.slice(0, half), both.slice(half));
  console.log(
    `pacing simulator, paired: ${scenarios.length} scenarios × predictive ${JSON.stringify(base)} against ${JSON.stringify(candidate)} × seeds ${seeds[0]}–${seeds[seeds.length - 1]} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  console.log(
    'scenario                     occupancy base → candidate   Δ mean     sd     se    up   abandon base → candidate (worst shifts)',
  );
  const f2 = (x: number, sign = false) => (Number.isFinite(x) ? (sign && x >= 0 ? '+' : '') + x.toFixed(2) : '—');
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  for (const r of rows)
    console.log(
      `${r.scenario.padEnd(29)}${`${pct(r.base.occupancy)} → ${pct(r.candidate.occupancy)}`.padStart(20)}${f2(r.mean, true).padStart(9)}${f2(r.sd).padStart(7)}${f2(r.se).padStart(7)}${`${r.seedsUp}/${r.seeds.length}`.padStart(6)}   ${pct(r.base.abandonRate)} → ${pct(r.candidate.abandonRate)} (${pct(r.base.worstShiftAbandonRate)} / ${pct(r.candidate.worstShiftAbandonRate)})`,
    );
  const r2 = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);
  console.log(
    JSON.stringify({
      paired: { base, candidate },
      seeds: [seeds[0], seeds[seeds.length - 1]],
      shiftsOverCap: both.filter((r) => r.abandonRate > CAP).length,
      worstShiftAbandonRate: r4(Math.max(...both.map((r) => r.abandonRate))),
      scenarios: Object.fromEntries(
        rows.map((r) => [
          r.scenario,
          {
            occupancy: [r4(r.base.occupancy), r4(r.candidate.occupancy)],
            abandonRate: [r4(r.base.abandonRate), r4(r.candidate.abandonRate)],
            deltaMean: r2(r.mean),
            deltaSd: r2(r.sd),
            deltaSe: r2(r.se),
            seedsUp: r.seedsUp,
            deltas: r.deltas.map((d) => r2(d)),
          },
        ]),
      ),
    }),
  );
}

async function shifts(
  scenarios: Scenario[],
  seeds: number[],
  hours: number,
  strategies: Strategy[],
  modeOptions: ModeOptions,
  oracleRounds = 0,
  shiftRule = false,
  decompose = false,
  discriminate = false,
): Promise<void> {
  const predictive = strategies.find((s) => s.name === 'predictive')!;
  const t0 = Date.now();
  const results = await runAll(
    scenarios.flatMap((scenario) =>
      seeds.map((seed) => ({ scenario, strategy: predictive, seed, lostTime: decompose, discrimination: discriminate })),
    ),
  );
  const oracle = oracleRounds > 0 ? await sweepOracle(scenarios, seeds, oracleRounds, 'oracle', 'pooled', decompose) : undefined;
  const ruled = oracle && shiftRule ? await sweepOracle(scenarios, seeds, oracleRounds, 'oracle', 'shifts') : undefined;
  console.log(
    `pacing simulator, shifts: ${scenarios.length} scenarios × predictive${oracle ? ` + oracle${ruled ? ' (pooled and shift rule)' : ''} (${oracleRounds} sweep rounds)` : ''} × seeds ${seeds[0]}–${seeds[seeds.length - 1]} × ${hours} h shifts (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  console.log(
    `scenario                     occupancy  abandon${oracle ? '  oracleRatio' : ''}${ruled ? '  shiftRuleRatio' : ''}   shifts over 3 % (seed: rate)`,
  );
  const per: Record<string, unknown> = {};
  const ratios = new Map<string, number>();
  const ruledRatios = new Map<string, number>();
  let over = 0;
  let worstShift = 0;
  const decompositions: string[] = [];
  for (const sc of scenarios) {
    const rs = results.filter((r) => r.scenario === sc.name);
    const p = pool(rs);
    const high = rs.filter((r) => r.abandonRate > CAP).map((r) => [r.seed, r4(r.abandonRate)] as const);
    over += high.length;
    worstShift = Math.max(worstShift, p.worstShiftAbandonRate);
    const o = oracle?.get(sc.name);
    const ratio = o && o.occupancy > 0 ? p.occupancy / o.occupancy : undefined;
    if (ratio !== undefined) ratios.set(sc.name, ratio);
    const u = ruled?.get(sc.name);
    const ruledRatio = u && u.occupancy > 0 ? p.occupancy / u.occupancy : undefined;
    if (ruledRatio !== undefined) ruledRatios.set(sc.name, ruledRatio);
    per[sc.name] = {
      occupancy: r4(p.occupancy),
      abandonRate: r4(p.abandonRate),
      shiftsOverCap: high,
      ...(oracle
        ? {
            oracleOccupancy: o ? r4(o.occupancy) : null,
            oracleRatio: ratio !== undefined ? r4(ratio) : null,
            // The oracle's own shifts over the cap at its θ: the shift rule the pooled ceiling is not held to.
            oracleShiftsOverCap: o ? o.shifts - o.shiftsWithinCap : null,
            oracleTheta: o ? Number(o.theta.toPrecision(3)) : null,
          }
        : {}),
      ...(ruled
        ? {
            shiftRuleOracleOccupancy: u ? r4(u.occupancy) : null,
            shiftRuleOracleAbandonRate: u ? r4(u.abandonRate) : null,
            shiftRuleOracleTheta: u ? Number(u.theta.toPrecision(3)) : null,
            shiftRuleOracleRatio: ruledRatio !== undefined ? r4(ruledRatio) : null,
          }
        : {}),
    };
    if (decompose && o) decompositions.push(decomposition(sc.name, seeds, p, o));
    if (discriminate) decompositions.push(discriminationLine(sc.name, seeds, rs));
    console.log(
      `${sc.name.padEnd(29)}${(p.occupancy * 100).toFixed(1).padStart(8)} %${(p.abandonRate * 100).toFixed(2).padStart(7)} %${oracle ? (ratio !== undefined ? ratio.toFixed(3) : '—').padStart(13) : ''}${ruled ? (ruledRatio !== undefined ? ruledRatio.toFixed(3) : '—').padStart(16) : ''}   ${high.map(([seed, r]) => `${seed}: ${(r * 100).toFixed(2)} %`).join(', ') || '—'}`,
    );
  }
  const summary = (rs: Map<string, number>) => {
    let worst: [string, number] | undefined;
    for (const [name, r] of rs) if (!worst || r < worst[1]) worst = [name, r];
    return {
      standard: rs.has(STANDARD.name) ? r4(rs.get(STANDARD.name)!) : null,
      worst: worst ? r4(worst[1]) : null,
      worstScenario: worst?.[0] ?? null,
    };
  };
  console.log(
    JSON.stringify({
      shifts: results.length,
      shiftsOverCap: over,
      worstShiftAbandonRate: r4(worstShift),
      ...(oracle ? { oracleRatio: summary(ratios) } : {}),
      ...(ruled ? { shiftRuleOracleRatio: summary(ruledRatios) } : {}),
      ...(Object.keys(modeOptions).length ? { modeOptions } : {}),
      scenarios: per,
    }),
  );
  // --decompose, --discrimination: one more JSON line per scenario each, after the summary (sim/lost-time.ts, sim/discrimination.ts).
  for (const line of decompositions) console.log(line);
}

/**
 * `--decompose`: where predictive's lost agent time goes against the oracle's on the same seeds (the oracle at its swept θ),
 * by when in the shift and why (sim/lost-time.ts), as one JSON line: both summaries and the gap, in points of available time.
 */
function decomposition(scenario: string, seeds: number[], ours: Pooled, oracle: Pooled & { theta: number }): string {
  const so = summarize(ours.lost ?? emptyLost(), ours.availableMs);
  const sr = summarize(oracle.lost ?? emptyLost(), oracle.availableMs);
  return JSON.stringify({
    decompose: scenario,
    seeds: [seeds[0], seeds[seeds.length - 1]],
    occupancy: { predictive: r4(ours.occupancy), oracle: r4(oracle.occupancy), oracleTheta: Number(oracle.theta.toPrecision(3)) },
    predictive: inPoints(so),
    oracle: inPoints(sr),
    gap: lostGap(so, sr),
  });
}

/**
 * `--discrimination`: how well predictive's per-call abandon prediction ranks its calls that needed an agent, against
 * the laws oracle's and the clairvoyant oracle's predictions of the same calls (sim/discrimination.ts), pooled over the
 * seeds, as one JSON line: per predictor the AUC, Brier score, mean prediction, the share of the abandons among its
 * riskiest tenth of calls, and the calibration table (bin upper edge: calls, predicted, abandoned).
 */
function discriminationLine(scenario: string, seeds: number[], rs: SimResult[]): string {
  const records = rs.flatMap((r) => (r.discrimination ? readRecords(r.discrimination.records) : []));
  const unscored = rs.reduce(
    (a, r) => ({
      calls: a.calls + (r.discrimination?.unscored.calls ?? 0),
      abandoned: a.abandoned + (r.discrimination?.unscored.abandoned ?? 0),
    }),
    { calls: 0, abandoned: 0 },
  );
  const d = summarizeDiscrimination(records, unscored);
  const r3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
  return JSON.stringify({
    discrimination: scenario,
    seeds: [seeds[0], seeds[seeds.length - 1]],
    calls: d.calls,
    abandoned: d.abandoned,
    unscored: d.unscored,
    ...Object.fromEntries(
      PREDICTORS.map((p) => {
        const s = d.predictors[p];
        return [
          p,
          {
            auc: r3(s.auc),
            brier: Number(s.brier.toPrecision(4)),
            meanPredicted: Number(s.meanPredicted.toPrecision(3)),
            topDecileAbandons: r3(s.topDecileAbandons),
            bins: Object.fromEntries(
              s.bins.map((b, i) => [String(DISCRIMINATION_EDGES[i]), [b.calls, Math.round(b.predicted * 10) / 10, b.abandoned]]),
            ),
          },
        ];
      }),
    ),
  });
}
