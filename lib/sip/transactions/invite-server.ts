/**
 * INVITE server transaction (RFC 3261 §17.2.1, Figure 7, with RFC 6026's
 * Accepted state): the dialer receives INVITEs only inside its own dialogs
 * (re-INVITE) or to refuse them.
 *
 *   Proceeding ──300-699──▶ Completed ──ACK──▶ Confirmed ──Timer I──▶ Terminated
 *       │                      └──Timer H──▶ Terminated (timeout)
 *       └──2xx──▶ Accepted ──Timer L──▶ Terminated
 *
 * Retransmitted INVITEs get the latest response again; Timer G re-sends a
 * 300–699 final until the ACK (unreliable transports only).
 */
import { timerG, timerH, timerI, timerL } from '../timers';
import { IllegalTransition, type TxContext, type TxEffect, type TxTransition } from './types';

export type InviteServerStateName = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export interface InviteServerState {
  name: InviteServerStateName;
  ctx: TxContext;
  /** Current Timer G interval. */
  g: number;
  /** A response has been sent (a retransmitted INVITE in Proceeding is answered with it). */
  responded: boolean;
}

export type InviteServerEvent =
  | { type: 'request' }
  | { type: 'retransmission' }
  | { type: 'respond'; status: number }
  | { type: 'ack' }
  | { type: 'timer'; timer: 'G' | 'H' | 'I' | 'L' }
  | { type: 'transport-error' };

export function initialInviteServer(ctx: TxContext): InviteServerState {
  return { name: 'proceeding', ctx, g: timerG(ctx.base), responded: false };
}

export function inviteServerTransition(s: InviteServerState, e: InviteServerEvent): TxTransition<InviteServerState> {
  const illegal = () => new IllegalTransition('INVITE server', s.name, e.type === 'timer' ? `timer ${e.timer}` : e.type);
  const { base, reliable } = s.ctx;
  const terminated = (effects: TxEffect[]): TxTransition<InviteServerState> => ({
    state: { ...s, name: 'terminated' },
    effects: [...effects, { type: 'terminated' }],
  });
  switch (s.name) {
    case 'proceeding':
      switch (e.type) {
        case 'request':
          return { state: s, effects: [{ type: 'deliver' }] };
        case 'retransmission':
          return { state: s, effects: s.responded ? [{ type: 'send-response' }] : [] };
        case 'respond':
          if (e.status < 200) return { state: { ...s, responded: true }, effects: [{ type: 'send-response' }] };
          if (e.status < 300)
            return {
              state: { ...s, name: 'accepted', responded: true },
              effects: [{ type: 'send-response' }, { type: 'start-timer', timer: 'L', ms: timerL(base) }],
            };
          {
            const effects: TxEffect[] = [{ type: 'send-response' }, { type: 'start-timer', timer: 'H', ms: timerH(base) }];
            if (!reliable) effects.push({ type: 'start-timer', timer: 'G', ms: s.g });
            return { state: { ...s, name: 'completed', responded: true }, effects };
          }
        case 'transport-error':
          return terminated([{ type: 'timeout', timer: 'transport' }]);
        default:
          throw illegal();
      }
    case 'completed':
      switch (e.type) {
        case 'retransmission':
          return { state: s, effects: [{ type: 'send-response' }] };
        case 'timer':
          if (e.timer === 'G') {
            const g = Math.min(s.g * 2, base.t2);
            return { state: { ...s, g }, effects: [{ type: 'send-response' }, { type: 'start-timer', timer: 'G', ms: g }] };
          }
          if (e.timer === 'H')
            return terminated([
              { type: 'stop-timer', timer: 'G' },
              { type: 'timeout', timer: 'H' },
            ]);
          throw illegal();
        case 'ack':
          return {
            state: { ...s, name: 'confirmed' },
            effects: [
              { type: 'stop-timer', timer: 'G' },
              { type: 'stop-timer', timer: 'H' },
              { type: 'start-timer', timer: 'I', ms: timerI(base, reliable) },
            ],
          };
        case 'respond':
          // The TU answers once; a second final is dropped by the layer before it gets here.
          throw illegal();
        case 'transport-error':
          return terminated([
            { type: 'stop-timer', timer: 'G' },
            { type: 'stop-timer', timer: 'H' },
            { type: 'timeout', timer: 'transport' },
          ]);
        default:
          throw illegal();
      }
    case 'confirmed':
      switch (e.type) {
        case 'ack':
        case 'retransmission':
          // Absorbed while Timer I runs.
          return { state: s, effects: [] };
        case 'timer':
          if (e.timer === 'I') return terminated([]);
          throw illegal();
        default:
          throw illegal();
      }
    case 'accepted':
      switch (e.type) {
        case 'retransmission':
          // RFC 6026 §7.1: a retransmitted INVITE is absorbed by the TU's 2xx retransmission; we re-send the 2xx.
          return { state: s, effects: [{ type: 'send-response' }] };
        case 'ack':
          // ACK for 2xx goes to the TU (dialog); the transaction ignores it.
          return { state: s, effects: [] };
        case 'timer':
          if (e.timer === 'L') return terminated([]);
          throw illegal();
        default:
          throw illegal();
      }
    case 'terminated':
      throw illegal();
  }
}
