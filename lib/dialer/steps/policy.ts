/**
 * A campaign's retry policy as the close step reads it, and the pseudo-list
 * callbacks are queued in. Pure; shared by the runner's close and the
 * agent's re-coding of a not-sure call (./agent-decision.ts).
 */
import type { Campaign } from '../../domain/campaign';
import type { RetryPolicy } from '../../rules/retry';

export function campaignPolicy(c: Campaign): RetryPolicy {
  const perCode: RetryPolicy['perCode'] = {};
  for (const [code, rule] of Object.entries(c.retryPolicy ?? {})) perCode[Number(code)] = { retry: rule.retry, afterSec: rule.intervalSec };
  return { maxAttempts: c.maxAttempts, retryIntervalSec: c.retryIntervalSec, perCode };
}

/** Callbacks due are queued in this pseudo-list, ahead of every list (negative scores). */
export const CALLBACK_LIST = 'cb';
