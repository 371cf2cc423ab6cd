/**
 * Registration of one account with a registrar (RFC 3261 §10.2), as a pure
 * machine: register, answer one digest challenge per attempt (§22), refresh
 * before the binding expires (§10.2.4), back off on failure (RFC 5626 §4.5:
 * 30 s doubling, at most 1800 s). The I/O edge sends what `send` asks for and
 * arms the timers named here.
 */

export type RegistrationPhase = 'idle' | 'registering' | 'registered' | 'backoff' | 'unregistering' | 'stopped';

export interface RegistrationState {
  phase: RegistrationPhase;
  /** The current attempt already answered a challenge (a second 401/407 is a failure). */
  authTried: boolean;
  /** Failures in a row (backoff exponent). */
  failures: number;
  /** Granted binding lifetime (s) when registered. */
  expiresS?: number;
  /** When the binding was granted (ms, clock time). */
  since?: number;
  lastStatus?: number;
  lastReason?: string;
}

export type RegistrationEvent =
  | { type: 'start' }
  | { type: 'response'; status: number; reason: string; expiresS?: number; at: number }
  | { type: 'timeout' }
  | { type: 'timer'; name: 'refresh' | 'retry' }
  | { type: 'stop' };

export type RegistrationEffect =
  /** `unregister`: Expires: 0 (§10.2.2), sent when stopping with a binding in place. */
  | { type: 'send'; auth: boolean; unregister?: boolean }
  | { type: 'timer'; name: 'refresh' | 'retry'; ms: number }
  | { type: 'cancel-timers' };

export const BACKOFF_BASE_S = 30;
export const BACKOFF_MAX_S = 1800;

export const initialRegistration = (): RegistrationState => ({ phase: 'idle', authTried: false, failures: 0 });

/** Refresh a minute before expiry, or at half-time for short bindings. */
export function refreshAfterMs(expiresS: number): number {
  return (expiresS > 120 ? expiresS - 60 : expiresS / 2) * 1000;
}

export function backoffMs(failures: number): number {
  return Math.min(BACKOFF_BASE_S * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_S) * 1000;
}

export function registrationTransition(
  s: RegistrationState,
  e: RegistrationEvent,
): { state: RegistrationState; effects: RegistrationEffect[] } {
  if (s.phase === 'stopped') return { state: s, effects: [] };
  if (s.phase === 'unregistering') return unregistering(s, e);
  const fail = (status: number | undefined, reason: string) => {
    const failures = s.failures + 1;
    return {
      state: {
        ...s,
        phase: 'backoff' as const,
        authTried: false,
        failures,
        expiresS: undefined,
        since: undefined,
        lastStatus: status,
        lastReason: reason,
      },
      effects: [{ type: 'timer' as const, name: 'retry' as const, ms: backoffMs(failures) }],
    };
  };
  switch (e.type) {
    case 'start':
    case 'timer':
      if (s.phase === 'registering') return { state: s, effects: [] };
      return { state: { ...s, phase: 'registering', authTried: false }, effects: [{ type: 'send', auth: false }] };
    case 'stop':
      // A binding in place is removed (§10.2.2, Expires: 0) so the carrier stops routing to a dialer that is gone.
      if (s.phase === 'registered')
        return {
          state: { ...s, phase: 'unregistering', authTried: false },
          effects: [{ type: 'cancel-timers' }, { type: 'send', auth: false, unregister: true }],
        };
      return { state: { ...s, phase: 'stopped' }, effects: [{ type: 'cancel-timers' }] };
    case 'timeout':
      if (s.phase !== 'registering') return { state: s, effects: [] };
      return fail(408, 'no response from the registrar');
    case 'response': {
      if (s.phase !== 'registering' || e.status < 200) return { state: s, effects: [] };
      if (e.status < 300) {
        const expiresS = e.expiresS ?? 3600;
        return {
          state: {
            ...s,
            phase: 'registered',
            authTried: false,
            failures: 0,
            expiresS,
            since: e.at,
            lastStatus: e.status,
            lastReason: e.reason,
          },
          effects: [{ type: 'timer', name: 'refresh', ms: refreshAfterMs(expiresS) }],
        };
      }
      if ((e.status === 401 || e.status === 407) && !s.authTried)
        return { state: { ...s, authTried: true, lastStatus: e.status, lastReason: e.reason }, effects: [{ type: 'send', auth: true }] };
      return fail(e.status, e.reason);
    }
  }
}

/** Removing the binding: one digest challenge answered, then stopped whatever the registrar says. */
function unregistering(s: RegistrationState, e: RegistrationEvent): { state: RegistrationState; effects: RegistrationEffect[] } {
  const stopped = (status?: number, reason?: string) => ({
    state: { ...s, phase: 'stopped' as const, expiresS: undefined, lastStatus: status ?? s.lastStatus, lastReason: reason ?? s.lastReason },
    effects: [] as RegistrationEffect[],
  });
  switch (e.type) {
    case 'response':
      if (e.status < 200) return { state: s, effects: [] };
      if ((e.status === 401 || e.status === 407) && !s.authTried)
        return { state: { ...s, authTried: true }, effects: [{ type: 'send', auth: true, unregister: true }] };
      return stopped(e.status, e.reason);
    case 'timeout':
    case 'stop':
      return stopped();
    default:
      return { state: s, effects: [] };
  }
}
