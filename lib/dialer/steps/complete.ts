/**
 * When a running campaign is complete (seed 000: "every number dialed and
 * resulted"). Pure: the interpreter gathers the counts, this decides.
 */
export interface CompletionInputs {
  /** Calls of the campaign this process is carrying. */
  callsInProgress: number;
  /** Contacts ever queued (0 = the lists are not loaded yet: never complete on that). */
  contacts: number;
  /** Contacts and due callbacks still waiting in the dial queue. */
  remaining: number;
  /** Attempts claimed and not closed (any process). */
  inflight: number;
  /** Callbacks scheduled and not yet dialled, due or not. */
  pendingCallbacks: number;
  /** Agents in wrap-up after one of this campaign's calls: they may still book a callback. */
  agentsInWrapUp: number;
}

export type Completion = { complete: true } | { complete: false; why: 'calls' | 'not-loaded' | 'remaining' | 'callbacks' | 'wrap-up' };

export function decideCompletion(s: CompletionInputs): Completion {
  if (s.callsInProgress > 0 || s.inflight > 0) return { complete: false, why: 'calls' };
  if (s.contacts === 0) return { complete: false, why: 'not-loaded' };
  if (s.remaining > 0) return { complete: false, why: 'remaining' };
  if (s.pendingCallbacks > 0) return { complete: false, why: 'callbacks' };
  if (s.agentsInWrapUp > 0) return { complete: false, why: 'wrap-up' };
  return { complete: true };
}
