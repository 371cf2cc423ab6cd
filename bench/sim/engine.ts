/**
 * Discrete-event pacing simulator on a virtual clock. It drives the real
 * pacing code: the runner's `campaignTick` for the strategy, `observe`/`estimates` for the
 * live estimates, `decideAnswered` (with the call flow's one abandon deadline)
 * for the abandon decision. Only the world (agents, customers, carriers, the
 * detector's errors) is simulated here; `scenario.world` adds what real floors
 * have (see scenario.ts). The `oracle` strategy (oracle.ts) is the ceiling.
 */
import {
  applyCaps,
  createEstimator,
  decideAnswered,
  estimates,
  observe,
  type AgentSnapshot,
  type BreakSnapshot,
  type Caps,
  type EstimatorState,
  type Estimates,
  type PacingEvent,
  type TickDecision,
} from '../../lib/pacing';
import { adaptiveStart, adaptiveStep, ADAPTIVE_DEFAULTS, type AdaptiveState } from './adaptive';
import { EventHeap } from './heap';
import { deriveSeed, Rng } from './prng';
import {
  FALSE_PERSON_TALK_SEC,
  HUMAN_VERDICT_SEC,
  LIVE_RING_SEC,
  NON_LIVE_MIX,
  RING_TIMEOUT_SEC,
  WRAP_SEC,
  type Scenario,
} from './scenario';
import { at, oracleCalls, oracleMarginal, trueLaws, type TrueLaws } from './oracle';
import { bookInterval, emptyLost, uncoveredWhy, type LostTime, type UncoveredWhy } from './lost-time';
import { agentLaws, lawsOracleCalls, lawsOracleMarginal, type LawsAgent } from './laws-oracle';
import { meanMarginal, pushRecord, type Predictor } from './discrimination';
import {
  afterPlaced,
  campaignTick,
  ownPlaced,
  pacingMode,
  type SessionView,
  type TickCampaign,
} from '../../lib/dialer/steps/campaign-tick';
import type { PredictiveMode, TickInput } from '../../lib/pacing/types';
import { predictive } from '../../lib/pacing/predictive';
import { probeEstimates, probeModeOptions, type Probe } from './probe';

export type Strategy =
  /** A campaign run by the runner's own `campaignTick` (bench/sim/campaign.ts builds them). */
  | {
      kind: 'tick';
      name: string;
      campaign: TickCampaign;
      predictive?: Omit<PredictiveMode, 'kind'>;
      tickMs?: number;
      /** Bench-only: true quantities in place of estimated ones, a fixed per-call threshold (probe.ts). */
      probe?: Probe;
    }
  | { kind: 'adaptive'; name: string }
  /** Knows exact agent free times and the true laws; places calls while one more stays within `theta` (oracle.ts). */
  | { kind: 'oracle'; name: string; theta: number }
  /** Knows the true laws and each agent's state, time in it and speed, not the drawn remainders (laws-oracle.ts). */
  | { kind: 'lawsOracle'; name: string; theta: number };

export interface SimOptions {
  seed: number;
  caps?: Caps;
  abandonThresholdMs?: number;
  /** The detector's post-greeting wait before "person" (ms), spent of the threshold. */
  verdictGapMs?: number;
  /**
   * Book the waiting agents' time by when and why (SimResult.lost, lost-time.ts). Off by default: at 100 agents it cost the
   * oracle's run 90 % more CPU and predictive's 35 % (a 2 h shift, round twenty-five).
   */
  lostTime?: boolean;
  /**
   * Score predictive's calls that need an agent: its own abandon prediction, the laws oracle's and the clairvoyant
   * oracle's, against the outcome (SimResult.discrimination, discrimination.ts). Off by default (two oracle marginals
   * per placing tick); the simulation itself is the same with it on (no draw, no decision reads it).
   */
  discrimination?: boolean;
  /** Called with every pacing decision (tests use it to check invariants). */
  onDecision?: (d: TickDecision, now: number) => void;
}

