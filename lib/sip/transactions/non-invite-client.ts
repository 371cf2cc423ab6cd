/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6): BYE, CANCEL,
 * REGISTER, MESSAGE, PRACK, UPDATE, OPTIONS.
 *
 *   Trying ──1xx──▶ Proceeding ──200-699──▶ Completed ──Timer K──▶ Terminated
 *     └──200-699──▶ Completed;  Trying/Proceeding ──Timer F──▶ Terminated (timeout)
 *
 * Unlike Timer B, Timer F keeps running in Proceeding (§17.1.2.2).
 */
import { timerE, timerF, timerK } from '../timers';
import { IllegalTransition, type TxContext, type TxEffect, type TxTransition } from './types';

export type NonInviteClientStateName = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface NonInviteClientState {
  name: NonInviteClientStateName;
  ctx: TxContext;
  /** Current Timer E interval. */
  e: number;
}

export type NonInviteClientEvent =
  { type: 'start' } | { type: 'response'; status: number } | { type: 'timer'; timer: 'E' | 'F' | 'K' } | { type: 'transport-error' };

export function initialNonInviteClient(ctx: TxContext): NonInviteClientState {
  return { name: 'trying', ctx, e: timerE(ctx.base) };
}

export function nonInviteClientTransition(s: NonInviteClientState, ev: NonInviteClientEvent): TxTransition<NonInviteClientState> {
  const illegal = () => new IllegalTransition('non-INVITE client', s.name, ev.type === 'timer' ? `timer ${ev.timer}` : ev.type);
  const { base, reliable } = s.ctx;
  const stopEF: TxEffect[] = [
    { type: 'stop-timer', timer: 'E' },
    { type: 'stop-timer', timer: 'F' },
  ];
  const terminated = (effects: TxEffect[]): TxTransition<NonInviteClientState> => ({
    state: { ...s, name: 'terminated' },
    effects: [...effects, { type: 'terminated' }],
  });
  switch (s.name) {
    case 'trying':
    case 'proceeding':
      switch (ev.type) {
        case 'start': {
          if (s.name !== 'trying') throw illegal();
          const effects: TxEffect[] = [{ type: 'transmit' }, { type: 'start-timer', timer: 'F', ms: timerF(base) }];
          if (!reliable) effects.push({ type: 'start-timer', timer: 'E', ms: s.e });
          return { state: s, effects };
        }
        case 'timer':
          if (ev.timer === 'E') {
            // Trying: min(2E, T2); Proceeding: T2 (§17.1.2.2).
            const e = s.name === 'trying' ? Math.min(s.e * 2, base.t2) : base.t2;
            return { state: { ...s, e }, effects: [{ type: 'transmit' }, { type: 'start-timer', timer: 'E', ms: e }] };
          }
          if (ev.timer === 'F')
            return terminated([
              { type: 'stop-timer', timer: 'E' },
              { type: 'timeout', timer: 'F' },
            ]);
          throw illegal();
        case 'response':
          if (ev.status < 200) return { state: { ...s, name: 'proceeding' }, effects: [{ type: 'deliver' }] };
          return {
            state: { ...s, name: 'completed' },
            effects: [...stopEF, { type: 'deliver' }, { type: 'start-timer', timer: 'K', ms: timerK(base, reliable) }],
          };
        case 'transport-error':
          return terminated([...stopEF, { type: 'timeout', timer: 'transport' }]);
      }
      throw illegal();
    case 'completed':
      switch (ev.type) {
        case 'response':
          // Retransmitted responses are absorbed while Timer K runs.
          return { state: s, effects: [] };
        case 'timer':
          if (ev.timer === 'K') return terminated([]);
          throw illegal();
        case 'transport-error':
          return terminated([]);
        default:
          throw illegal();
      }
    case 'terminated':
      throw illegal();
  }
}
