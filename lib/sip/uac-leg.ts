/**
 * The outbound (UAC) call leg above the INVITE client transaction (RFC 3261
 * §13.2, §9.1, §15; RFC 3263 §4.3 failover) as one guarded transition function. Races —
 * a 200 OK crossing our CANCEL, a BYE crossing ours, retransmitted 2xx — are
 * events like any other; the driver carries out the returned effects.
 */

/**
 * How a leg ended, as the telephony contract records it (lib/telephony/contract.ts EndCause has
 * the same shape; lib/sip does not import the telephony layer).
 */
export interface EndCause {
  /** Final SIP status that ended the call (486, 487 after our CANCEL, 200 for a BYE …). */
  sipStatus?: number;
  sipReason?: string;
  by: 'remote' | 'local' | 'timeout' | 'error';
  answered: boolean;
  detail?: string;
}

export type UacLegPhase = 'calling' | 'early' | 'cancelling' | 'confirmed' | 'terminating' | 'ended';

export interface LegState {
  phase: UacLegPhase;
  /** A provisional response arrived (a CANCEL may be sent only after one, RFC 3261 §9.1). */
  provisional: boolean;
  cancelSent: boolean;
  cancelBy?: 'local' | 'timeout';
  authTried: boolean;
  answered: boolean;
  /** The cause recorded when hangup started; emitted when it completes. */
  pending?: EndCause;
  /** A BYE went out for the leg's dialog (a late 2xx then needs only its ACK). */
  byeSent?: boolean;
}

export type LegInput =
  | { type: 'provisional'; status: number }
  | { type: 'success' }
  | { type: 'failure'; status: number; reason: string; canAuth: boolean; canFailover?: boolean }
  | { type: 'ring-timeout' }
  | { type: 'hangup'; reason?: string }
  | { type: 'bye-received' }
  | { type: 'bye-done'; status?: number }
  | { type: 'tx-timeout'; canFailover?: boolean }
  | { type: 'error'; detail: string; canFailover?: boolean };

export type LegEffect =
  | { type: 'cancel' }
  | { type: 'ack' }
  | { type: 'bye' }
  | { type: 'auth-retry' }
  | { type: 'failover' }
  | { type: 'answered' }
  | { type: 'end'; cause: EndCause };

export interface Transition {
  state: LegState;
  effects: LegEffect[];
}

export const initialLegState = (): LegState => ({
  phase: 'calling',
  provisional: false,
  cancelSent: false,
  authTried: false,
  answered: false,
});

/**
 * RFC 3263 §4.3: the same request goes to the next server on a timeout, a
 * transport error or a 503 (and, as carriers' proxies do, a 500) — but only
 * while nothing beyond 100 Trying came back: after a 180/183 the call has
 * reached a phone, and a second INVITE would ring it twice.
 */
const failover = (s: LegState): Transition => ({
  state: { ...s, phase: 'calling', provisional: false, authTried: false },
  effects: [{ type: 'failover' }],
});

const end = (s: LegState, cause: EndCause, extra: LegEffect[] = []): Transition => ({
  state: { ...s, phase: 'ended', pending: undefined },
  effects: [...extra, { type: 'end', cause }],
});

/** Total over (phase, input): inputs that mean nothing in a phase leave it unchanged with no effects. */
export function transition(s: LegState, e: LegInput): Transition {
  const same: Transition = { state: s, effects: [] };
  switch (s.phase) {
    case 'calling':
    case 'early':
      switch (e.type) {
        case 'provisional':
          return { state: { ...s, phase: 'early', provisional: true }, effects: [] };
        case 'success':
          return { state: { ...s, phase: 'confirmed', answered: true }, effects: [{ type: 'ack' }, { type: 'answered' }] };
        case 'failure':
          if (s.phase === 'calling' && e.canFailover && (e.status === 500 || e.status === 503)) return failover(s);
          if ((e.status === 401 || e.status === 407) && e.canAuth && !s.authTried)
            return { state: { ...s, phase: 'calling', provisional: false, authTried: true }, effects: [{ type: 'auth-retry' }] };
          return end(s, { sipStatus: e.status, sipReason: e.reason, by: 'remote', answered: false });
        case 'ring-timeout':
        case 'hangup': {
          const by = e.type === 'ring-timeout' ? 'timeout' : 'local';
          // Without a provisional response the CANCEL waits for one (§9.1).
          return {
            state: { ...s, phase: 'cancelling', cancelBy: by, cancelSent: s.provisional },
            effects: s.provisional ? [{ type: 'cancel' }] : [],
          };
        }
        case 'tx-timeout':
          if (s.phase === 'calling' && e.canFailover) return failover(s);
          return end(s, {
            sipStatus: 408,
            sipReason: 'Request Timeout',
            by: 'error',
            answered: false,
            detail: 'no final response to INVITE (Timer B)',
          });
        case 'error':
          if (s.phase === 'calling' && e.canFailover) return failover(s);
          return end(s, { by: 'error', answered: false, detail: e.detail });
        default:
          return same;
      }
    case 'cancelling':
      switch (e.type) {
        case 'provisional':
          if (s.cancelSent) return same;
          return { state: { ...s, provisional: true, cancelSent: true }, effects: [{ type: 'cancel' }] };
        case 'failure':
          return end(s, { sipStatus: e.status, sipReason: e.reason, by: s.cancelBy!, answered: false });
        case 'success': {
          // The 200 OK crossed our CANCEL: ACK it and BYE at once (§9.1, §15).
          const cause: EndCause = {
            sipStatus: 487,
            by: s.cancelBy!,
            answered: false,
            detail: 'answered while cancelling; hung up at once',
          };
          return { state: { ...s, phase: 'terminating', pending: cause, byeSent: true }, effects: [{ type: 'ack' }, { type: 'bye' }] };
        }
        case 'tx-timeout':
          return end(s, { sipStatus: 408, by: s.cancelBy!, answered: false, detail: 'no final response after CANCEL' });
        case 'error':
          return end(s, { by: 'error', answered: false, detail: e.detail });
        default:
          return same;
      }
    case 'confirmed':
      switch (e.type) {
        case 'success':
          return { state: s, effects: [{ type: 'ack' }] };
        case 'bye-received':
          return end(s, { sipStatus: 200, sipReason: 'BYE', by: 'remote', answered: true });
        case 'hangup':
        case 'ring-timeout':
          return {
            state: {
              ...s,
              phase: 'terminating',
              byeSent: true,
              pending: {
                sipStatus: 200,
                sipReason: 'BYE',
                by: 'local',
                answered: true,
                detail: e.type === 'hangup' ? e.reason : undefined,
              },
            },
            effects: [{ type: 'bye' }],
          };
        case 'error':
          return end(s, { by: 'error', answered: true, detail: e.detail });
        default:
          return same;
      }
    case 'terminating':
      switch (e.type) {
        case 'success':
          return { state: s, effects: [{ type: 'ack' }] };
        case 'bye-received':
        case 'bye-done':
        case 'tx-timeout':
        case 'error':
          return end(s, s.pending!);
        default:
          return same;
      }
    case 'ended':
      if (e.type !== 'success') return same;
      // A late 2xx still needs its ACK, or the far end keeps sending it (§13.2.2.4). A leg that
      // ended unanswered (no final response after our CANCEL, Timer B, a transport error) never
      // had this dialog: the ACK sets it up at the far end, so it is BYEd at once (§15), once.
      if (s.answered || s.byeSent) return { state: s, effects: [{ type: 'ack' }] };
      return { state: { ...s, byeSent: true }, effects: [{ type: 'ack' }, { type: 'bye' }] };
  }
}
