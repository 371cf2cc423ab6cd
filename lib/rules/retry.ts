/**
 * What happens to a contact after an attempt: final, or eligible again at a
 * time. Pure; the campaign's per-result policy overrides the defaults of
 * result-codes.md ("retry by default").
 */
import { RESULT_CODES, type ResultCode } from '../results/codes';

export interface RetryPolicy {
  maxAttempts: number;
  /** Default wait before a retry, seconds (seed 001: e.g. 24 h). */
  retryIntervalSec: number;
  /** Per result code: retry or not, and its own wait. */
  perCode?: Partial<Record<number, { retry: boolean; afterSec?: number }>>;
}

export interface RetryDecision {
  final: boolean;
  /** When the contact may be dialled again (ms epoch); meaningless if final. */
  nextAt: number;
  reason: string;
}

export function decideRetry(code: ResultCode, attemptNo: number, policy: RetryPolicy, now: number): RetryDecision {
  const own = policy.perCode?.[code];
  const retry = own?.retry ?? RESULT_CODES[code].retry;
  if (!retry) return { final: true, nextAt: 0, reason: `result ${code} is not retried` };
  if (attemptNo >= policy.maxAttempts)
    return { final: true, nextAt: 0, reason: `attempt ${attemptNo} of ${policy.maxAttempts}: no attempts left` };
  const after = own?.afterSec ?? policy.retryIntervalSec;
  return { final: false, nextAt: now + after * 1000, reason: `result ${code}: retry in ${after} s` };
}
