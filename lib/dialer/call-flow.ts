/**
 * One attempt's call flow, as a pure state machine: `step(state, event)` →
 * `{ state, effects }`. The runner carries the effects out (driver calls,
 * agent desk, timers, closing the attempt) and feeds results back as events.
 * Races (answer after our CANCEL, BYE while waiting for an agent, a verdict
 * after hang-up) are just events arriving in a phase that ignores them.
 */
import type { Verdict } from '../media/types';
import { decideResult, type DecideOptions } from '../results/decide';
import type { ResultCode } from '../results/codes';
import type { EndCause } from '../telephony/contract';
import { abandonDeadline } from '../pacing/abandon';
import type { NotSurePolicy } from '../config/sections/runner';

export type CallPhase =
  | 'dialing' // INVITE sent, no answer yet (early media analysed)
  | 'analysing' // answered, deciding person / machine / fax / silence
  | 'awaiting_agent' // a person, no agent reserved yet; abandon deadline running
  | 'connecting' // agent reserved, beep + bridge under way
  | 'connected' // bridged to an agent or the bot
  | 'messaging' // agentless message / voicemail drop playing
  | 'abandoning' // abandon message playing, then hang up (code 14)
  | 'hanging_up' // we sent CANCEL/BYE, waiting for the end
  | 'ended';

export type Mode = 'agents' | 'bot' | 'message';

export interface FlowConfig {
  mode: Mode;
  /** Regulatory abandon threshold, counted from the end of the greeting (default 2000). */
  abandonThresholdMs: number;
  /** How long AMD waits after a greeting before it says "human": already spent of the threshold. */
  humanVerdictGapMs: number;
  /**
   * What a "notsure" verdict leads to (dialer.runner.notSure, or the campaign's notSure): a person; a machine
   * (hang up, or wait for the beep to drop the voicemail message; the code stays what the audio showed, 7 when
   * nothing decisive was heard: nothing said it was a machine); or an agent flagged "not sure", whose
   * disposition then sets the code in the reports (lib/reports/not-sure.ts).
   */
  notSure: NotSurePolicy;
  /** Leave a message after the voicemail beep instead of hanging up on a machine. */
  voicemailDrop: boolean;
  /** How often to ask for an agent again while waiting. */
  reserveRetryMs: number;
  /**
   * Play the campaign's consent announcement ("this call is recorded…") to a
   * person before an agent is connected (agents mode). The agent is reserved
   * while it plays and connected when it ends; the abandon clock starts at its
   * end (README "Call recording": regulators may count this differently).
   */
  consent?: boolean;
  decide?: DecideOptions;
}

export interface CallState {
  phase: CallPhase;
  verdicts: Verdict[];
  answeredAt?: number;
  personAt?: number;
  abandonDeadline?: number;
  agentId?: string;
  bridgedAt?: number;
  endedAt?: number;
  end?: EndCause;
  /** Why we hung up, when we did. */
  hangupReason?: string;
  abandoned: boolean;
  messageDelivered: boolean;
  waitingBeep: boolean;
  /** The consent announcement: playing, or played to its end (consentAt). */
  consent?: 'playing' | 'done';
  consentAt?: number;
  code?: ResultCode;
  /** The analysis was not sure and this policy was applied (agent-decides: the agent sees the flag). */
  notSure?: NotSurePolicy;
  /** The dialer stopped and hung up (the 'interrupt' event). */
  interrupted?: boolean;
}

export type FlowEvent =
  | { type: 'answer'; at: number }
  | { type: 'verdict'; at: number; verdict: Verdict; phase: 'early' | 'answered' }
  | { type: 'agent-reserved'; at: number; agentId: string }
  | { type: 'no-agent'; at: number }
  | { type: 'connected'; at: number }
  | { type: 'connect-failed'; at: number; reason: string }
  | { type: 'playback-done'; at: number }
  | { type: 'timer'; at: number; name: 'abandon' | 'reserve-retry' }
  | { type: 'end'; at: number; cause: EndCause }
  /** The dialer is stopping and hangs the call up itself (CallSession.abort): the end it brings is an interruption. */
  | { type: 'interrupt'; at: number };

