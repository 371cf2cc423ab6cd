/**
 * One campaign tick as a pure step: given the campaign's settings, the clock,
 * the calls it has up and the agents' snapshot, may it dial now and how many
 * calls does it start. The runner is the interpreter (it reads Redis and the
 * driver, claims, originates); the pacing simulator (bench/sim) calls this same
 * function in virtual time, so the bench measures the code production runs:
 * the window check, the campaign → pacing-mode mapping, the phase → pacing
 * call counts, the trunk and campaign caps and the predictive estimates with
 * the abandon ledger.
 */
import type { Campaign } from '../../domain/campaign';
import {
  decideTick,
  observe,
  type AgentSnapshot,
  type BreakSnapshot,
  type EstimatorState,
  type Estimates,
  type PacingMode,
  type PredictiveMode,
  type TickDecision,
} from '../../pacing';
import { closingAt, dialWindow, type DialWindow } from '../../rules/hours';
import type { LedgerWindow } from '../../store/abandon-ledger';
import type { CallPhase } from '../call-flow';

/** The campaign settings a tick reads. */
export type TickCampaign = Pick<
  Campaign,
  | 'mode'
  | 'hours'
  | 'period'
  | 'ratio'
  | 'ratioTable'
  | 'abandonTargetPct'
  | 'abandonThresholdSec'
  | 'maxConcurrentCalls'
  | 'callsPerSecond'
>;

/** What the tick needs of one call in progress. */
export interface SessionView {
  phase: CallPhase;
  startedAt: number;
  /** When the person was found (queued calls wait from then). */
  personAt?: number;
}

export interface CampaignTickInput {
  now: number;
  campaign: TickCampaign;
  /** Overrides for predictive pacing: the deployment's (`pacing.predictive`), or any of the mode's options (the bench's `--mode-options`). */
  predictive?: Omit<PredictiveMode, 'kind'>;
  sessions: Iterable<SessionView>;
  agents: readonly AgentSnapshot[];
  /** Agents of the campaign's groups on a break, with since when (predictive's `breakLaw` reads them). */
  onBreak?: readonly BreakSnapshot[];
  /** Calls this campaign started in the last second. */
  startedLastSecond: number;
  /** The trunk's limits (absent or 0: none) and its use now across campaigns. */
  trunk?: { channels: number; callsPerSecond: number };
  trunkInUse: number;
  trunkStartedLastSecond: number;
  /** Live estimates (predictive only) and the abandon ledger over the campaign's budget window. */
  estimates?: Estimates;
  ledger?: LedgerWindow;
  /**
   * When today's dialling stops (ms), where the caller knows it better than the campaign's hours (the simulator's shift
   * end). Absent: the end of the open stretch of the campaign's hours, or its period's end (`closingAt`).
   */
  closesAt?: number;
}

export type CampaignTickResult =
  { window: DialWindow; decision?: undefined } | { window: DialWindow & { ok: true }; decision: TickDecision };

/** The campaign's dial window now: period and hours. The runner asks it first, before dialling due callbacks. */
export function tickWindow(c: Pick<TickCampaign, 'hours' | 'period'>, now: number): DialWindow {
  return dialWindow({ hours: c.hours, period: c.period }, now);
}

export function campaignTick(i: CampaignTickInput): CampaignTickResult {
  const c = i.campaign;
  const window = tickWindow(c, i.now);
  if (!window.ok) return { window };
  const calls = { ringing: [] as number[], queued: [] as number[], connected: 0 };
  for (const s of i.sessions) {
    if (s.phase === 'dialing' || s.phase === 'analysing') calls.ringing.push(s.startedAt);
    else if (s.phase === 'awaiting_agent' || s.phase === 'connecting') calls.queued.push(s.personAt ?? i.now);
    else if (s.phase === 'connected') calls.connected++;
  }
  const mode = pacingMode(c, i.predictive);
  const decision = decideTick({
    now: i.now,
    mode,
    agents: i.agents,
    ...(i.onBreak && i.onBreak.length > 0 ? { onBreak: i.onBreak } : {}),
    calls,
    caps: {
      maxSimultaneousCalls: c.maxConcurrentCalls,
      trunk: trunkCaps(i.trunk, i.trunkInUse, { cps: c.callsPerSecond, started: i.startedLastSecond }, i.trunkStartedLastSecond),
    },
    estimates: withLedger(i.estimates, i.ledger),
    // Only predictive pacing reads the close; other modes skip the walk over the hours on every tick.
    ...(mode.kind === 'predictive' ? closeOf(i) : {}),
  });
  return { window, decision };
}

/** The close of today's dialling for the tick input: the caller's, else the hours' and period's (none around the clock). */
function closeOf(i: CampaignTickInput): { closesAt?: number } {
  const at = i.closesAt ?? closingAt({ hours: i.campaign.hours, period: i.campaign.period }, i.now);
  return at === null || at === undefined ? {} : { closesAt: at };
}

/**
 * The estimator after a tick's calls were claimed: predictive pacing is told
 * what the calls it placed are expected to cost (its calibration), pro rata
 * when fewer contacts were claimed than the decision wanted.
 */