export interface SimResult {
  scenario: string;
  strategy: string;
  seed: number;
  agentHours: number;
  placed: number;
  live: number;
  abandoned: number;
  occupancy: number;
  abandonRate: number;
  talkMinutesPerAgentHour: number;
  meanAgentWaitSec: number;
  /** Largest campaign legs and starts within one second seen. */
  maxLegs: number;
  maxStartsPerSecond: number;
  /**
   * Where the idle time goes (shares of available time): waiting agents' time while the calls in flight were
   * expected to bring fewer persons than agents waiting (persons queued + ringing calls × the true live rate:
   * under-dialled at that moment), and while they were expected to bring enough (dialled for, the answers not
   * in yet).
   */
  idleUnderDialled: number;
  idleAwaitingAnswers: number;
  /**
   * The model's abandon prediction against what happened (strategies that report `expectedAbandons`): each
   * decision's calls are binned by the abandons it expected per call placed, and each bin sums the calls, the
   * abandons expected and the abandons that came of those calls (CALIBRATION_EDGES).
   */
  calibration?: Calibration;
  /**
   * Predictive's calibrationOwnCalls: the abandons of calls tagged as the model's own, and of those tagged not (the
   * floor's extra calls, the fallbacks'); absent when no call was tagged.
   */
  abandonedByTag?: { own: number; notOwn: number };
  /**
   * The waiting agents' time (agent-ms) by when in the shift × why no person was there for them (lost-time.ts); its sum is
   * the idle time of idleUnderDialled + idleAwaitingAnswers. Only with SimOptions.lostTime.
   */
  lost?: LostTime;
  /**
   * Predictive's calls that needed an agent: flat records (discrimination.ts RECORD numbers each: ours, laws, exact,
   * abandoned), and those placed by ticks with no model (1:1 fallback, no estimates). Only with SimOptions.discrimination.
   */
  discrimination?: { records: number[]; unscored: { calls: number; abandoned: number } };
}

/** Upper edges of the calibration bins: abandons the decision expected per call placed. */
export const CALIBRATION_EDGES = [0.0005, 0.002, 0.005, 0.01, 0.02, 0.05, Infinity] as const;

export interface Calibration {
  calls: number[];
  expected: number[];
  observed: number[];
}

type Ev =
  | { t: number; seq: number; kind: 'tick' }
  | { t: number; seq: number; kind: 'resolve'; call: number }
  | { t: number; seq: number; kind: 'talkEnd'; agent: number }
  | { t: number; seq: number; kind: 'wrapEnd'; agent: number }
  | { t: number; seq: number; kind: 'deadline'; call: number }
  | { t: number; seq: number; kind: 'breakDue'; agent: number }
  | { t: number; seq: number; kind: 'breakEnd'; agent: number };

interface Agent {
  state: 'ready' | 'talking' | 'wrapup' | 'break';
  since: number;
  /** A ready spell that began with the agent's return from a break (lost-time.ts: `afterBreak`). */
  fromBreak?: boolean;
  /** When the agent will be free (known in advance only to the oracle). */
  freeAt: number;
}

interface Call {
  startedAt: number;
  /** Calibration bin of the decision that placed it (-1: none). */
  bin: number;
  /** Needs an agent when it resolves: a person, or a machine the detector took for one. */
  live: boolean;
  /** A machine taken for a person: the agent hangs up after a few seconds. */
  falsePerson: boolean;
  ringMs: number;
  /** Predictive's calibrationOwnCalls: true or false as the decision tagged it (the model's own call or not); absent: untold. */
  own?: boolean;
  /** SimOptions.discrimination: the predictions at its tick (discrimination.ts PREDICTORS); null: a tick with no model. */
  pred?: Prediction | null;
}

const SEC = 1000;
/** A call's predictions of P(it finds no agent | it needs one), taken at its tick (discrimination.ts). */
type Prediction = Record<Predictor, number>;
const ESTIMATES_REFRESH_MS = 5000;

