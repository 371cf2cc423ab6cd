/**
 * Pacing: how many calls a campaign should start on this tick. Everything here
 * is a pure function of explicit inputs (times are epoch milliseconds passed
 * in as `now`); the runner gathers the inputs from Redis and the driver, and
 * the pacing simulator (bench/sim) gathers them from its virtual clock.
 */
import type { RatioRow } from '../domain/ratio-table';
import type { Estimates } from './estimator';

/** An agent of the campaign's groups who is logged in and not on break/away. */
export interface AgentSnapshot {
  /**
   * ready: on hold music, waiting for a call; reserved: picked for a live
   * answer, being connected; talking: bridged; wrapup: after-call work.
   */
  state: 'ready' | 'reserved' | 'talking' | 'wrapup';
  /** When the agent entered `state` (ms). */
  since: number;
  /** The agent's id, where the desk knows it (pacing itself never reads it; the runner keeps callback owners' agents out). */
  agentId?: string;
}

/** An agent on a break (the desk's `break` state): since when, and who where the desk knows it. */
export interface BreakSnapshot {
  since: number;
  agentId?: string;
}

/** The campaign's customer legs right now. */
export interface CallsSnapshot {
  /** Start times (ms) of calls placed and not yet resolved: ringing, early media, or answered under analysis. */
  ringing: number[];
  /** Answer times (ms) of live answers waiting for an agent (inside the abandon threshold). */
  queued: number[];
  /** Customer legs connected to an agent or bot. */
  connected: number;
}

export interface ProgressiveMode {
  kind: 'progressive';
  /** Seed 002's table (by number of waiting agents); absent: 1 call per waiting agent. */
  ratioTable?: readonly RatioRow[];
}

export interface PowerMode {
  kind: 'power';
  /** Calls in flight per waiting agent, fixed (e.g. 2.0). */
  ratio: number;
}