export type FlowEffect =
  | { type: 'hangup'; reason: string }
  | { type: 'reserve-agent' }
  | { type: 'release-agent' }
  | { type: 'connect-agent' }
  | { type: 'connect-bot' }
  | { type: 'play'; what: 'abandon' | 'message' | 'voicemail' | 'consent' }
  | { type: 'timer'; name: 'abandon' | 'reserve-retry'; at: number }
  | { type: 'agent-customer-ended' }
  | { type: 'close'; code: ResultCode };

export const initialCall = (): CallState => ({
  phase: 'dialing',
  verdicts: [],
  abandoned: false,
  messageDelivered: false,
  waitingBeep: false,
});

const EARLY_FINAL = new Set(['sit', 'busy', 'announcement', 'fax']);

interface Out {
  state: CallState;
  effects: FlowEffect[];
}

const hangup = (s: CallState, reason: string, extra: Partial<CallState> = {}): Out => ({
  state: { ...s, ...extra, phase: 'hanging_up', hangupReason: reason },
  effects: [{ type: 'hangup', reason }],
});

/** A person is on the line: agents, bot or message per the campaign's mode. */
function onPerson(s: CallState, at: number, cfg: FlowConfig): Out {
  if (cfg.mode === 'bot') return { state: { ...s, phase: 'connecting', personAt: at }, effects: [{ type: 'connect-bot' }] };
  if (cfg.mode === 'message') return { state: { ...s, phase: 'messaging', personAt: at }, effects: [{ type: 'play', what: 'message' }] };
  if (cfg.consent) {
    // The agent is reserved during the announcement and connected at its end (playback-done).
    return {
      state: { ...s, phase: 'awaiting_agent', personAt: at, consent: 'playing' },
      effects: [{ type: 'play', what: 'consent' }, { type: 'reserve-agent' }],
    };
  }
  // FCC 47 CFR 64.1200(a)(7): an agent within 2 s of the completed greeting (the rule the simulator runs too).
  const deadline = abandonDeadline(at, cfg.abandonThresholdMs, cfg.humanVerdictGapMs);
  return {
    state: { ...s, phase: 'awaiting_agent', personAt: at, abandonDeadline: deadline },
    effects: [{ type: 'reserve-agent' }, { type: 'timer', name: 'abandon', at: deadline }],
  };
}

function onEnd(s: CallState, e: Extract<FlowEvent, { type: 'end' }>, cfg: FlowConfig): Out {
  const effects: FlowEffect[] = [];
  const ended: CallState = { ...s, phase: 'ended', endedAt: e.at, end: e.cause };
  if (s.phase === 'connected' && s.agentId) effects.push({ type: 'agent-customer-ended' });
  else if (s.agentId && (s.phase === 'connecting' || s.phase === 'awaiting_agent')) effects.push({ type: 'release-agent' });
  const code = decideResult(
    {
      end: e.cause,
      verdicts: s.verdicts,
      connected: s.bridgedAt !== undefined,
      systemAbandoned: s.abandoned,
      messageDelivered: s.messageDelivered,
      interrupted: s.interrupted,
    },
    cfg.decide,
  );
  effects.push({ type: 'close', code });
  return { state: { ...ended, code }, effects };
}

