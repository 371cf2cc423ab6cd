/**
 * Bench-only probes into the predictive model (round fifteen): which estimated quantity costs occupancy. The
 * simulator hands the production predictive mode its own estimates with one or more quantities replaced by the
 * world's truth, and optionally a fixed per-call threshold in place of the controller (learnt threshold, budget,
 * guards, calibration), so that `npm run bench -- pacing --probe …` can sweep that threshold to 3.0 % pooled abandon
 * as the oracles are swept, and compare the model's occupancy there with and without each true quantity.
 *
 * Nothing here is a production path: it rewrites the `Estimates` value the simulator passes to `campaignTick`, the
 * way an estimator that knew the truth would report it (large pseudo-counts, so the life tables are the true laws).
 */
import { binLowerMs, DURATION_BINS, talkClassRange, TALK_CLASSES } from '../../lib/pacing/duration-law';
import type { Estimates } from '../../lib/pacing/estimator';
import type { PredictiveMode } from '../../lib/pacing/types';
import { at, trueLaws } from './oracle';
import { FALSE_PERSON_TALK_SEC, WRAP_SEC, type World } from './scenario';

/** Quantities the probe can make true. */
export const TRUTHS = ['liveRate', 'ringLaws', 'talk', 'wrap', 'wrapByTalk', 'agentSpeed'] as const;
export type Truth = (typeof TRUTHS)[number];

export interface Probe {
  /** Estimated quantities replaced by the world's truth of that minute. */
  truth?: Truth[];
  /** A fixed per-call abandon threshold in place of the controller (no budget, guards or calibration). */
  fixedRisk?: number;
}

/** Pseudo-counts behind a true histogram: enough that censored talks still going weigh nothing. */
const PSEUDO = 100_000;
/** Quadrature points over a uniform (bridge delay, a false person's talk). */
const QUAD = 8;
/** A machine sent to an agent by mistake: wrap-up after it (engine.ts). */
const FALSE_PERSON_WRAP_MS = 2000;

/** What the probe knows of the world: the same facts the laws oracle has. */
export interface ProbeWorld {
  world: World | undefined;
  talkMeanSec: number;
  /** Each agent's talk and wrap-up speed. */
  speeds: readonly { talk: number; wrap: number }[];
  /** The live rate at time t (the daily swing). */
  liveAt: (t: number) => number;
}

const uniformPoints = (lo: number, hi: number) => Array.from({ length: QUAD }, (_, k) => lo + ((k + 0.5) * (hi - lo)) / QUAD);

/** Erlang-2 CDF of mean `mean` at t. */
function erlang2(mean: number, t: number): number {
  if (t <= 0) return 0;
  const u = t / (mean / 2);
  return 1 - Math.exp(-u) * (1 + u);
}

/** A histogram over the duration bins of the CDF F, scaled to `n`. */
function histOf(F: (t: number) => number, n: number): number[] {
  const h = new Array<number>(DURATION_BINS).fill(0);
  let prev = 0;
  for (let i = 0; i < DURATION_BINS; i++) {
    const next = i === DURATION_BINS - 1 ? 1 : F(binLowerMs(i + 1));
    h[i] = Math.max(0, next - prev) * n;
    prev = next;
  }
  return h;
}

interface AgentTruth {
  talkHist: number[];
  wrapHist: number[];
  wrapByTalk: number[][];
  talkMeanMs: number;
  talkSdMs: number;
  wrapMeanMs: number;
  wrapSdMs: number;
}

/**
 * The true laws of the talks (bridge included: the simulator times a talk from the reservation) and wrap-ups the
 * team ends, as histograms: each agent weighted by its throughput (1 ÷ its mean handle time), persons and machines
 * put through by mistake mixed by their share of connects; and the wrap-ups per class of the talk before them.
 */
