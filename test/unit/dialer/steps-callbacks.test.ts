/** Pure steps of the runner around callbacks: who gets a due callback, and when a campaign is complete. */
import t from 'tap';
import { callbackOffer, orphanedCallbackAction } from '../../../lib/dialer/steps/callbacks';
import { decideCompletion, type CompletionInputs } from '../../../lib/dialer/steps/complete';

t.test('a due callback goes to its owner alone inside the grace, then to anyone (owner first)', async (t) => {
  const due = 1_000_000;
  const grace = 60_000;
  t.same(callbackOffer({ owner: 'a1', dueAt: due }, due, grace), { prefer: 'a1', only: true });
  t.same(callbackOffer({ owner: 'a1', dueAt: due }, due + grace - 1, grace), { prefer: 'a1', only: true });
  t.same(callbackOffer({ owner: 'a1', dueAt: due }, due + grace, grace), { prefer: 'a1', only: false }, 'grace over');
  t.same(callbackOffer({ owner: 'a1', dueAt: due }, due, 0), { prefer: 'a1', only: false }, 'no grace configured');
  t.same(callbackOffer({ owner: null, dueAt: due }, due, grace), { only: false }, 'open callback');
});

t.test('completion waits for calls, contacts, callbacks and agents who may still book one', async (t) => {
  const idle: CompletionInputs = { callsInProgress: 0, contacts: 5, remaining: 0, inflight: 0, pendingCallbacks: 0, agentsInWrapUp: 0 };
  const cases: [Partial<CompletionInputs>, ReturnType<typeof decideCompletion>][] = [
    [{}, { complete: true }],
    [{ callsInProgress: 1 }, { complete: false, why: 'calls' }],
    [{ inflight: 1 }, { complete: false, why: 'calls' }],
    [{ contacts: 0 }, { complete: false, why: 'not-loaded' }],
    [{ remaining: 2 }, { complete: false, why: 'remaining' }],
    [{ pendingCallbacks: 1 }, { complete: false, why: 'callbacks' }],
    [{ agentsInWrapUp: 1 }, { complete: false, why: 'wrap-up' }],
  ];
  for (const [patch, want] of cases) t.same(decideCompletion({ ...idle, ...patch }), want, JSON.stringify(patch));
});

t.test('a callback whose claimer stopped is scheduled again or finished, never dialled twice', async (t) => {
  const stale = 8000;
  const claimed = { state: 'claimed', claimedAt: 100_000, updatedAt: 100_000 };
  t.equal(orphanedCallbackAction(claimed, undefined, 100_000 + stale, stale), null, 'not stale yet: its claimer may be dialling');
  t.equal(orphanedCallbackAction(claimed, undefined, 100_001 + stale, stale), 'schedule', 'never enqueued');
  t.equal(orphanedCallbackAction(claimed, 'queued', 100_001 + stale, stale), 'schedule', 'enqueued, or put back by the reaper');
  t.equal(orphanedCallbackAction(claimed, 'inflight', 200_000, stale), null, 'in flight: the reaper closes its attempt');
  t.equal(orphanedCallbackAction(claimed, 'done', 200_000, stale), 'done', 'its attempt closed, the callback was not marked');
  t.equal(orphanedCallbackAction({ ...claimed, state: 'scheduled' }, undefined, 200_000, stale), null);
  t.equal(orphanedCallbackAction({ ...claimed, state: 'done' }, 'done', 200_000, stale), null);
  t.equal(
    orphanedCallbackAction({ state: 'claimed', updatedAt: 100_000 }, undefined, 100_001 + stale, stale),
    'schedule',
    'claimedAt missing: updatedAt',
  );
});