export function step(s: CallState, e: FlowEvent, cfg: FlowConfig): Out {
  if (s.phase === 'ended') return { state: s, effects: [] };
  if (e.type === 'end') return onEnd(s, e, cfg);
  const none = { state: s, effects: [] as FlowEffect[] };

  switch (e.type) {
    case 'interrupt':
      return { state: { ...s, interrupted: true }, effects: [] };
    case 'answer':
      if (s.phase === 'hanging_up') return none; // answered as our CANCEL crossed it; the driver BYEs
      if (s.phase !== 'dialing') return none;
      return { state: { ...s, phase: 'analysing', answeredAt: e.at }, effects: [] };

    case 'verdict': {
      const v = e.verdict;
      const st = { ...s, verdicts: [...s.verdicts, v] };
      if (s.phase === 'dialing') {
        if (EARLY_FINAL.has(v.kind)) return hangup(st, `early media: ${v.kind}`);
        return { state: st, effects: [] };
      }
      if (s.phase === 'messaging' && s.waitingBeep && v.kind === 'beep') {
        return { state: { ...st, waitingBeep: false }, effects: [{ type: 'play', what: 'voicemail' }] };
      }
      if (s.phase !== 'analysing') return { state: st, effects: [] };
      switch (v.kind) {
        case 'human':
          return onPerson(st, e.at, cfg);
        case 'notsure': {
          const ns = { ...st, notSure: cfg.notSure };
          if (cfg.notSure !== 'machine') return onPerson(ns, e.at, cfg);
          if (!cfg.voicemailDrop) return hangup(ns, 'analysis not sure: handled as a machine (notSure policy)');
          return { state: { ...ns, phase: 'messaging', waitingBeep: true }, effects: [] };
        }
        case 'machine':
        case 'beep':
          if (cfg.voicemailDrop) {
            if (v.kind === 'beep') return { state: { ...st, phase: 'messaging' }, effects: [{ type: 'play', what: 'voicemail' }] };
            return { state: { ...st, phase: 'messaging', waitingBeep: true }, effects: [] };
          }
          return hangup(st, 'answering machine');
        case 'fax':
        case 'silence':
        case 'sit':
        case 'busy': // some carriers answer, then play busy/reorder
        case 'music': // a PBX's hold music or a colour ring: no person to wait for
        case 'announcement':
          return hangup(st, v.kind);
        default:
          return { state: st, effects: [] };
      }
    }

    case 'agent-reserved':
      // Held for the customer until the consent announcement has been heard to its end.
      if (s.phase === 'awaiting_agent' && s.consent === 'playing') return { state: { ...s, agentId: e.agentId }, effects: [] };
      if (s.phase !== 'awaiting_agent') return { state: s, effects: [{ type: 'release-agent' }] }; // too late: give the agent back
      return { state: { ...s, phase: 'connecting', agentId: e.agentId }, effects: [{ type: 'connect-agent' }] };

    case 'no-agent':
      if (s.phase !== 'awaiting_agent') return none;
      return { state: s, effects: [{ type: 'timer', name: 'reserve-retry', at: e.at + cfg.reserveRetryMs }] };

    case 'timer':
      if (e.name === 'reserve-retry' && s.phase === 'awaiting_agent') return { state: s, effects: [{ type: 'reserve-agent' }] };
      if (e.name === 'abandon' && s.phase === 'awaiting_agent') {
        return { state: { ...s, phase: 'abandoning', abandoned: true }, effects: [{ type: 'play', what: 'abandon' }] };
      }
      return none;

    case 'connected':
      if (s.phase !== 'connecting') return none;
      return { state: { ...s, phase: 'connected', bridgedAt: e.at }, effects: [] };

    case 'connect-failed':
      if (s.phase !== 'connecting') return none;
      // The agent's leg failed under us: the person is still there; try another agent until the deadline.
      if (cfg.mode === 'agents' && s.abandonDeadline !== undefined && e.at < s.abandonDeadline) {
        return { state: { ...s, phase: 'awaiting_agent', agentId: undefined }, effects: [{ type: 'reserve-agent' }] };
      }
      return { state: { ...s, phase: 'abandoning', abandoned: true, agentId: undefined }, effects: [{ type: 'play', what: 'abandon' }] };

    case 'playback-done':
      if (s.phase === 'awaiting_agent' && s.consent === 'playing') {
        const heard: CallState = { ...s, consent: 'done', consentAt: e.at };
        if (s.agentId) return { state: { ...heard, phase: 'connecting' }, effects: [{ type: 'connect-agent' }] };
        // No agent yet: the abandon clock runs from the end of the announcement.
        const deadline = e.at + cfg.abandonThresholdMs;
        return {
          state: { ...heard, abandonDeadline: deadline },
          effects: [{ type: 'timer', name: 'abandon', at: deadline }],
        };
      }
      if (s.phase === 'abandoning') return hangup(s, 'abandon message played');
      if (s.phase === 'messaging' && !s.waitingBeep) return hangup({ ...s, messageDelivered: s.personAt !== undefined }, 'message played');
      return none;
  }
}
