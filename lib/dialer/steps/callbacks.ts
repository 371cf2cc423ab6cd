/**
 * Who a due callback is offered to (seed 001's 再発信約束: an agent promises a
 * call back; a supervisor reassigns it when that agent is away). Pure.
 *
 * - An owned callback goes to its owner alone until `dueAt + grace`; after
 *   that to anyone in the campaign's groups, the owner still first.
 * - An open callback (owner null) goes to the longest-waiting agent.
 */
export interface CallbackOffer {
  /** Agent to try first. */
  prefer?: string;
  /** Nobody but `prefer` may take it (still inside the owner's grace). */
  only: boolean;
}

export function callbackOffer(cb: { owner: string | null; dueAt: number }, now: number, graceMs: number): CallbackOffer {
  if (!cb.owner) return { only: false };
  return { prefer: cb.owner, only: now < cb.dueAt + graceMs };
}

/** How long to wait before offering a callback again when no agent could take it. */
export const CALLBACK_REOFFER_MS = 5_000;

/**
 * The rule for callbacks of a campaign that ends:
 * - completion waits for them (a campaign with a callback still scheduled, or
 *   an agent still in wrap-up who may book one, is not complete — see decideCompletion);
 * - closing a campaign cancels its scheduled callbacks (state `cancelled`), so
 *   they leave every agent's list; their history stays readable through the API.
 */
export const CLOSED_CAMPAIGN_CALLBACKS = 'cancelled' as const;

/**
 * What to do with a callback still `claimed` after `staleMs`, by the state of
 * its queue entry (`cb:<id>@<dueAt>`). The claiming process stopped:
 * - before dialling (entry never enqueued, or put back `queued` by the
 *   reaper): `schedule` again with the same due time, so its entry is reused
 *   and it is dialled once;
 * - after its attempt closed but before the callback was marked (entry
 *   `done`): `done` with that attempt's result;
 * - an entry in flight is left to the reaper (its attempt closes as
 *   interrupted and finishes the callback).
 * Without this such a callback waits forever and its campaign never
 * completes (found by test/e2e/scale/fault.test.ts). Pure.
 */
export function orphanedCallbackAction(
  cb: { state: string; claimedAt?: number; updatedAt: number },
  queueState: string | undefined,
  now: number,
  staleMs: number,
): 'schedule' | 'done' | null {
  if (cb.state !== 'claimed' || now - (cb.claimedAt ?? cb.updatedAt) <= staleMs) return null;
  if (queueState === undefined || queueState === 'queued') return 'schedule';
  if (queueState === 'done') return 'done';
  return null;
}