export interface PredictiveMode {
  kind: 'predictive';
  /** Abandon rate to steer toward (fraction; default 0.03, FCC/Ofcom). */
  targetAbandonRate?: number;
  /** Never exceed this (fraction; default 0.03). */
  maxAbandonRate?: number;
  /** Fraction of the cap kept in reserve against estimation noise (default 0.15). */
  safetyMargin?: number;
  /**
   * The margin instead of safetyMargin when horizonToClose is on and the close is known (default 0.15, as safetyMargin;
   * campaigns open around the clock keep safetyMargin). Round fifteen measured 0.05 and 0.1: not kept.
   */
  safetyMarginToClose?: number;
  /** A live answer without an agent within this is abandoned (default 2000 ms, FCC 64.1200(a)(7)). */
  abandonThresholdMs?: number;
  /** How far ahead the abandon budget is spread (default 1 800 000 ms, 30 min). */
  budgetHorizonMs?: number;
  /**
   * Pseudo-answers at the setpoint behind a per-call threshold learnt from the spend (default 200, round thirteen; 0:
   * the budget's τ ÷ the calibration factor, the default up to round twelve).
   */
  thresholdPriorAnswers?: number;
  /**
   * With a learnt threshold: learn it from the last hour's spend (the estimator's handle window), not the whole window's
   * (default true).
   */
  thresholdRecent?: boolean;
  /**
   * With a learnt threshold: the rate of the shift guard's budget that bounds it (default 0: the setpoint, target × (1 −
   * safetyMargin), which makes the guard the budget's τ ÷ calibration when shiftGuardHorizonMs is budgetHorizonMs).
   */
  shiftGuardRate?: number;
  /** How far ahead the shift guard spreads what is left of its budget (default 1 800 000 ms, 30 min). */
  shiftGuardHorizonMs?: number;
  /**
   * The shift guard on the spread (shift-guard.ts), with or without a learnt threshold: the largest chance allowed that
   * the window's abandon rate is over `maxAbandonRate` at a point of the next `shiftGuardHorizonMs`, the abandons to
   * come Poisson (default 0.2, round thirteen; 0: off).
   */
  shiftGuardChance?: number;
  /** Abandons come in bursts of about this many, for the spread guard (default 1: Poisson). */
  shiftGuardDispersion?: number;
  /**
   * The earliest point of the horizon (a fraction) at which the spread guard checks the window's rate (default 0.25:
   * at a quarter, half and the whole horizon; 1: at its end only).
   */
  shiftGuardFirstPoint?: number;
  /**
   * With the close known (`TickInput.closesAt`): the budget's and the guards' horizons end at it, so the answers they
   * count on to dilute the abandons are those that come before today's dialling stops (default false: measured in round
   * fifteen, neutral on its own).
   */
  horizonToClose?: boolean;
  /**
   * The live rate as a local level (live-rate.ts: a random-walk Kalman filter over the estimator's 5 min buckets) that
   * drifts by this fraction of itself per √minute (1 sd), instead of the rate window's live ÷ resolved (default 0: the
   * window's rate; round sixteen measured it, README).
   */
  liveRateDrift?: number;
  /**
   * With horizonToClose on and the close known: the setpoint is the window's rate at the close when the answers still
   * to come abandon at the largest rate that keeps P(over the cap at the close) within this chance (Poisson), where
   * that is above target × (1 − safetyMarginToClose) (default 0: off; round sixteen measured 0.05–0.1: no gain that
   * passed the adoption rule, and 0.1 put 100-agent shifts over 3 %).
   */
  closeSetpointChance?: number;
  /**
   * With a learnt threshold and the close known: the threshold is never under the allowance left to the close per answer
   * still to come before it, ÷ the calibration factor (predictive.ts `thresholdFloor`; default false).
   */
  thresholdFloorToClose?: boolean;
  /**
   * With a learnt threshold: its prior is centred on the mean learnt threshold of the window's decisions before the
   * guards bounded it, not on the mean threshold the calls were placed under (default false).
   */
  thresholdPriorLearnt?: boolean;
  /**
   * Each agent's own pace (the estimator's `agentPace`, learnt from the agent's own ended talks and wrap-ups and shrunk
   * toward the team by empirical Bayes, agent-pace.ts) on the team's laws in the prediction of when that agent is free;
   * needs the agents' ids in the snapshots and the events (default false: round seventeen, README).
   */
  agentPace?: boolean;
  /**
   * The prior talk mean (ms) that the censored talk mean is shrunk toward by `talkPriorTalks` pseudo-talks (talk-mean.ts):
   * (Σ ended + Σ elapsed + k·prior) ÷ (ended + k). Default 0: off, the censored MLE (Σ ended + Σ elapsed) ÷ ended, which
   * with one or two ended talks is several minutes (round eighteen, README).
   */
  talkPriorMs?: number;
  /** Pseudo-talks behind `talkPriorMs` (default 2). */
  talkPriorTalks?: number;
  /**
   * The talk prior's mean is the ended talks' own mean, not `talkPriorMs`: (Σ ended + Σ elapsed) ÷ ended becomes
   * ended mean + Σ elapsed ÷ (ended + k), no figure from outside the campaign (default false; round eighteen, README).
   */
  talkPriorFromEnded?: boolean;
  /**
   * The talk prior (`talkPriorMs` or `talkPriorFromEnded`) only in the budget's 1:1 fallback check ("one more abandon
   * would not fit within the cap over the answers seen and expected"); the model, τ and the guards keep the censored
   * MLE (default false: the prior everywhere; round eighteen, README).
   */
  talkPriorInFallbackOnly?: boolean;
  /**
   * With a learnt threshold: it starts (before any call of the last hour reported its threshold) at the smaller of the
   * budget's τ ÷ calibration and the spread guard, not at τ ÷ calibration (default false; round eighteen, README).
   */
  thresholdStartGuarded?: boolean;
  /**
   * The calls-meanwhile term (calls the campaign places while this one rings, answered before it) at the placement rate
   * of the recent ticks whose supply was short (no agent ready beyond the persons waiting), not the campaign's average
   * rate: given that this call finds no agent, few came free meanwhile, and calls are placed mostly as they do
   * (meanwhile.ts; the estimator's `supply` events, which the runner and the simulator report every tick). Default false
   * (round nineteen, README).
   */
  meanwhileBySupply?: boolean;
  /** Pseudo-calls at the average rate behind `meanwhileBySupply`'s ratio (default 20; 0: the measured ratio alone). */
  meanwhileSupplyPrior?: number;
  /**
   * The calls-meanwhile term at the count of calls that overtook the recent live answers while which no agent came free
   * (placed after the answer's call, answered before it), over that count for all live answers: the term's own count,
   * observed in the case where a call finds no agent (meanwhile.ts, the estimator's `overtaken`, fed by the live
   * answers and the wrap-ups' ends). Not with `meanwhileBySupply`. Default false (round nineteen, README).
   */
  meanwhileByFreed?: boolean;
  /** Pseudo-answers at the overall mean behind `meanwhileByFreed`'s ratio (default 20; 0: the measured ratio alone). */
  meanwhileFreedPrior?: number;
  /**
   * The calls-meanwhile term at the placement rate over a live ring's length (the live ring law's mean) before the
   * recent moments when no agent had come free over it, over that rate before any moment: the term's rate in the case
   * where a call finds no agent, sampled every tick (meanwhile.ts `windowedSupply`; the estimator's `supply` events with
   * their window, and its wrap-ups' ends). One of the three measures at most. Default false (round twenty, README).
   */
  meanwhileByNoneFreed?: boolean;
  /** Pseudo-calls at the average rate behind `meanwhileByNoneFreed`'s ratio (default 20; 0: the measured ratio alone). */
  meanwhileNoneFreedPrior?: number;
  /**
   * The share (0–1) of the calls-meanwhile count's Poisson variance counted in the spread of answers ahead less agents
   * free (default 1: all, as if independent of the agents coming free). Below 1 the count keeps its mean; in the exact
   * small-team tail it is a mix of the Poisson (this share) and the two integers around its mean (count-tail.ts).
   */
  meanwhileVariance?: number;
  /**
   * The calls-meanwhile count's variance less twice its covariance with the agents coming free (the share 1 − 2γ,
   * within [0, 1]), γ measured online over windows of a live ring's length: Cov(calls placed, agents freed) ÷ the calls
   * placed (meanwhile.ts `meanwhileCovariance`; the estimator's windowed `supply` events). Not with `meanwhileBySupply`
   * or a `meanwhileVariance` below 1. Default false (round twenty-one, README).
   */
  meanwhileCovariance?: boolean;
  /**
   * Pseudo-samples at γ = 0 (independence) behind `meanwhileCovariance`'s γ: windows of a live ring's length, or live
   * answers with `meanwhileCovarianceFrom: 'answers'` (default 20; 0: the measured γ alone).
   */
  meanwhileCovariancePrior?: number;
  /**
   * Where `meanwhileCovariance` reads γ: 'windows' (default; the placements and the agents freed over windows of a live
   * ring's length, every tick) or 'answers' (each live answer's overtakers, the calls the term counts, and the agents
   * freed while it rang, within classes of ring time; the estimator's `answered` events and wrap-ups' ends).
   */
  meanwhileCovarianceFrom?: 'windows' | 'answers';
  /**
   * An answer ahead of the new call (a ringing call's, a call placed alongside or meanwhile) counts as demand only while
   * the agent it takes is still busy at the new call's deadline: each answer at u is weighed by 1 − h(x + threshold − u),
   * h the chance that a talk starting now and its wrap-up are over within that time, from the learnt laws (refree.ts;
   * short talks, such as machines put through by mistake, give the agent back in time). Default false (round
   * twenty-two, README).
   */
  refreeAhead?: boolean;
  /**
   * The calibration factor (abandons seen ÷ abandons the model expected) over the model's own calls only: the calls a
   * decision places beyond the model's count (the progressive floor's extra calls) and those of the 1:1 fallbacks are
   * left out of both, their expected abandons and their abandons (the decision's `ownCalls`; the estimator's `placed`
   * `expectedOwn` and `abandoned` `own`). Default false (round twenty-three, README).
   */
  calibrationOwnCalls?: boolean;
  /**
   * The calls-meanwhile count's variance share measured from the dialer's own live answers (meanwhile-share.ts): M's part
   * of the spread with its covariances with the ringing calls' answers and the agents coming free, ÷ its mean, shrunk
   * toward 1 by `meanwhileSharePrior` answers, in [0, 1]. Not with `meanwhileCovariance` or a `meanwhileVariance` below 1.
   * Default false (round twenty-three, README).
   */
  meanwhileShare?: boolean;
  /** Pseudo-answers at share 1 behind `meanwhileShare` (default 50; 0: the measured share alone). */
  meanwhileSharePrior?: number;
  /** `meanwhileShare`'s form: 'poisson' (M's own variance taken as its mean, the default) or 'measured' (measured too). */
  meanwhileShareForm?: 'poisson' | 'measured';
  /**
   * The calls-meanwhile term from the tick's own free-time forecast (round twenty-seven): each agent forecast to come
   * free at v draws one live answer a live ring later, p·(1/p) calls, in place of a flat λ·p (default false).
   */
  meanwhileFromFrees?: boolean;
  /**
   * With `meanwhileFromFrees`: each forecast free's call placed one mean live ring ahead of it, so the frees within one
   * live ring of now (dialled for already: their calls are ringing) are not counted again (round twenty-eight; default
   * false).
   */
  meanwhileFreesLead?: boolean;
  /**
   * With the close known (`TickInput.closesAt`) and farther than a ledger horizon: the budget's 1:1 fallback check, τ,
   * the learnt threshold's budget guard and the spread guard count the answers expected up to the close, not only over
   * `budgetHorizonMs` / `shiftGuardHorizonMs` (the window's rate is judged on the day's answers; round twenty-nine;
   * 'fallback': the 1:1 fallback check only; default 'off').
   */
  ledgerToClose?: 'off' | 'fallback' | 'all';
  /**
   * Agents on a break (`TickInput.onBreak`) count, by a break-length law learnt from the desk's completed breaks
   * (break-law.ts, the estimator's `breaks`, shrunk toward `breakPriorMs`): in the supply, P(back within x + the
   * threshold) each, and in the budget's and the guards' agent count, the expected share of their horizon each is back
   * (default false: agents on a break count for nothing; round nineteen, README).
   */
  breakLaw?: boolean;
  /**
   * With breakLaw: where it counts, 'both', 'supply' (the per-call chance only), 'budget' (the agent count only: τ, the
   * guards, the learnt threshold's guard and the 1:1 fallback check) or 'fallback' (the budget's 1:1 fallback check
   * only, as `talkPriorInFallbackOnly` does with the talk prior) or 'notSpread' (the budget's, not the spread guard's)
   * (round twenty, README).
   */
  breakLawIn?: 'both' | 'supply' | 'budget' | 'fallback' | 'notSpread';
  /**
   * With breakLaw in the budget: it also takes out the share of the present agents expected to go on a break within the
   * horizon, at the rate breaks start per present agent (the breaks seen and under way ÷ the present agent-time, the
   * estimator's `staffedMs`, shrunk toward one break per `breakPriorEveryMs`): counting the returners alone counts, on
   * a steady floor, the agents back from a break but not those leaving for one (default false; round nineteen, README).
   */
  breakLeavers?: boolean;
  /** With breakLeavers: the prior's present time between breaks (ms; default 7 200 000: a break every 2 h). */
  breakPriorEveryMs?: number;
  /** With breakLaw: the prior's mean break (ms; exponential; default 900 000, a 15 min rest break). */
  breakPriorMs?: number;
  /** With breakLaw: pseudo-breaks behind the prior (default 1: a few of the desk's own breaks outweigh it). */
  breakPriorBreaks?: number;
  /**
   * The wrap-up law per class of the talk before it (wrap-ups fed with their talk), not one pooled law (default
   * false: measured in rounds ten and eleven, it pays at a fixed threshold, not under the budget).
   */
  wrapLawByTalk?: boolean;
  /** Samples below which estimates count as thin and pacing leans back toward progressive. */
  minSamples?: { resolved?: number; live?: number; talk?: number };
  /** Upper bound on lines per logged-in agent, whatever the model says (default 8). */
  maxLinesPerAgent?: number;
}

