/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8): BYE, CANCEL,
 * OPTIONS, UPDATE, MESSAGE, NOTIFY from the far end.
 *
 *   Trying ──1xx──▶ Proceeding ──200-699──▶ Completed ──Timer J──▶ Terminated
 *     └──200-699──▶ Completed
 *
 * Retransmitted requests are absorbed in Trying and answered with the latest
 * response in Proceeding and Completed.
 */
import { timerJ } from '../timers';
import { IllegalTransition, type TxContext, type TxTransition } from './types';

export type NonInviteServerStateName = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface NonInviteServerState {
  name: NonInviteServerStateName;
  ctx: TxContext;
}

export type NonInviteServerEvent =
  | { type: 'request' }
  | { type: 'retransmission' }
  | { type: 'respond'; status: number }
  | { type: 'timer'; timer: 'J' }
  | { type: 'transport-error' };

export function initialNonInviteServer(ctx: TxContext): NonInviteServerState {
  return { name: 'trying', ctx };
}

export function nonInviteServerTransition(s: NonInviteServerState, e: NonInviteServerEvent): TxTransition<NonInviteServerState> {
  const illegal = () => new IllegalTransition('non-INVITE server', s.name, e.type === 'timer' ? `timer ${e.timer}` : e.type);
  switch (s.name) {
    case 'trying':
    case 'proceeding':
      switch (e.type) {
        case 'request':
          if (s.name !== 'trying') throw illegal();
          return { state: s, effects: [{ type: 'deliver' }] };
        case 'retransmission':
          return { state: s, effects: s.name === 'proceeding' ? [{ type: 'send-response' }] : [] };
        case 'respond':
          if (e.status < 200) return { state: { ...s, name: 'proceeding' }, effects: [{ type: 'send-response' }] };
          return {
            state: { ...s, name: 'completed' },
            effects: [{ type: 'send-response' }, { type: 'start-timer', timer: 'J', ms: timerJ(s.ctx.base, s.ctx.reliable) }],
          };
        case 'transport-error':
          return { state: { ...s, name: 'terminated' }, effects: [{ type: 'timeout', timer: 'transport' }, { type: 'terminated' }] };
        default:
          throw illegal();
      }
    case 'completed':
      switch (e.type) {
        case 'retransmission':
          return { state: s, effects: [{ type: 'send-response' }] };
        case 'timer':
          return { state: { ...s, name: 'terminated' }, effects: [{ type: 'terminated' }] };
        case 'transport-error':
          return { state: { ...s, name: 'terminated' }, effects: [{ type: 'terminated' }] };
        default:
          throw illegal();
      }
    case 'terminated':
      throw illegal();
  }
}
