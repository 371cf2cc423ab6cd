/**
 * Live estimates for pacing, from attempt events, over rolling time windows.
 *
 * The state is a plain JSON value (the runner may keep it in Redis or rebuild
 * it from the attempt history) made of fixed-width time buckets; `observe`
 * returns a new state and never changes its argument, `estimates` reads a
 * window ending at `now`. Windows roll with bucket granularity.
 */
import { DURATION_BINS, durationBin, talkClass, TALK_CLASSES } from './duration-law';
import { agentPaces, type PaceMoments } from './agent-pace';
import type { LiveBucket } from './live-rate';
import {
  RECENT_MS,
  addCoupling,
  addWindow,
  overtakeOf,
  sumCoupling,
  sumWindows,
  windowedSupply,
  type CouplingTally,
  type OvertakeTally,
  type RecentAnswers,
  type SupplyTally,
  type WindowMoments,
} from './meanwhile';
import type { BreakSample } from './break-law';
import { addShare, sumShare, type ShareTally } from './meanwhile-share';

export interface EstimatorConfig {
  /** Width of one bucket (ms). Windows roll by this step. */
  bucketMs: number;
  /** Window for the live-answer rate and ring-time laws (ms). */
  rateWindowMs: number;
  /** Window for talk and wrap-up times (ms). */
  handleWindowMs: number;
  /** Window for the abandon rate (ms): Ofcom counted per 24 h, the FCC per 30 days; 24 h meets both. */
  abandonWindowMs: number;
  /**
   * Window for each agent's own talk and wrap-up times (ms; predictive's `agentPace`): an agent's speed is a trait of the
   * agent, so a longer window than the team's laws (whose shape may move over the day) gives each agent more calls.
   */
  agentWindowMs: number;
  /**
   * Window for the agents' completed breaks (ms; predictive's `breakLaw`, break-law.ts): a desk's breaks are a few an
   * agent a day, so the law needs a day of them.
   */
  breakWindowMs: number;
  /** Ring-time histogram bin (ms) and bin count; longer rings fall in the last bin. */
  ringBinMs: number;
  ringBins: number;
}

export const DEFAULT_ESTIMATOR_CONFIG: Readonly<EstimatorConfig> = Object.freeze({
  bucketMs: 5 * 60_000,
  rateWindowMs: 30 * 60_000,
  handleWindowMs: 60 * 60_000,
  abandonWindowMs: 24 * 3600_000,
  agentWindowMs: 4 * 3600_000,
  breakWindowMs: 24 * 3600_000,
  ringBinMs: 1000,
  ringBins: 120,
});