export interface AgentlessMode {
  kind: 'agentless';
  /** Simultaneous lines to keep busy (the bot/IVR's channel count). */
  maxLines: number;
}

export type PacingMode = ProgressiveMode | PowerMode | PredictiveMode | AgentlessMode;

/** Limits that apply whatever the mode. 0 means unlimited for every count. */
export interface Caps {
  /** The campaign's simultaneous customer legs (ringing + queued + connected); seed 002's "max simultaneous calls". */
  maxSimultaneousCalls: number;
  trunk?: {
    /** Channels of the trunk (all campaigns). */
    channels: number;
    /** Channels in use now on that trunk (all campaigns). */
    inUse: number;
    /** Calls per second the trunk accepts. */
    callsPerSecond: number;
    /** Calls started on the trunk in the last 1000 ms (all campaigns). */
    startedLastSecond: number;
  };
  deployment?: {
    /** Running campaigns the deployment allows (seed 001: at most 5 call jobs). */
    runningCampaignLimit: number;
    /** This campaign's 1-based position among running campaigns, by start time. */
    campaignRank: number;
  };
}

export interface TickInput {
  now: number;
  mode: PacingMode;
  agents: readonly AgentSnapshot[];
  /**
   * Agents of the campaign's groups on a break now (logged in, not in `agents`), with when the break began (ms).
   * Predictive's `breakLaw` counts them by when they are expected back; every other reader ignores them.
   */
  onBreak?: readonly BreakSnapshot[];
  calls: CallsSnapshot;
  caps: Caps;
  /** Live estimates (needed by predictive; others ignore them). */
  estimates?: Estimates;
  /**
   * When today's dialling stops (ms): the end of the campaign's open hours or its period, whichever is first. Absent:
   * not known, or open around the clock. Predictive's abandon budget and guards count no answers after it.
   */
  closesAt?: number;
}

export type CapName = 'campaign' | 'trunkChannels' | 'trunkCps' | 'runningCampaigns';

export interface CapTrace {
  /** Calls the mode asked for. */
  wanted: number;
  /** Room left under each cap that applies (absent: no such cap). */
  room: Partial<Record<CapName, number>>;
  /** The cap that cut the number, if any. */
  limitedBy: CapName | null;
}

export interface TickTrace {
  now: number;
  mode: PacingMode['kind'];
  agents: { loggedIn: number; ready: number; reserved: number; talking: number; wrapup: number };
  calls: { ringing: number; queued: number; connected: number; inFlight: number };
  /** Mode-specific figures (ratio, predicted free agents, risk, budget…). */
  figures: Record<string, number | string | boolean | null>;
  caps: CapTrace;
}

export interface TickDecision {
  /** Calls to start now (≥ 0, integer). */
  calls: number;
  /** One sentence: why this number. */
  reason: string;
  /** Everything the decision used: becomes the "pacing trace" event. */
  trace: TickTrace;
}
