/**
 * Shared vocabulary of the four transaction machines (RFC 3261 §17). Each
 * machine is one guarded transition function `(state, event) → {state,
 * effects}`; effects are data the transaction layer (stack.ts) carries out on
 * the injected clock and the transport. An event a state cannot take throws
 * IllegalTransition: a bug, never a network condition (every message the
 * network may legally repeat has a transition).
 */
import type { TimerBase, TimerName } from '../timers';

export type TxEffect =
  /** Client: (re)send the request. */
  | { type: 'transmit' }
  /** INVITE client: send (or re-send) the ACK for a 300–699 final (§17.1.1.3). */
  | { type: 'send-ack' }
  /** Server: send (or re-send) the latest response the TU gave. */
  | { type: 'send-response' }
  | { type: 'start-timer'; timer: TimerName; ms: number }
  | { type: 'stop-timer'; timer: TimerName }
  /** Pass the response (client) or request (server) to the transaction user. */
  | { type: 'deliver' }
  /** The transaction timed out (Timer B, F or H) or the transport failed: tell the TU. */
  | { type: 'timeout'; timer: TimerName | 'transport' }
  /** Forget the transaction. */
  | { type: 'terminated' };

export interface TxTransition<S> {
  state: S;
  effects: TxEffect[];
}

/** Parameters every machine needs: the RFC timer base and whether the transport is reliable. */
export interface TxContext {
  base: TimerBase;
  reliable: boolean;
}

export class IllegalTransition extends Error {
  constructor(kind: string, state: string, event: string) {
    super(`${kind} transaction: event ${event} is not allowed in state ${state}`);
    this.name = 'IllegalTransition';
  }
}

/** start-timer, or nothing when a reliable transport makes the timer zero-length and moot. */
export function startTimer(timer: TimerName, ms: number): TxEffect {
  return { type: 'start-timer', timer, ms };
}