/** What happened to an attempt or an agent; `at` is when it happened (ms). */
export type PacingEvent =
  /**
   * The attempt's dialling phase ended: `live` when a person answered (the
   * human verdict; codes 1, 9, 14, 20 all start so), otherwise no answer,
   * busy, machine, fax, SIT, error… `ringMs` = placed → verdict/ending.
   */
  | { type: 'resolved'; at: number; ringMs: number; live: boolean }
  /**
   * A person answered (the human verdict) `ringMs` after the call was placed, told as it happens (`resolved` may come
   * at the call's end): predictive's `meanwhileByFreed` counts each one's overtakers (meanwhile.ts).
   */
  | { type: 'answered'; at: number; ringMs: number }
  /**
   * A live answer found no agent within the threshold: code 14. `own`: whether its call was one the predictive model
   * placed on its own prediction (false: the progressive floor's extra calls, the 1:1 fallbacks'); predictive's
   * `calibrationOwnCalls` counts only those (absent: counted as the model's).
   */
  | { type: 'abandoned'; at: number; own?: boolean }
  /**
   * Calls were placed on a predictive decision that expected them to cause
   * `expectedAbandons` abandons (the decision's trace figure of that name):
   * comparing it with the abandons that follow calibrates the model.
   */
  | {
      type: 'placed';
      at: number;
      calls: number;
      expectedAbandons: number;
      /**
       * Of `expectedAbandons`, the model's own calls' (the decision's first `ownCalls`; predictive's
       * `calibrationOwnCalls`): the floor's extra calls are left out.
       */
      expectedOwn?: number;
      /** The per-call threshold the calls were placed under (the guards' included). */
      risk?: number;
      /** The learnt threshold of that decision, before the guards bounded it (predictive's `thresholdPriorLearnt` reads it). */
      learnt?: number;
    }
  /**
   * A predictive tick (predictive's `meanwhileBySupply` reads these): `short` when no agent was ready beyond the persons
   * already waiting for one, `calls` the calls placed on it. The time until the next tick counts as this tick's
   * supply (at most MAX_SUPPLY_GAP_MS: a longer gap is a runner that stopped ticking). With `windowMs`
   * (`meanwhileByNoneFreed`; `short` is then unread): the time since the last tick counts as this tick's, short when no
   * agent came free (a wrap-up ended) in the window before it, at the calls placed in that window per window
   * (meanwhile.ts windowedSupply).
   */
  | { type: 'supply'; at: number; short: boolean; calls: number; windowMs?: number }
  /** `agentId`: whose talk it was (when known: each agent's own pace is kept too, agent-pace.ts). */
  | { type: 'talkEnded'; at: number; talkMs: number; agentId?: string }
  /** `talkMs`: the talk this wrap-up followed (when known: the wrap-up law is kept per class of it too). */
  | { type: 'wrapEnded'; at: number; wrapMs: number; talkMs?: number; agentId?: string }
  /**
   * An agent of the campaign's groups left a break after `breakMs`: back to work (`returned`), or logged out from it
   * (false). Predictive's `breakLaw` learns when agents on a break come back from these (break-law.ts).
   */
  | { type: 'breakEnded'; at: number; breakMs: number; returned: boolean; agentId?: string }
  /**
   * `agentMs` of agents present (in pacing's snapshot, not on a break) since the last such event: with the breaks,
   * how often a present agent goes on one (predictive's `breakLeavers`).
   */
  | { type: 'staffed'; at: number; agentMs: number };

interface Moments {
  n: number;
  sum: number;
  sq: number;
}

interface Bucket {
  start: number;
  resolved: number;
  live: number;
  abandoned: number;
  /** Abandons the predictive model expected from the calls it placed. */
  expected: number;
  /** Σ calls × the per-call abandon threshold they were placed under, and those calls (absent: none reported one). */
  riskSum?: number;
  riskCalls?: number;
  /** Σ calls × the learnt threshold of their decision (before the guards), and those calls. */
  learntSum?: number;
  learntCalls?: number;
  /** Ring-time histograms of live answers and of everything else. */
  liveRing: number[];
  otherRing: number[];
  talk: Moments;
  wrap: Moments;
  /** Ended talks and wrap-ups per duration bin (duration-law.ts); absent in states from before they were kept. */
  talkHist?: number[];
  wrapHist?: number[];
  /** Ended wrap-ups per class of the talk before them (duration-law.ts talkClass) and duration bin; kept in the handle window only. */
  wrapByTalk?: number[][];
  /** Each agent's ended talks and wrap-ups (events that named the agent); kept in the agent window only. */
  agents?: Record<string, { talk: PaceMoments; wrap: PaceMoments }>;
  /** Predictive ticks' time and calls, all and those whose supply was short (`supply` events; meanwhile.ts). */
  supply?: SupplyTally;
  /** The windowed supply events' windows: calls placed and agents freed in each, their moments (meanwhile.ts). */
  windows?: WindowMoments;
  /** Live answers and the calls that overtook them, all and those while no agent came free (meanwhile.ts). */
  overtaken?: OvertakeTally;
  /** Live answers per ring class: their overtakers and the agents freed while they rang, with products (meanwhile.ts). */
  coupling?: CouplingTally;
  /** Live answers per ring class: the answers ahead, overtakers and agents freed, with products (meanwhile-share.ts). */
  share?: ShareTally;
  /** Abandons of the model's own calls (`abandoned` events not marked `own: false`), and what the model expected of them. */
  abandonedOwn?: number;
  expectedOwn?: number;
  /** Completed breaks: [length ms, 1 returned | 0 logged out]; kept in the break window only. */
  breaks?: [number, 0 | 1][];
  /** Present agent-ms (`staffed` events); kept in the break window. */
  staffedMs?: number;
}