export function afterPlaced(est0: EstimatorState, decision: TickDecision, placed: number, now: number): EstimatorState {
  const est = afterTick(est0, decision, placed, now);
  const expected = Number(decision.trace.figures.expectedAbandons ?? 0);
  if (decision.trace.mode !== 'predictive' || placed <= 0 || decision.calls <= 0 || !Number.isFinite(expected)) return est;
  // The per-call threshold the calls were placed under (predictive learns its threshold from these and the spend).
  const risk = Number(decision.trace.figures.perCallRisk);
  // And the learnt threshold before the guards bounded it (the prior of the next one with thresholdPriorLearnt).
  const learnt = Number(decision.trace.figures.learntThreshold);
  // calibrationOwnCalls: the model's own calls among those placed (the first ownCalls; ownPlaced below), at their share
  // of what the decision expected of them.
  const own = ownPlaced(decision, placed);
  const expectedOwn = Number(decision.trace.figures.expectedAbandonsOwn);
  const ownCalls = Number(decision.trace.figures.ownCalls);
  return observe(est, {
    type: 'placed',
    at: now,
    calls: placed,
    expectedAbandons: (expected * placed) / decision.calls,
    ...(own !== undefined && Number.isFinite(expectedOwn) ? { expectedOwn: own > 0 ? (expectedOwn * own) / ownCalls : 0 } : {}),
    ...(Number.isFinite(risk) && risk >= 0 ? { risk } : {}),
    ...(Number.isFinite(learnt) && learnt >= 0 ? { learnt } : {}),
  });
}

/**
 * How many of the `placed` calls (the first ones of the decision) were placed on the model's own prediction, when the
 * decision says (predictive's calibrationOwnCalls: its `ownCalls` figure); undefined otherwise. The caller tags the
 * rest, so that their abandons are told `own: false`.
 */
export function ownPlaced(decision: TickDecision, placed: number): number | undefined {
  const own = decision.trace.figures.ownCalls;
  if (decision.trace.mode !== 'predictive' || typeof own !== 'number') return undefined;
  return Math.max(0, Math.min(own, placed));
}

/**
 * Every predictive tick's supply, for a mode that reads it (its trace says `keepSupply`; predictive's
 * `meanwhileBySupply`): short when no agent is ready beyond the persons already waiting, with the calls placed on it;
 * for `meanwhileByNoneFreed` (`keepSupply: 'noneFreed'`), the tick with the window the model gave, which the estimator
 * holds against the agents freed and the calls placed in it (meanwhile.ts windowedSupply).
 * The runner calls this on every tick, placed or not (afterPlaced does when calls were placed).
 */
export function afterTick(est: EstimatorState, decision: TickDecision, placed: number, now: number): EstimatorState {
  const t = decision.trace;
  if (t.mode !== 'predictive') return est;
  const calls = Math.max(0, placed);
  if (t.figures.keepSupply === 'noneFreed') {
    // The window is the model's (its live ring mean); a tick where the model did not run keeps the last one it gave.
    const w = t.figures.meanwhileWindowMs;
    const windowMs = typeof w === 'number' && w > 0 ? w : est.supplyLast?.windowMs;
    if (windowMs === undefined) return est;
    return observe(est, { type: 'supply', at: now, short: false, calls, windowMs });
  }
  if (t.figures.keepSupply !== true) return est;
  return observe(est, { type: 'supply', at: now, short: t.agents.ready <= t.calls.queued, calls });
}

export function pacingMode(
  c: Pick<TickCampaign, 'mode' | 'ratio' | 'ratioTable' | 'abandonTargetPct' | 'abandonThresholdSec' | 'maxConcurrentCalls'>,
  p?: Omit<PredictiveMode, 'kind'>,
): PacingMode {
  switch (c.mode) {
    case 'progressive':
      return { kind: 'progressive' };
    case 'power':
      return c.ratioTable && c.ratioTable.length > 0
        ? { kind: 'progressive', ratioTable: c.ratioTable }
        : { kind: 'power', ratio: c.ratio };
    case 'predictive':
      return {
        kind: 'predictive',
        targetAbandonRate: c.abandonTargetPct / 100,
        maxAbandonRate: c.abandonTargetPct / 100,
        abandonThresholdMs: c.abandonThresholdSec * 1000,
        ...p,
      };
    case 'agentless':
      return { kind: 'agentless', maxLines: c.maxConcurrentCalls > 0 ? c.maxConcurrentCalls : 10 };
  }
}

/** The abandon figures over the campaign's budget window (Redis ledger) replace the estimator's shorter window when they hold more. */
export function withLedger<E extends { abandon: { live: number; abandoned: number; rate: number } }>(
  e: E | undefined,
  ledger: LedgerWindow | undefined,
): E | undefined {
  if (!e || !ledger || ledger.live < e.abandon.live) return e;
  return {
    ...e,
    abandon: { ...e.abandon, live: ledger.live, abandoned: ledger.abandoned, rate: ledger.live > 0 ? ledger.abandoned / ledger.live : 0 },
  };
}

/**
 * The trunk caps for one campaign's tick: channels shared by all campaigns,
 * and whichever calls-per-second limit leaves less room now, the campaign's
 * own or the trunk's (which every campaign of this process shares).
 */
export function trunkCaps(
  trunk: { channels: number; callsPerSecond: number } | undefined,
  inUse: number,
  campaign: { cps: number; started: number },
  trunkStarted: number,
): { channels: number; inUse: number; callsPerSecond: number; startedLastSecond: number } {
  const campaignRoom = campaign.cps > 0 ? campaign.cps - campaign.started : Infinity;
  const trunkRoom = trunk && trunk.callsPerSecond > 0 ? trunk.callsPerSecond - trunkStarted : Infinity;
  const byTrunk = trunkRoom < campaignRoom;
  return {
    channels: trunk?.channels ?? 0,
    inUse,
    callsPerSecond: byTrunk ? trunk!.callsPerSecond : Math.max(0, campaign.cps),
    startedLastSecond: byTrunk ? trunkStarted : campaign.started,
  };
}