export function agentTruth(p: ProbeWorld, falsePersonShare: number): AgentTruth {
  const w = p.world;
  const bridge = w ? uniformPoints(w.bridgeSec[0] * 1000, w.bridgeSec[1] * 1000) : [0];
  const fpTalk = uniformPoints(FALSE_PERSON_TALK_SEC[0] * 1000, FALSE_PERSON_TALK_SEC[1] * 1000);
  const fp = w ? falsePersonShare : 0;
  const meanWrap = ((WRAP_SEC[0] + WRAP_SEC[1]) / 2) * 1000;
  const weights = p.speeds.map((s) => 1 / (p.talkMeanSec * 1000 * s.talk + meanWrap * s.wrap));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const personTalk = (a: number, t: number) => {
    let acc = 0;
    for (const b of bridge) acc += erlang2(p.talkMeanSec * 1000 * p.speeds[a]!.talk, t - b);
    return acc / bridge.length;
  };
  const falseTalk = (t: number) => {
    let acc = 0;
    for (const b of bridge) for (const f of fpTalk) acc += t >= b + f ? 1 : 0;
    return acc / (bridge.length * fpTalk.length);
  };
  const personWrap = (a: number, t: number) => {
    const lo = WRAP_SEC[0] * 1000 * p.speeds[a]!.wrap;
    const hi = WRAP_SEC[1] * 1000 * p.speeds[a]!.wrap;
    return t <= lo ? 0 : t >= hi ? 1 : (t - lo) / (hi - lo);
  };
  const falseWrap = (t: number) => (t >= FALSE_PERSON_WRAP_MS ? 1 : 0);
  const talkF = (t: number) => {
    let acc = 0;
    p.speeds.forEach((_, a) => (acc += (weights[a]! / wsum) * personTalk(a, t)));
    return (1 - fp) * acc + fp * falseTalk(t);
  };
  const wrapF = (t: number) => {
    let acc = 0;
    p.speeds.forEach((_, a) => (acc += (weights[a]! / wsum) * personWrap(a, t)));
    return (1 - fp) * acc + fp * falseWrap(t);
  };
  // Per class of the talk before: Σ_agents weight · ((1 − fp) · P(talk in class) · wrap law + fp · the same for a false person).
  const wrapByTalk = Array.from({ length: TALK_CLASSES }, () => new Array<number>(DURATION_BINS).fill(0));
  const classMass = (F: (t: number) => number, c: number) => {
    const [lo, hi] = talkClassRange(c);
    return (Number.isFinite(hi) ? F(hi) : 1) - F(lo);
  };
  for (let c = 0; c < TALK_CLASSES; c++) {
    const row = wrapByTalk[c]!;
    p.speeds.forEach((_, a) => {
      const m = (weights[a]! / wsum) * (1 - fp) * classMass((t) => personTalk(a, t), c);
      if (m > 0) histOf((t) => personWrap(a, t), m * PSEUDO).forEach((v, i) => (row[i]! += v));
    });
    const mf = fp * classMass(falseTalk, c);
    if (mf > 0) histOf(falseWrap, mf * PSEUDO).forEach((v, i) => (row[i]! += v));
  }
  const talkHist = histOf(talkF, PSEUDO);
  const wrapHist = histOf(wrapF, PSEUDO);
  return { talkHist, wrapHist, wrapByTalk, ...moments(talkHist, 'talk'), ...moments(wrapHist, 'wrap') };
}

function moments<K extends 'talk' | 'wrap'>(h: number[], k: K): Record<`${K}MeanMs` | `${K}SdMs`, number> {
  let n = 0;
  let s = 0;
  let q = 0;
  h.forEach((c, i) => {
    const mid = i === 0 ? 500 : binLowerMs(i) * Math.sqrt(1.1);
    n += c;
    s += c * mid;
    q += c * mid * mid;
  });
  const mean = s / n;
  return { [`${k}MeanMs`]: mean, [`${k}SdMs`]: Math.sqrt(Math.max(0, q / n - mean * mean)) } as Record<`${K}MeanMs` | `${K}SdMs`, number>;
}

/** The mode options a probe implies: a fixed threshold needs the guards off; the true wrap-up pairing needs its law. */
export function probeModeOptions(probe: Probe, base: Omit<PredictiveMode, 'kind'> | undefined): Omit<PredictiveMode, 'kind'> {
  const o = { ...base };
  if (probe.fixedRisk !== undefined)
    Object.assign(o, { thresholdPriorAnswers: 200, thresholdRecent: true, shiftGuardRate: 1, shiftGuardChance: 0 });
  if (probe.truth?.includes('wrapByTalk')) o.wrapLawByTalk = true;
  if (probe.truth?.includes('agentSpeed')) o.agentPace = true;
  return o;
}

/**
 * The estimates with the probe's truths in place. A fixed threshold: the learnt threshold's inputs say "θ, nothing
 * spent" (its mean θ over one call, no answers, no abandons), the calibration factor is 1 and the guard (at rate 1)
 * allows the per-call maximum, so predictive's per-call threshold is exactly θ (predictive.ts learntThreshold).
 */