export interface EstimatorState {
  config: EstimatorConfig;
  buckets: Bucket[];
  /** Since the estimator started (the shift): live answers and abandons. */
  total: { live: number; abandoned: number };
  /** The last `supply` event's time and state: the time to the next one is that state's. */
  supplyLast?: { at: number; short: boolean; windowMs?: number };
  /**
   * The last RECENT_MS: when the live answers' calls were placed, and when agents came free (wrap-ups ended), to count
   * each new live answer's overtakers and the agents freed while it rang (meanwhile.ts).
   */
  recent?: RecentAnswers;
}

export interface DurationEstimate {
  n: number;
  meanMs: number;
  sdMs: number;
}

export interface Estimates {
  /** Attempts resolved and live answers in the rate window. */
  resolved: number;
  live: number;
  /** P(person answers | call placed); 0 without samples. */
  liveRate: number;
  /**
   * Calls resolved per ms over the part of the rate window the estimator has
   * seen (the campaign's recent dialling rate: in steady state calls end as
   * fast as they are placed). 0 without samples.
   */
  resolvedPerMs: number;
  ringBinMs: number;
  /** cdf[i] = P(ring ≤ (i+1)·ringBinMs) for live answers / for other endings (all zeros without samples). */
  liveRingCdf: number[];
  otherRingCdf: number[];
  meanLiveRingMs: number;
  talk: DurationEstimate;
  wrap: DurationEstimate;
  /** Ended talks and wrap-ups in the handle window per duration bin (duration-law.ts: the empirical laws). */
  talkHist: number[];
  wrapHist: number[];
  /** Ended wrap-ups in the handle window whose talk is known, per class of that talk (talkClass) and duration bin. */
  wrapByTalk: number[][];
  /**
   * Abandons ÷ live answers in the abandon window (and the abandons the model expected there; the calls placed with a
   * per-call threshold and the sum of those thresholds, so their mean), and since the start.
   */
  abandon: {
    live: number;
    abandoned: number;
    rate: number;
    expected: number;
    /** The same over the model's own calls only (predictive's calibrationOwnCalls; absent in estimates built by hand). */
    abandonedOwn?: number;
    expectedOwn?: number;
    windowMs: number;
    riskCalls: number;
    riskSum: number;
    learntCalls?: number;
    learntSum?: number;
  };
  /** The same spend over the handle window (the last hour by default): what a threshold learnt from recent calls reads. */
  recentSpend?: { live: number; abandoned: number; riskCalls: number; riskSum: number; learntCalls?: number; learntSum?: number };
  shift: { live: number; abandoned: number; rate: number };
  /**
   * Resolved calls and live answers per bucket over the last LIVE_SERIES_MS up to `now`, oldest first: what a tracked
   * live rate reads (live-rate.ts, predictive's `liveRateDrift`).
   */
  liveSeries?: LiveBucket[];
  /**
   * Each agent's pace over the agent window (agent-pace.ts): its talk and wrap-up time as a multiple of the team's,
   * shrunk toward 1 by empirical Bayes; absent when no event named an agent.
   */
  agentPace?: Record<string, AgentPace>;
  /** Predictive ticks over the rate window, all and those whose supply was short (meanwhile.ts); absent without `supply` events. */
  supply?: SupplyTally;
  /** The windowed supply events' windows over the rate window (meanwhile.ts); absent without them. */
  windows?: WindowMoments;
  /** Live answers over the handle window and the calls that overtook them (meanwhile.ts); absent without a live answer. */
  overtaken?: OvertakeTally;
  /** The live answers' overtakers against the agents freed while they rang, per ring class, over the handle window. */
  coupling?: CouplingTally;
  /** The live answers' answers ahead, overtakers and agents freed, per ring class, over the handle window (meanwhile-share.ts). */
  share?: ShareTally;
  /** The agents' completed breaks over the break window (break-law.ts); absent when none ended. */
  breaks?: BreakSample[];
  /** Present agent-ms over the break window (`staffed` events); absent when none was fed. */
  staffedMs?: number;
}

