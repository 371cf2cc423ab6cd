/**
 * How an attempt closes: the contact's next step, the counters it moves and
 * what happens to a callback it carried. Pure; the interpreter writes it with
 * dial-close.lua (history, counters, next time, lease) in one step.
 */
import { LIVE_ANSWER_CODES, RESULT_CODES, type ResultCode } from '../../results/codes';
import { decideRetry, type RetryPolicy } from '../../rules/retry';
import { RUNNER_CODES } from './codes';

export interface CloseInput {
  code: ResultCode;
  attemptNo: number;
  /** The attempt carried a callback (one promised call: never retried by the list's rules). */
  isCallback: boolean;
  policy: RetryPolicy;
  now: number;
}

export interface CloseDecision {
  code: ResultCode;
  /** No more attempts for this contact. */
  final: boolean;
  /** When it may be dialled again (ms epoch; 0 when final). */
  nextAt: number;
  retryReason: string;
  /** Counters: a live answer (the abandon rate's denominator), a system abandon (its numerator). */
  counters: { live: boolean; abandoned: boolean };
  /** The callback it carried is done (a callback that needs another call is booked again by the agent). */
  callback: 'done' | null;
  /** Whether the list's own view of the contact records this result (dialled, or excluded for a reason the list should know). */
  recordOnContact: boolean;
}

export function decideClose(i: CloseInput): CloseDecision {
  const retry = i.isCallback ? { final: true, nextAt: 0, reason: 'callback' } : decideRetry(i.code, i.attemptNo, i.policy, i.now);
  return {
    code: i.code,
    final: retry.final,
    nextAt: retry.nextAt,
    retryReason: retry.reason,
    counters: { live: LIVE_ANSWER_CODES.includes(i.code), abandoned: i.code === RUNNER_CODES.systemAbandon },
    callback: i.isCallback ? 'done' : null,
    recordOnContact: RESULT_CODES[i.code].dialed || i.code === RUNNER_CODES.doNotCall || i.code === RUNNER_CODES.noNumber,
  };
}