export function probeEstimates(e: Estimates, probe: Probe, p: ProbeWorld, now: number, cache: Map<number, AgentTruth>): Estimates {
  const out: Estimates = { ...e };
  const truth = new Set(probe.truth ?? []);
  const minute = Math.floor(now / 60_000);
  const laws = truth.size > 0 ? trueLaws(p.liveAt(minute * 60_000), p.world) : undefined;
  if (laws) {
    const last = laws.needCdf.length - 1;
    const need = laws.needCdf[last]!;
    if (truth.has('liveRate')) {
      out.liveRate = need;
      // A tracked rate (liveRateDrift) reads the buckets' counts: without them predictive takes this true rate.
      delete out.liveSeries;
    }
    if (truth.has('ringLaws')) {
      const g = laws.horizonMs / laws.needCdf.length;
      const bins = e.liveRingCdf.length;
      const live: number[] = [];
      const other: number[] = [];
      const resTotal = laws.resolvedCdf[last]!;
      for (let i = 0; i < bins; i++) {
        const x = (i + 1) * e.ringBinMs - g;
        live.push(need > 0 ? at(laws.needCdf, x) / need : 0);
        other.push(resTotal - need > 0 ? (at(laws.resolvedCdf, x) - at(laws.needCdf, x)) / (resTotal - need) : 0);
      }
      out.liveRingCdf = live;
      out.otherRingCdf = other;
    }
    if (truth.has('talk') || truth.has('wrap') || truth.has('wrapByTalk')) {
      let a = cache.get(minute);
      if (!a) {
        // With each agent's own speed true (agentSpeed), the team's laws are those of an agent at speed 1 and each agent's
        // pace is its speed: each agent's own law, up to the bridge and a machine's hang-up, which do not scale with it.
        a = agentTruth(truth.has('agentSpeed') ? { ...p, speeds: p.speeds.map(() => UNIT) } : p, laws.falsePersonShare);
        cache.clear();
        cache.set(minute, a);
      }
      if (truth.has('talk')) {
        out.talkHist = a.talkHist;
        out.talk = { n: PSEUDO, meanMs: a.talkMeanMs, sdMs: a.talkSdMs };
      }
      if (truth.has('wrap')) {
        out.wrapHist = a.wrapHist;
        out.wrap = { n: PSEUDO, meanMs: a.wrapMeanMs, sdMs: a.wrapSdMs };
      }
      if (truth.has('wrapByTalk')) out.wrapByTalk = a.wrapByTalk;
    }
  }
  if (truth.has('agentSpeed')) out.agentPace = truePaces(p, truth.has('talk'), truth.has('wrap'));
  if (probe.fixedRisk !== undefined) {
    const th = probe.fixedRisk;
    // The own calls' tallies too (calibrationOwnCalls): the factor stays 1 and θ fixed with the option on.
    out.abandon = { ...e.abandon, live: 0, abandoned: 0, rate: 0, expected: 0, abandonedOwn: 0, expectedOwn: 0, riskCalls: 1, riskSum: th };
    out.recentSpend = { live: 0, abandoned: 0, riskCalls: 1, riskSum: th };
  }
  return out;
}

const UNIT = Object.freeze({ talk: 1, wrap: 1 });

/**
 * Each agent's true pace for predictive's `agentPace`: its speed against the team law it is applied to, the speed-1 law
 * where that law is made true, else the learnt team law, whose mean is the throughput-weighted mean speed.
 */
function truePaces(p: ProbeWorld, talkTrue: boolean, wrapTrue: boolean): NonNullable<Estimates['agentPace']> {
  const meanWrap = ((WRAP_SEC[0] + WRAP_SEC[1]) / 2) * 1000;
  const weights = p.speeds.map((s) => 1 / (p.talkMeanSec * 1000 * s.talk + meanWrap * s.wrap));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const mean = (k: 'talk' | 'wrap') => p.speeds.reduce((a, s, i) => a + (weights[i]! / wsum) * s[k], 0);
  const t = talkTrue ? 1 : mean('talk');
  const w = wrapTrue ? 1 : mean('wrap');
  return Object.fromEntries(p.speeds.map((s, i) => [String(i), { talk: s.talk / t, wrap: s.wrap / w, talks: PSEUDO, wraps: PSEUDO }]));
}

/** Parses `--probe '{"truth":["talk"],"fixedRisk":0.02}'` strictly. */
export function parseProbe(json: string | undefined): Probe | undefined {
  if (json === undefined) return undefined;
  const v: unknown = JSON.parse(json);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`--probe: must be a JSON object, got ${json}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'truth' && k !== 'fixedRisk') throw new Error(`--probe: unknown key "${k}"`);
  if (o.truth !== undefined && !(Array.isArray(o.truth) && o.truth.every((t) => (TRUTHS as readonly unknown[]).includes(t))))
    throw new Error(`--probe: truth must be a list of ${TRUTHS.join(', ')}`);
  if (o.fixedRisk !== undefined && !(typeof o.fixedRisk === 'number' && o.fixedRisk > 0 && o.fixedRisk <= 0.5))
    throw new Error('--probe: fixedRisk must be a number in (0, 0.5]');
  return o as Probe;
}