/** One agent's talk and wrap-up pace (1: the team's law) and the ended talks and wrap-ups it rests on. */
export interface AgentPace {
  talk: number;
  wrap: number;
  talks: number;
  wraps: number;
}

/**
 * The longest gap between two `supply` events that counts as time of the first one's supply: ticks come every 250 ms
 * (the runner) or 1 s (the simulator), so a longer gap is a runner that stopped ticking (paused, restarted).
 */
export const MAX_SUPPLY_GAP_MS = 5000;

/** How far back `liveSeries` goes: past the memory of any drift worth using (at 0.005/√min a bucket weighs ~3 h). */
export const LIVE_SERIES_MS = 24 * 3600_000;

export function createEstimator(config: Partial<EstimatorConfig> = {}): EstimatorState {
  const c = { ...DEFAULT_ESTIMATOR_CONFIG, ...config };
  for (const [k, v] of Object.entries(c)) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`estimator ${k} must be a positive number, got ${v}`);
  }
  if (!Number.isInteger(c.ringBins)) throw new RangeError(`estimator ringBins must be an integer, got ${c.ringBins}`);
  return { config: c, buckets: [], total: { live: 0, abandoned: 0 } };
}

function emptyBucket(start: number, bins: number): Bucket {
  const zeros = new Array<number>(bins).fill(0);
  return {
    start,
    resolved: 0,
    live: 0,
    abandoned: 0,
    expected: 0,
    liveRing: zeros,
    otherRing: zeros,
    talk: { n: 0, sum: 0, sq: 0 },
    wrap: { n: 0, sum: 0, sq: 0 },
    talkHist: new Array<number>(DURATION_BINS).fill(0),
    wrapHist: new Array<number>(DURATION_BINS).fill(0),
  };
}

function addDuration(h: number[] | undefined, ms: number): number[] {
  const out = h ? h.slice() : new Array<number>(DURATION_BINS).fill(0);
  out[durationBin(ms)]++;
  return out;
}

function addOvertake(t: OvertakeTally | undefined, overtakers: number, noneFreed: boolean): OvertakeTally {
  const z = t ?? { answers: 0, overtakers: 0, answersNoneFreed: 0, overtakersNoneFreed: 0 };
  return {
    answers: z.answers + 1,
    overtakers: z.overtakers + overtakers,
    answersNoneFreed: z.answersNoneFreed + (noneFreed ? 1 : 0),
    overtakersNoneFreed: z.overtakersNoneFreed + (noneFreed ? overtakers : 0),
  };
}

function addMoment(m: Moments, x: number): Moments {
  return { n: m.n + 1, sum: m.sum + x, sq: m.sq + x * x };
}

function addAgent(agents: Bucket['agents'], id: string, k: 'talk' | 'wrap', ms: number): NonNullable<Bucket['agents']> {
  const zero = { n: 0, sum: 0, sq: 0 };
  const a = agents?.[id] ?? { talk: zero, wrap: zero };
  return { ...agents, [id]: { ...a, [k]: addMoment(a[k], ms) } };
}

function addBin(h: number[], binMs: number, ms: number): number[] {
  const out = h.slice();
  out[Math.min(h.length - 1, Math.max(0, Math.floor(ms / binMs)))]++;
  return out;
}

function checkDuration(name: string, v: number): void {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`pacing event ${name} must be a non-negative number, got ${v}`);
}