export function simulate(sc: Scenario, strategy: Strategy, opts: SimOptions): SimResult {
  const endAt = sc.shiftHours * 3600 * SEC;
  const caps: Caps = opts.caps ?? { maxSimultaneousCalls: 0 };
  const threshold = opts.abandonThresholdMs ?? (strategy.kind === 'tick' ? strategy.campaign.abandonThresholdSec * SEC : 2000);
  // The detector's post-greeting wait, spent of the threshold as in production (dialer.runner.humanVerdictGapMs).
  const verdictGapMs = opts.verdictGapMs ?? 800;
  const rOutcome = new Rng(deriveSeed(opts.seed, 'outcome'));
  const rTalk = new Rng(deriveSeed(opts.seed, 'talk'));
  const rWrap = new Rng(deriveSeed(opts.seed, 'wrap'));
  const rWorld = new Rng(deriveSeed(opts.seed, 'world'));
  const w = sc.world;
  const ringTimeoutMs = (w?.ringTimeoutSec ?? RING_TIMEOUT_SEC) * SEC;
  const heap = new EventHeap<Ev>();
  let idleUnderMs = 0;
  let idleAwaitMs = 0;
  let lastT = 0;
  const lost = emptyLost();
  // The last decision's reason for the agents no call was in flight for, and the live rate the model had then.
  let lastUncovered: UncoveredWhy = 'noCallForThem';
  let lastModelLive: number | undefined;
  const agents: Agent[] = Array.from({ length: sc.agents }, () => ({ state: 'ready' as const, since: 0, freeAt: 0 }));
  // Uneven agents: each has its own talk and wrap-up speed.
  const speed = agents.map(() =>
    w
      ? { talk: rWorld.uniform(1 - w.agentSpread, 1 + w.agentSpread), wrap: rWorld.uniform(1 - w.agentSpread, 1 + w.agentSpread) }
      : { talk: 1, wrap: 1 },
  );
  const breakDue = agents.map(() => false);
  if (w && w.breakMin > 0)
    agents.forEach((_, i) => heap.push({ t: rWorld.uniform(0, w.breakEveryMin) * 60 * SEC, kind: 'breakDue', agent: i }));
  /** Live rate at this time of the shift (the daily swing). */
  const liveAt = (t: number) => Math.min(0.95, sc.liveRate * (1 + (w?.hourSwing ?? 0) * Math.sin((2 * Math.PI * t) / Math.max(1, endAt))));
  // The oracle's true laws, refreshed as the live rate swings.
  let laws: { at: number; value: TrueLaws } | null = null;
  const lawsAt = (t: number) => {
    if (!laws || t - laws.at >= 60 * SEC) laws = { at: t, value: trueLaws(liveAt(t), w) };
    return laws.value;
  };
  const ringing = new Map<number, Call>();
  const queued = new Map<number, number>(); // call id → greeting ended at (insertion order = oldest first)
  const pendingWrap = new Map<number, number>(); // agent → wrap-up drawn at connect
  const lastTalk = new Map<number, number>(); // agent → the talk its wrap-up follows (ms)
  const falseQueued = new Set<number>(); // queued calls that are machines taken for persons
  /** What the oracles (and the discrimination's true-law predictions) are told of the calls in flight now. */
  const oracleView = (now: number) => ({
    now,
    ringing: [...ringing.values()].map((c) => c.startedAt),
    queued: queued.size,
    graceMs: Math.max(0, threshold - verdictGapMs),
    laws: lawsAt(now),
  });
  let connected = 0;
  let nextCall = 0;
  let est: EstimatorState | null = strategy.kind === 'tick' && strategy.campaign.mode === 'predictive' ? createEstimator() : null;
  let breakMs = 0;
  let lastStaffedAt = 0;
  const feed = (ev: PacingEvent) => {
    if (est) est = observe(est, ev);
  };
  // counters
  let placed = 0;
  let live = 0;
  let abandoned = 0;
  let abandonedByTag: { own: number; notOwn: number } | undefined;
  let talkMs = 0;
  let wrapMs = 0;
  let readyMs = 0;
  let handled = 0;
  let maxLegs = 0;
  let maxStarts = 0;
  const starts: number[] = []; // start times within the last second
  const minute: { t: number; drop: boolean }[] = [];
  let adaptive: AdaptiveState | null = strategy.kind === 'adaptive' ? adaptiveStart(0) : null;
  const adaptiveCfg = { ...ADAPTIVE_DEFAULTS, shiftEndsAt: endAt };
  const nBins = CALIBRATION_EDGES.length;
  const calibration: Calibration | undefined = est
    ? { calls: new Array<number>(nBins).fill(0), expected: new Array<number>(nBins).fill(0), observed: new Array<number>(nBins).fill(0) }
    : undefined;
  const queuedBin = new Map<number, number>(); // queued call → its calibration bin
  const queuedOwn = new Map<number, boolean>(); // queued call → the model's own call or not (calibrationOwnCalls)
  // SimOptions.discrimination: the scored calls' records, queued calls' predictions until their outcome, unscored counts.
  const discrimination = opts.discrimination ? { records: [] as number[], unscored: { calls: 0, abandoned: 0 } } : undefined;
  const queuedPred = new Map<number, Prediction | null>();
  const score = (pred: Prediction | null | undefined, wasAbandoned: boolean) => {
    if (!discrimination || pred === undefined) return;
    if (pred === null) {
      discrimination.unscored.calls++;
      if (wasAbandoned) discrimination.unscored.abandoned++;
    } else pushRecord(discrimination.records, { ...pred, abandoned: wasAbandoned });
  };

  // The runner refreshes its estimates every few seconds, not on every tick: the windows are tens of minutes long.
  let cached: { at: number; value: Estimates } | null = null;
  const probe = strategy.kind === 'tick' ? strategy.probe : undefined;
  const probeCache = new Map();
  const probeWorld = { world: w, talkMeanSec: sc.talkMeanSec, speeds: speed, liveAt };
  const currentEstimates = (now: number): Estimates | undefined => {
    if (!est) return undefined;
    if (!cached || now - cached.at >= ESTIMATES_REFRESH_MS) {
      const value = estimates(est, now);
      cached = { at: now, value: probe ? probeEstimates(value, probe, probeWorld, now, probeCache) : value };
    }
    return cached.value;
  };
  const predictiveOptions = strategy.kind === 'tick' && probe ? probeModeOptions(probe, strategy.predictive) : undefined;
  const legs = () => ringing.size + queued.size + connected;
  const setState = (i: number, state: Agent['state'], now: number, freeAt = now, fromBreak = false) => {
    const a = agents[i];
    const d = Math.min(now, endAt) - Math.min(a.since, endAt);
    if (a.state === 'ready') readyMs += d;
    else if (a.state === 'talking') talkMs += d;
    else if (a.state === 'break') breakMs += d;
    else wrapMs += d;
    agents[i] = { state, since: now, freeAt, ...(fromBreak ? { fromBreak } : {}) };
  };
  const connect = (i: number, now: number, falsePerson = false) => {
    // The bridge takes a moment after the reservation; a machine sent by mistake is hung up on quickly.
    const bridge = w ? rWorld.uniform(w.bridgeSec[0], w.bridgeSec[1]) * SEC : 0;
    const talk = falsePerson
      ? rTalk.uniform(FALSE_PERSON_TALK_SEC[0], FALSE_PERSON_TALK_SEC[1]) * SEC
      : rTalk.erlang(2, sc.talkMeanSec * SEC * speed[i]!.talk);
    const wrap = falsePerson ? 2 * SEC : rWrap.uniform(WRAP_SEC[0], WRAP_SEC[1]) * SEC * speed[i]!.wrap;
    pendingWrap.set(i, wrap);
    setState(i, 'talking', now, now + bridge + talk + wrap);
    connected++;
    handled++;
    heap.push({ t: now + bridge + talk, kind: 'talkEnd', agent: i });
  };
  /** An agent back from wrap-up or a break: a break that fell due meanwhile starts now. */
  const becomeReady = (i: number, now: number, fromBreak = false) => {
    if (breakDue[i] && w) {
      breakDue[i] = false;
      const end = now + w.breakMin * 60 * SEC;
      setState(i, 'break', now, end);
      heap.push({ t: end, kind: 'breakEnd', agent: i });
      heap.push({ t: now + w.breakEveryMin * 60 * SEC, kind: 'breakDue', agent: i });
      return false;
    }
    setState(i, 'ready', now, now, fromBreak);
    return true;
  };
  const longestIdle = (): number => {
    let best = -1;
    for (let i = 0; i < agents.length; i++) if (agents[i].state === 'ready' && (best < 0 || agents[i].since < agents[best].since)) best = i;
    return best;
  };
  const readyCount = () => agents.reduce((n, a) => n + (a.state === 'ready' ? 1 : 0), 0);
  const place = (now: number, bin: number, own?: boolean, pred?: Prediction | null) => {
    const id = nextCall++;
    let ringMs: number;
    let isLive = false;
    let falsePerson = false;
    if (rOutcome.next() < liveAt(now)) {
      ringMs = (rOutcome.uniform(LIVE_RING_SEC[0], LIVE_RING_SEC[1]) + HUMAN_VERDICT_SEC) * SEC;
      // Answered after the ring timeout: the call was already cancelled (code 2).
      if (ringMs - HUMAN_VERDICT_SEC * SEC > ringTimeoutMs) ringMs = ringTimeoutMs;
      // The detector calls a person a machine now and then: hung up on, never counted live.
      else isLive = !(w && rOutcome.next() < w.amdFalseMachine);
    } else {
      let u = rOutcome.next();
      let pick = NON_LIVE_MIX[NON_LIVE_MIX.length - 1];
      for (const m of NON_LIVE_MIX) {
        if (u < m.share) {
          pick = m;
          break;
        }
        u -= m.share;
      }
      ringMs = pick.kind === 'no answer' ? ringTimeoutMs : rOutcome.uniform(pick.sec[0], pick.sec[1]) * SEC;
      if (pick.kind === 'machine') {
        if (ringMs - 3.5 * SEC > ringTimeoutMs) ringMs = ringTimeoutMs;
        // A machine the detector takes for a person needs an agent like one (and counts as one).
        else if (w && rOutcome.next() < w.amdFalsePerson) isLive = falsePerson = true;
      }
    }
    ringing.set(id, {
      startedAt: now,
      bin,
      live: isLive,
      falsePerson,
      ringMs,
      ...(own !== undefined ? { own } : {}),
      ...(pred !== undefined ? { pred } : {}),
    });
    heap.push({ t: now + ringMs, kind: 'resolve', call: id });
    placed++;
    starts.push(now);
  };

  /**
   * A predictive tick's three predictions for each of its `n` calls (discrimination.ts): the model's mean P(abandon |
   * needs an agent), the laws oracle's and the clairvoyant oracle's, each averaged over the tick's calls; null when the
   * tick had no model (no per-call threshold: the 1:1 fallback, no estimates).
   */
  const predictions = (d: TickDecision, n: number, now: number, input: Omit<TickInput, 'estimates'>): Prediction | null => {
    const f = d.trace.figures;
    const modelLive = typeof f.liveRate === 'number' ? f.liveRate : 0;
    const est = currentEstimates(now);
    if (typeof f.perCallRisk !== 'number' || !(modelLive > 0) || !est || input.mode.kind !== 'predictive') return null;
    const ours = Number(f.expectedAbandons ?? 0) / (n * modelLive);
    // The same model with no calls placed meanwhile (λ = 0): what the calls-meanwhile term does to the ranking.
    const still = predictive({ ...input, estimates: { ...est, resolvedPerMs: 0 } }, input.mode, d.trace.agents.ready);
    const oursNoMeanwhile = (still.expectedAbandons?.(n) ?? 0) / (n * modelLive);
    const common = oracleView(now);
    const seen = agents.map((a, i): LawsAgent => ({
      state: a.state,
      since: a.since,
      ...(a.state === 'break' ? { breakEndsAt: a.freeAt } : {}),
      talkSpeed: speed[i]!.talk,
      wrapSpeed: speed[i]!.wrap,
    }));
    const aLaws = agentLaws(sc.talkMeanSec, w, common.laws.falsePersonShare);
    const lawsWith = (as: LawsAgent[]) => meanMarginal(lawsOracleMarginal({ ...common, agents: as, agentLaws: aLaws }), n);
    return {
      ours,
      oursNoMeanwhile,
      laws: lawsWith(seen),
      lawsTeam: lawsWith(seen.map((a) => ({ ...a, talkSpeed: 1, wrapSpeed: 1 }))),
      lawsNoBreak: lawsWith(seen.filter((a) => a.state !== 'break')),
      exact: meanMarginal(oracleMarginal({ ...common, freeAt: agents.map((a) => a.freeAt) }), n),
    };
  };

  /** Books the waiting agents' time of [t, t + dt) by when and why (lost-time.ts). */
  const bookLost = (t: number, dt: number) => {
    const L = lawsAt(t);
    const needTotal = at(L.needCdf, L.horizonMs);
    const trueLive = liveAt(t);
    const scale = lastModelLive !== undefined && trueLive > 0 ? lastModelLive / trueLive : 1;
    let cover = queued.size;
    let coverEstimated = queued.size;
    for (const c of ringing.values()) {
      const age = t - c.startedAt;
      const alive = 1 - at(L.resolvedCdf, age);
      const q = alive > 1e-9 ? Math.max(0, Math.min(1, (needTotal - at(L.needCdf, age)) / alive)) : 0;
      cover += q;
      coverEstimated += Math.min(1, q * scale);
    }
    const waitingAgents = agents.filter((a) => a.state === 'ready').sort((a, b) => a.since - b.since);
    bookInterval(lost, {
      t,
      dt,
      shiftMs: endAt,
      waiting: waitingAgents.map((a) => ({ fromBreak: a.fromBreak === true })),
      cover,
      coverEstimated,
      uncovered: lastUncovered,
    });
  };
  const tickMs = strategy.kind === 'tick' ? (strategy.tickMs ?? 1000) : 500;
  heap.push({ t: 0, kind: 'tick' });
  for (;;) {
    const ev = heap.pop();
    if (!ev || ev.t > endAt) break;
    const now = ev.t;
    // Between events nothing changes: waiting agents × elapsed time, by what was in flight for them.
    const waiting = readyCount();
    if (waiting > 0) {
      const idle = waiting * (now - lastT);
      if (queued.size + ringing.size * liveAt(lastT) < waiting) idleUnderMs += idle;
      else idleAwaitMs += idle;
      if (opts.lostTime) bookLost(lastT, now - lastT);
    }
    lastT = now;
    switch (ev.kind) {
      case 'tick': {
        while (starts.length && starts[0] <= now - SEC) starts.shift();
        while (minute.length && minute[0].t <= now - 60 * SEC) minute.shift();
        let n: number;
        // calibrationOwnCalls: how many of the tick's calls are the model's own (the rest its abandons tell as not).
        let ownN: number | undefined;
        let bin = -1;
        let pred: Prediction | null | undefined;
        if (strategy.kind === 'oracle' || strategy.kind === 'lawsOracle') {
          const ready = readyCount();
          const inFlight = ringing.size + queued.size;
          const common = { ...oracleView(now), theta: strategy.theta, maxCalls: 8 * agents.length };
          const m =
            strategy.kind === 'oracle'
              ? oracleCalls({ ...common, freeAt: agents.map((a) => a.freeAt) })
              : lawsOracleCalls({
                  ...common,
                  agents: agents.map((a, i): LawsAgent => ({
                    state: a.state,
                    since: a.since,
                    // A break's end is known (fixed length); a talk's or wrap-up's is not.
                    ...(a.state === 'break' ? { breakEndsAt: a.freeAt } : {}),
                    talkSpeed: speed[i]!.talk,
                    wrapSpeed: speed[i]!.wrap,
                  })),
                  agentLaws: agentLaws(sc.talkMeanSec, w, common.laws.falsePersonShare),
                });
          n = applyCaps(Math.max(m, ready - inFlight), withTrunk(caps, legs(), starts.length), {
            ringing: [...ringing.values()].map((c) => c.startedAt),
            queued: [...queued.values()],
            connected,
          }).calls;
        } else if (strategy.kind === 'tick') {
          // Agents on a break are not offered to pacing (the desk's snapshot leaves them out).
          // Those on a break are reported as the desk reports them: since when, never when the break will end.
          const snap: AgentSnapshot[] = [];
          const onBreak: BreakSnapshot[] = [];
          agents.forEach((a, i) => {
            if (a.state !== 'break') snap.push({ state: a.state as AgentSnapshot['state'], since: a.since, agentId: String(i) });
            else onBreak.push({ since: a.since, agentId: String(i) });
          });
          // Present agent-time since the last tick, as the runner feeds it (how often present agents go on a break).
          if (now > lastStaffedAt) feed({ type: 'staffed', at: now, agentMs: snap.length * (now - lastStaffedAt) });
          lastStaffedAt = now;
          const sessions: SessionView[] = [];
          for (const c of ringing.values()) sessions.push({ phase: 'dialing', startedAt: c.startedAt });
          for (const personAt of queued.values()) sessions.push({ phase: 'awaiting_agent', startedAt: personAt, personAt });
          for (let k = 0; k < connected; k++) sessions.push({ phase: 'connected', startedAt: now });
          const { decision: d } = campaignTick({
            now,
            campaign:
              caps.maxSimultaneousCalls > 0 ? { ...strategy.campaign, maxConcurrentCalls: caps.maxSimultaneousCalls } : strategy.campaign,
            predictive: predictiveOptions ?? strategy.predictive,
            sessions,
            agents: snap,
            onBreak,
            startedLastSecond: starts.length,
            trunk: caps.trunk,
            trunkInUse: legs(),
            trunkStartedLastSecond: starts.length,
            estimates: currentEstimates(now),
            // The shift's end is the close of the simulated day's dialling (the campaign itself is open around the clock).
            closesAt: endAt,
          });
          if (!d)
            throw new Error(
              `simulated campaign ${strategy.name} is outside its hours at ${now} ms: the simulator's campaigns are open around the clock`,
            );
          opts.onDecision?.(d, now);
          lastUncovered = uncoveredWhy(d.trace, d.reason);
          lastModelLive = typeof d.trace.figures.liveRate === 'number' ? d.trace.figures.liveRate : undefined;
          n = d.calls;
          if (discrimination && n > 0)
            pred = predictions(d, n, now, {
              now,
              mode: pacingMode(strategy.campaign, predictiveOptions ?? strategy.predictive),
              agents: snap,
              ...(onBreak.length > 0 ? { onBreak } : {}),
              calls: { ringing: [...ringing.values()].map((c) => c.startedAt), queued: [...queued.values()], connected },
              caps: { maxSimultaneousCalls: 0 },
              closesAt: endAt,
            });
          ownN = ownPlaced(d, n);
          if (est) est = afterPlaced(est, d, n, now);
          if (calibration && n > 0) {
            const expected = Number(d.trace.figures.expectedAbandons ?? 0);
            bin = CALIBRATION_EDGES.findIndex((edge) => expected / n < edge);
            calibration.calls[bin] += n;
            calibration.expected[bin] += expected;
          }
        } else {
          const ready = readyCount();
          const drops = minute.filter((m) => m.drop).length;
          const step = adaptiveStep(
            adaptive!,
            {
              now,
              agents: agents.length,
              ready,
              waiting: queued.size,
              inProgress: legs(),
              minute: { live: minute.length, drops },
              today: { live, drops: abandoned },
            },
            adaptiveCfg,
          );
          adaptive = step.state;
          n = applyCaps(step.calls, withTrunk(caps, legs(), starts.length), {
            ringing: [...ringing.values()].map((c) => c.startedAt),
            queued: [...queued.values()],
            connected,
          }).calls;
        }
        for (let i = 0; i < n; i++) place(now, bin, ownN === undefined ? undefined : i < ownN, pred);
        maxLegs = Math.max(maxLegs, legs());
        maxStarts = Math.max(maxStarts, starts.length);
        heap.push({ t: now + tickMs, kind: 'tick' });
        break;
      }
      case 'resolve': {
        const c = ringing.get(ev.call)!;
        ringing.delete(ev.call);
        feed({ type: 'resolved', at: now, ringMs: c.ringMs, live: c.live });
        if (!c.live) break;
        feed({ type: 'answered', at: now, ringMs: c.ringMs });
        live++;
        const d = decideAnswered({ now, verdictAt: now, verdictGapMs, readyAgents: readyCount(), thresholdMs: threshold });
        if (d.action === 'reserve') {
          minute.push({ t: now, drop: false });
          score(c.pred, false);
          connect(longestIdle(), now, c.falsePerson);
        } else if (d.action === 'wait') {
          queued.set(ev.call, now);
          if (c.pred !== undefined) queuedPred.set(ev.call, c.pred);
          if (c.bin >= 0) queuedBin.set(ev.call, c.bin);
          if (c.falsePerson) falseQueued.add(ev.call);
          if (c.own !== undefined) queuedOwn.set(ev.call, c.own);
          heap.push({ t: d.deadline, kind: 'deadline', call: ev.call });
        }
        break;
      }
      case 'deadline': {
        const greetingEnd = queued.get(ev.call);
        if (greetingEnd === undefined) break; // an agent took it in time
        const d = decideAnswered({ now, verdictAt: greetingEnd, verdictGapMs, readyAgents: readyCount(), thresholdMs: threshold });
        if (d.action !== 'abandon') throw new Error(`simulator: expected abandon at the deadline, got ${d.action}`);
        queued.delete(ev.call);
        falseQueued.delete(ev.call);
        const cb = queuedBin.get(ev.call);
        if (calibration && cb !== undefined) calibration.observed[cb]++;
        queuedBin.delete(ev.call);
        score(queuedPred.get(ev.call), true);
        queuedPred.delete(ev.call);
        const own = queuedOwn.get(ev.call);
        queuedOwn.delete(ev.call);
        abandoned++;
        if (own !== undefined) {
          abandonedByTag ??= { own: 0, notOwn: 0 };
          abandonedByTag[own ? 'own' : 'notOwn']++;
        }
        minute.push({ t: now, drop: true });
        feed({ type: 'abandoned', at: now, ...(own !== undefined ? { own } : {}) });
        break;
      }
      case 'talkEnd': {
        const a = agents[ev.agent];
        feed({ type: 'talkEnded', at: now, talkMs: now - a.since, agentId: String(ev.agent) });
        lastTalk.set(ev.agent, now - a.since);
        connected--;
        const wrap = pendingWrap.get(ev.agent) ?? rWrap.uniform(WRAP_SEC[0], WRAP_SEC[1]) * SEC;
        pendingWrap.delete(ev.agent);
        setState(ev.agent, 'wrapup', now, now + wrap);
        heap.push({ t: now + wrap, kind: 'wrapEnd', agent: ev.agent });
        break;
      }
      case 'wrapEnd':
      case 'breakEnd': {
        if (ev.kind === 'wrapEnd') {
          const talk = lastTalk.get(ev.agent);
          feed({
            type: 'wrapEnded',
            at: now,
            wrapMs: now - agents[ev.agent].since,
            agentId: String(ev.agent),
            ...(talk !== undefined ? { talkMs: talk } : {}),
          });
        }
        // A completed break, as the desk sees it: its length from the agent's own state (breakLaw learns from these).
        if (ev.kind === 'breakEnd')
          feed({ type: 'breakEnded', at: now, breakMs: now - agents[ev.agent].since, returned: true, agentId: String(ev.agent) });
        if (!becomeReady(ev.agent, now, ev.kind === 'breakEnd')) break;
        // The oldest caller still inside the threshold gets this agent.
        const first = queued.entries().next();
        if (!first.done) {
          const [id, greetingEnd] = first.value;
          const d = decideAnswered({ now, verdictAt: greetingEnd, verdictGapMs, readyAgents: 1, thresholdMs: threshold });
          if (d.action === 'reserve') {
            queued.delete(id);
            queuedBin.delete(id);
            queuedOwn.delete(id);
            score(queuedPred.get(id), false);
            queuedPred.delete(id);
            const fp = falseQueued.delete(id);
            minute.push({ t: now, drop: false });
            connect(ev.agent, now, fp);
          }
        }
        break;
      }
      case 'breakDue': {
        breakDue[ev.agent] = true;
        if (agents[ev.agent]!.state === 'ready') becomeReady(ev.agent, now);
        break;
      }
    }
  }
  for (let i = 0; i < agents.length; i++) setState(i, agents[i].state, endAt);
  // Occupancy over the time agents were available: breaks are not idle time.
  const agentMs = sc.agents * endAt - breakMs;
  return {
    scenario: sc.name,
    strategy: strategy.name,
    seed: opts.seed,
    agentHours: agentMs / 3_600_000,
    placed,
    live,
    abandoned,
    ...(abandonedByTag ? { abandonedByTag } : {}),
    occupancy: (talkMs + wrapMs) / agentMs,
    abandonRate: live > 0 ? abandoned / live : 0,
    talkMinutesPerAgentHour: talkMs / 60_000 / (agentMs / 3_600_000),
    meanAgentWaitSec: handled > 0 ? readyMs / handled / SEC : readyMs / SEC,
    maxLegs,
    maxStartsPerSecond: maxStarts,
    idleUnderDialled: idleUnderMs / agentMs,
    idleAwaitingAnswers: idleAwaitMs / agentMs,
    ...(calibration ? { calibration } : {}),
    ...(opts.lostTime ? { lost } : {}),
    ...(discrimination ? { discrimination } : {}),
  };
}

/** The trunk part of the caps as the simulated trunk sees it now (this campaign is its only user). */
function withTrunk(caps: Caps, inUse: number, startedLastSecond: number): Caps {
  return caps.trunk ? { ...caps, trunk: { ...caps.trunk, inUse, startedLastSecond } } : caps;
}
