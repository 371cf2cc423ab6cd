/**
 * INVITE client transaction (RFC 3261 §17.1.1, Figure 5).
 *
 *   Calling ──1xx──▶ Proceeding ──300-699──▶ Completed ──Timer D──▶ Terminated
 *      │  └─2xx/300-699─┐   └─2xx──▶ Terminated
 *      └─Timer B──▶ Terminated (timeout)
 *
 * A 2xx in Completed (a forked branch answering after another branch's
 * failure) is passed to the TU too (RFC 6026), never absorbed.
 *
 * Timer B runs in Calling only: once a provisional arrives the far end owns the
 * ringing, and only the TU (ring timeout, Timer C, CANCEL) ends it (§17.1.1.2).
 */
import { timerA, timerB, timerD } from '../timers';
import { IllegalTransition, type TxContext, type TxEffect, type TxTransition } from './types';

export type InviteClientStateName = 'calling' | 'proceeding' | 'completed' | 'terminated';

export interface InviteClientState {
  name: InviteClientStateName;
  ctx: TxContext;
  /** Current Timer A interval (doubles each firing). */
  a: number;
}

export type InviteClientEvent =
  { type: 'start' } | { type: 'response'; status: number } | { type: 'timer'; timer: 'A' | 'B' | 'D' } | { type: 'transport-error' };

export function initialInviteClient(ctx: TxContext): InviteClientState {
  return { name: 'calling', ctx, a: timerA(ctx.base) };
}

const terminate = (s: InviteClientState, effects: TxEffect[]): TxTransition<InviteClientState> => ({
  state: { ...s, name: 'terminated' },
  effects: [...effects, { type: 'terminated' }],
});

export function inviteClientTransition(s: InviteClientState, e: InviteClientEvent): TxTransition<InviteClientState> {
  const illegal = () => new IllegalTransition('INVITE client', s.name, e.type === 'timer' ? `timer ${e.timer}` : e.type);
  const { base, reliable } = s.ctx;
  switch (s.name) {
    case 'calling':
      switch (e.type) {
        case 'start': {
          const effects: TxEffect[] = [{ type: 'transmit' }, { type: 'start-timer', timer: 'B', ms: timerB(base) }];
          if (!reliable) effects.push({ type: 'start-timer', timer: 'A', ms: s.a });
          return { state: s, effects };
        }
        case 'timer':
          if (e.timer === 'A') {
            const a = s.a * 2;
            return { state: { ...s, a }, effects: [{ type: 'transmit' }, { type: 'start-timer', timer: 'A', ms: a }] };
          }
          if (e.timer === 'B')
            return terminate(s, [
              { type: 'stop-timer', timer: 'A' },
              { type: 'timeout', timer: 'B' },
            ]);
          throw illegal();
        case 'response':
          return onResponse(s, e.status);
        case 'transport-error':
          return terminate(s, [
            { type: 'stop-timer', timer: 'A' },
            { type: 'stop-timer', timer: 'B' },
            { type: 'timeout', timer: 'transport' },
          ]);
      }
      throw illegal();
    case 'proceeding':
      switch (e.type) {
        case 'response':
          return onResponse(s, e.status);
        case 'transport-error':
          return terminate(s, [{ type: 'timeout', timer: 'transport' }]);
        default:
          throw illegal();
      }
    case 'completed':
      switch (e.type) {
        case 'response':
          // A retransmitted final: ACK it again, do not bother the TU (§17.1.1.2).
          if (e.status >= 300) return { state: s, effects: [{ type: 'send-ack' }] };
          // A 2xx after our non-2xx final: another branch of a forked INVITE answered (RFC 3261 §13.2.2.4,
          // every 2xx reaches the UAC core; RFC 6026 §7.2 / §8.4: 2xx are passed up, never absorbed). The TU
          // ACKs it and, the call having failed, BYEs it; dropped here, the far end would keep the call
          // until its 64·T1 without ACK.
          if (e.status >= 200) return { state: s, effects: [{ type: 'deliver' }] };
          return { state: s, effects: [] };
        case 'timer':
          if (e.timer === 'D') return terminate(s, []);
          throw illegal();
        case 'transport-error':
          return terminate(s, []);
        default:
          throw illegal();
      }
    case 'terminated':
      throw illegal();
  }
}

function onResponse(st: InviteClientState, status: number): TxTransition<InviteClientState> {
  const stopAB: TxEffect[] = [
    { type: 'stop-timer', timer: 'A' },
    { type: 'stop-timer', timer: 'B' },
  ];
  if (status < 200) {
    // Calling → Proceeding stops A and B; further provisionals go to the TU as they come.
    const effects: TxEffect[] = st.name === 'calling' ? [...stopAB, { type: 'deliver' }] : [{ type: 'deliver' }];
    return { state: { ...st, name: 'proceeding' }, effects };
  }
  if (status < 300) {
    // 2xx: the TU ACKs (the ACK is a transaction of its own, §17.1.1.2, §13.2.2.4).
    return terminate(st, [...stopAB, { type: 'deliver' }]);
  }
  return {
    state: { ...st, name: 'completed' },
    effects: [
      ...stopAB,
      { type: 'send-ack' },
      { type: 'deliver' },
      { type: 'start-timer', timer: 'D', ms: timerD(st.ctx.base, st.ctx.reliable) },
    ],
  };
}