/** The state after `ev`. Events may arrive slightly out of order; a late one counts in the newest bucket. */
export function observe(state: EstimatorState, ev: PacingEvent): EstimatorState {
  const c = state.config;
  if (!Number.isFinite(ev.at)) throw new RangeError(`pacing event time must be a number, got ${ev.at}`);
  const last = state.buckets[state.buckets.length - 1];
  const start = Math.floor(ev.at / c.bucketMs) * c.bucketMs;
  const fresh = !last || start > last.start;
  const b: Bucket = fresh ? emptyBucket(start, c.ringBins) : { ...last };
  let total = state.total;
  let supplyLast = state.supplyLast;
  let recent = state.recent;
  switch (ev.type) {
    case 'resolved':
      checkDuration('ringMs', ev.ringMs);
      b.resolved++;
      if (ev.live) {
        b.live++;
        b.liveRing = addBin(b.liveRing, c.ringBinMs, ev.ringMs);
        total = { ...total, live: total.live + 1 };
      } else {
        b.otherRing = addBin(b.otherRing, c.ringBinMs, ev.ringMs);
      }
      break;
    case 'answered': {
      checkDuration('ringMs', ev.ringMs);
      const o = overtakeOf(recent, ev.at, ev.ringMs);
      b.overtaken = addOvertake(b.overtaken, o.overtakers, o.freed === 0);
      b.coupling = addCoupling(b.coupling, ev.ringMs, o.overtakers, o.freed);
      b.share = addShare(b.share, ev.ringMs, o.ahead, o.overtakers, o.freed);
      recent = o.recent;
      break;
    }
    case 'abandoned':
      b.abandoned++;
      // Untold (own absent) counts as the model's: the calibration over its own calls then errs toward caution.
      if (ev.own !== false) b.abandonedOwn = (b.abandonedOwn ?? 0) + 1;
      total = { ...total, abandoned: total.abandoned + 1 };
      break;
    case 'placed':
      checkDuration('expectedAbandons', ev.expectedAbandons);
      b.expected += ev.expectedAbandons;
      if (ev.expectedOwn !== undefined) {
        checkDuration('expectedOwn', ev.expectedOwn);
        b.expectedOwn = (b.expectedOwn ?? 0) + ev.expectedOwn;
      }
      if (ev.risk !== undefined) {
        checkDuration('risk', ev.risk);
        b.riskSum = (b.riskSum ?? 0) + ev.risk * ev.calls;
        b.riskCalls = (b.riskCalls ?? 0) + ev.calls;
      }
      if (ev.learnt !== undefined) {
        checkDuration('learnt', ev.learnt);
        b.learntSum = (b.learntSum ?? 0) + ev.learnt * ev.calls;
        b.learntCalls = (b.learntCalls ?? 0) + ev.calls;
      }
      break;
    case 'supply': {
      checkDuration('calls', ev.calls);
      if (ev.windowMs !== undefined) {
        if (!(ev.windowMs > 0 && Number.isFinite(ev.windowMs)))
          throw new RangeError(`pacing event windowMs must be a positive number, got ${ev.windowMs}`);
        const gap = supplyLast ? Math.min(MAX_SUPPLY_GAP_MS, Math.max(0, ev.at - supplyLast.at)) : 0;
        const w = windowedSupply(recent, ev.at, ev.windowMs, ev.calls);
        // The placements as a rate over the window, held for the gap: Σ gap · (calls in the window ÷ window).
        const worth = (gap * w.windowCalls) / ev.windowMs;
        const t = b.supply ?? { shortMs: 0, allMs: 0, shortCalls: 0, allCalls: 0 };
        b.supply = {
          shortMs: t.shortMs + (w.short ? gap : 0),
          allMs: t.allMs + gap,
          shortCalls: t.shortCalls + (w.short ? worth : 0),
          allCalls: t.allCalls + worth,
        };
        if (gap > 0) b.windows = addWindow(b.windows, gap, ev.windowMs, w.windowCalls, w.windowFreed);
        supplyLast = { at: ev.at, short: w.short, windowMs: ev.windowMs };
        recent = w.recent;
        break;
      }
      const gap = supplyLast ? Math.min(MAX_SUPPLY_GAP_MS, Math.max(0, ev.at - supplyLast.at)) : 0;
      const was = supplyLast?.short ?? false;
      const t = b.supply ?? { shortMs: 0, allMs: 0, shortCalls: 0, allCalls: 0 };
      b.supply = {
        shortMs: t.shortMs + (was ? gap : 0),
        allMs: t.allMs + gap,
        shortCalls: t.shortCalls + (ev.short ? ev.calls : 0),
        allCalls: t.allCalls + ev.calls,
      };
      supplyLast = { at: ev.at, short: ev.short };
      break;
    }
    case 'talkEnded':
      checkDuration('talkMs', ev.talkMs);
      b.talk = addMoment(b.talk, ev.talkMs);
      b.talkHist = addDuration(b.talkHist, ev.talkMs);
      if (ev.agentId !== undefined) b.agents = addAgent(b.agents, ev.agentId, 'talk', ev.talkMs);
      break;
    case 'wrapEnded':
      checkDuration('wrapMs', ev.wrapMs);
      recent = {
        ...recent,
        live: recent?.live ?? [],
        freedAt: [...(recent?.freedAt ?? []).filter((t) => t > ev.at - RECENT_MS), ev.at],
      };
      b.wrap = addMoment(b.wrap, ev.wrapMs);
      b.wrapHist = addDuration(b.wrapHist, ev.wrapMs);
      if (ev.talkMs !== undefined) {
        checkDuration('talkMs', ev.talkMs);
        const cls = talkClass(ev.talkMs);
        const byTalk = b.wrapByTalk ? b.wrapByTalk.slice() : Array.from({ length: TALK_CLASSES }, () => [] as number[]);
        byTalk[cls] = addDuration(byTalk[cls]?.length ? byTalk[cls] : undefined, ev.wrapMs);
        b.wrapByTalk = byTalk;
      }
      if (ev.agentId !== undefined) b.agents = addAgent(b.agents, ev.agentId, 'wrap', ev.wrapMs);
      break;
    case 'breakEnded':
      checkDuration('breakMs', ev.breakMs);
      b.breaks = [...(b.breaks ?? []), [ev.breakMs, ev.returned ? 1 : 0]];
      break;
    case 'staffed':
      checkDuration('agentMs', ev.agentMs);
      b.staffedMs = (b.staffedMs ?? 0) + ev.agentMs;
      break;
    default:
      throw new RangeError(`unknown pacing event type ${(ev as { type: unknown }).type}`);
  }
  const tail = { ...(supplyLast ? { supplyLast } : {}), ...(recent ? { recent } : {}) };
  if (!fresh) return { config: c, buckets: [...state.buckets.slice(0, -1), b], total, ...tail };
  // A new bucket: forget what every window has left; keep histograms only where the rate window can still see them.
  const keepFrom = start - Math.max(c.rateWindowMs, c.handleWindowMs, c.abandonWindowMs, c.agentWindowMs, c.breakWindowMs) - c.bucketMs;
  const histFrom = start - c.rateWindowMs - c.bucketMs;
  const handleFrom = start - c.handleWindowMs - c.bucketMs;
  const agentFrom = start - c.agentWindowMs - c.bucketMs;
  const kept = state.buckets
    .filter((x) => x.start >= keepFrom)
    .map((x) => (x.start >= histFrom || x.liveRing.length === 0 ? x : { ...x, liveRing: [], otherRing: [] }))
    .map((x) => (x.start >= handleFrom || !x.wrapByTalk ? x : { ...x, wrapByTalk: undefined }))
    .map((x) => (x.start >= agentFrom || !x.agents ? x : { ...x, agents: undefined }));
  return { config: c, buckets: [...kept, b], total, ...tail };
}

/** Observes every event in order. */
export function observeAll(state: EstimatorState, events: Iterable<PacingEvent>): EstimatorState {
  let s = state;
  for (const ev of events) s = observe(s, ev);
  return s;
}

function inWindow(b: Bucket, now: number, windowMs: number, bucketMs: number): boolean {
  return b.start + bucketMs > now - windowMs && b.start <= now;
}

function duration(m: Moments): DurationEstimate {
  if (m.n === 0) return { n: 0, meanMs: 0, sdMs: 0 };
  const mean = m.sum / m.n;
  const variance = m.n > 1 ? Math.max(0, (m.sq - m.n * mean * mean) / (m.n - 1)) : 0;
  return { n: m.n, meanMs: mean, sdMs: Math.sqrt(variance) };
}

function cdf(h: number[]): number[] {
  const n = h.reduce((a, b) => a + b, 0);
  const out = new Array<number>(h.length);
  let acc = 0;
  for (let i = 0; i < h.length; i++) {
    acc += h[i];
    out[i] = n > 0 ? acc / n : 0;
  }
  return out;
}

/** The estimates for windows ending at `now`. */
export function estimates(state: EstimatorState, now: number): Estimates {
  const c = state.config;
  let resolved = 0;
  let live = 0;
  let aLive = 0;
  let abandoned = 0;
  let expected = 0;
  let riskSum = 0;
  let riskCalls = 0;
  let learntSum = 0;
  let learntCalls = 0;
  const recentSpend = { live: 0, abandoned: 0, riskCalls: 0, riskSum: 0, learntCalls: 0, learntSum: 0 };
  const liveSeries: LiveBucket[] = [];
  const liveRing = new Array<number>(c.ringBins).fill(0);
  const otherRing = new Array<number>(c.ringBins).fill(0);
  const talk: Moments = { n: 0, sum: 0, sq: 0 };
  const wrap: Moments = { n: 0, sum: 0, sq: 0 };
  const talkHist = new Array<number>(DURATION_BINS).fill(0);
  const wrapHist = new Array<number>(DURATION_BINS).fill(0);
  const wrapByTalk = Array.from({ length: TALK_CLASSES }, () => new Array<number>(DURATION_BINS).fill(0));
  const perAgent: Record<string, { talk: Moments; wrap: Moments }> = {};
  let supply: SupplyTally | undefined;
  let windows: WindowMoments | undefined;
  let overtaken: OvertakeTally | undefined;
  let coupling: CouplingTally | undefined;
  let share: ShareTally | undefined;
  let abandonedOwn = 0;
  let expectedOwn = 0;
  const breaks: BreakSample[] = [];
  let staffedMs = 0;
  for (const b of state.buckets) {
    if (inWindow(b, now, c.breakWindowMs, c.bucketMs)) {
      for (const [ms, r] of b.breaks ?? []) breaks.push({ ms, returned: r === 1 });
      staffedMs += b.staffedMs ?? 0;
    }
    if (b.agents && inWindow(b, now, c.agentWindowMs, c.bucketMs))
      for (const [id, a] of Object.entries(b.agents)) {
        const t = (perAgent[id] ??= { talk: { n: 0, sum: 0, sq: 0 }, wrap: { n: 0, sum: 0, sq: 0 } });
        t.talk = { n: t.talk.n + a.talk.n, sum: t.talk.sum + a.talk.sum, sq: t.talk.sq + a.talk.sq };
        t.wrap = { n: t.wrap.n + a.wrap.n, sum: t.wrap.sum + a.wrap.sum, sq: t.wrap.sq + a.wrap.sq };
      }
    if (b.resolved > 0 && inWindow(b, now, LIVE_SERIES_MS, c.bucketMs))
      liveSeries.push({ start: b.start, resolved: b.resolved, live: b.live });
    if (inWindow(b, now, c.rateWindowMs, c.bucketMs)) {
      if (b.supply) {
        const s = (supply ??= { shortMs: 0, allMs: 0, shortCalls: 0, allCalls: 0 });
        s.shortMs += b.supply.shortMs;
        s.allMs += b.supply.allMs;
        s.shortCalls += b.supply.shortCalls;
        s.allCalls += b.supply.allCalls;
      }
      if (b.windows) windows = sumWindows(windows, b.windows);
      resolved += b.resolved;
      live += b.live;
      for (let i = 0; i < c.ringBins; i++) {
        liveRing[i] += b.liveRing[i];
        otherRing[i] += b.otherRing[i];
      }
    }
    if (inWindow(b, now, c.handleWindowMs, c.bucketMs)) {
      if (b.overtaken) {
        const o = (overtaken ??= { answers: 0, overtakers: 0, answersNoneFreed: 0, overtakersNoneFreed: 0 });
        o.answers += b.overtaken.answers;
        o.overtakers += b.overtaken.overtakers;
        o.answersNoneFreed += b.overtaken.answersNoneFreed;
        o.overtakersNoneFreed += b.overtaken.overtakersNoneFreed;
      }
      if (b.coupling) coupling = sumCoupling(coupling, b.coupling);
      if (b.share) share = sumShare(share, b.share);
      talk.n += b.talk.n;
      talk.sum += b.talk.sum;
      talk.sq += b.talk.sq;
      wrap.n += b.wrap.n;
      wrap.sum += b.wrap.sum;
      wrap.sq += b.wrap.sq;
      for (let i = 0; i < DURATION_BINS; i++) {
        talkHist[i] += b.talkHist?.[i] ?? 0;
        wrapHist[i] += b.wrapHist?.[i] ?? 0;
      }
      recentSpend.live += b.live;
      recentSpend.abandoned += b.abandoned;
      recentSpend.riskCalls += b.riskCalls ?? 0;
      recentSpend.riskSum += b.riskSum ?? 0;
      recentSpend.learntCalls += b.learntCalls ?? 0;
      recentSpend.learntSum += b.learntSum ?? 0;
      if (b.wrapByTalk)
        for (let k = 0; k < TALK_CLASSES; k++) {
          const h = b.wrapByTalk[k];
          if (h) for (let i = 0; i < h.length; i++) wrapByTalk[k][i] += h[i];
        }
    }
    if (inWindow(b, now, c.abandonWindowMs, c.bucketMs)) {
      aLive += b.live;
      abandoned += b.abandoned;
      expected += b.expected ?? 0;
      abandonedOwn += b.abandonedOwn ?? 0;
      expectedOwn += b.expectedOwn ?? 0;
      riskSum += b.riskSum ?? 0;
      riskCalls += b.riskCalls ?? 0;
      learntSum += b.learntSum ?? 0;
      learntCalls += b.learntCalls ?? 0;
    }
  }
  let ringSum = 0;
  for (let i = 0; i < c.ringBins; i++) ringSum += liveRing[i] * (i + 0.5) * c.ringBinMs;
  const t = state.total;
  // The span the rate window covers so far: early in a shift it is shorter than the window.
  const first = state.buckets.find((b) => inWindow(b, now, c.rateWindowMs, c.bucketMs));
  const span = first ? Math.min(c.rateWindowMs, Math.max(c.bucketMs, now - first.start)) : c.rateWindowMs;
  return {
    resolved,
    live,
    liveRate: resolved > 0 ? live / resolved : 0,
    resolvedPerMs: resolved / span,
    ringBinMs: c.ringBinMs,
    liveRingCdf: cdf(liveRing),
    otherRingCdf: cdf(otherRing),
    meanLiveRingMs: live > 0 ? ringSum / live : 0,
    talk: duration(talk),
    wrap: duration(wrap),
    talkHist,
    wrapHist,
    wrapByTalk,
    abandon: {
      live: aLive,
      abandoned,
      rate: aLive > 0 ? abandoned / aLive : 0,
      expected,
      abandonedOwn,
      expectedOwn,
      windowMs: c.abandonWindowMs,
      riskCalls,
      riskSum,
      learntCalls,
      learntSum,
    },
    recentSpend,
    shift: { live: t.live, abandoned: t.abandoned, rate: t.live > 0 ? t.abandoned / t.live : 0 },
    liveSeries,
    ...(Object.keys(perAgent).length > 0 ? { agentPace: paces(perAgent) } : {}),
    ...(supply ? { supply } : {}),
    ...(windows ? { windows } : {}),
    ...(overtaken ? { overtaken } : {}),
    ...(coupling ? { coupling } : {}),
    ...(share ? { share } : {}),
    ...(breaks.length > 0 ? { breaks } : {}),
    ...(staffedMs > 0 ? { staffedMs } : {}),
  };
}

/** Each agent's talk and wrap-up pace (agent-pace.ts), from the agent window's moments. */
function paces(perAgent: Record<string, { talk: Moments; wrap: Moments }>): Record<string, AgentPace> {
  const ids = Object.keys(perAgent);
  const talk = agentPaces(Object.fromEntries(ids.map((id) => [id, perAgent[id]!.talk])));
  const wrap = agentPaces(Object.fromEntries(ids.map((id) => [id, perAgent[id]!.wrap])));
  return Object.fromEntries(
    ids.map((id) => [id, { talk: talk[id] ?? 1, wrap: wrap[id] ?? 1, talks: perAgent[id]!.talk.n, wraps: perAgent[id]!.wrap.n }]),
  );
}
