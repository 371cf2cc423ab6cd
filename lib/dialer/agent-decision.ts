/**
 * Applies an agent's disposition to a not-sure call the agent decided
 * (notSure policy "agent-decides"): the disposition's code becomes the
 * attempt's one result and drives its retry (./steps/agent-decision.ts
 * decides, lib/store/lua/dial-recode.lua writes). Called from both sides of a
 * race: when the disposition is saved, and when the attempt closes (an agent
 * can submit wrap-up before the close is written). Whichever runs second
 * applies it; the script's compare-and-set makes a repeat a no-op.
 *
 * A re-coding after the close is announced as an `attempt.recoded` event
 * (webhooks, SSE, metrics: call.ended already went out with the old code);
 * one applied by the close itself is not: call.ended carries the agent's code.
 */
import type { Redis } from 'ioredis';
import type { Campaign } from '../domain/campaign';
import { isResultCode } from '../results/codes';
import { getDisposition, saveDisposition, type DispositionRecord } from '../store/agent-dispositions';
import { getCampaign } from '../store/campaigns';
import { recodeContactOutcome } from '../store/contacts';
import { DialQueue, splitRef } from '../store/dial-queue';
import { decideRecode } from './steps/agent-decision';
import { CALLBACK_LIST, campaignPolicy } from './steps/policy';
import type { DialerEvent } from './events';

export type AgentDecisionOutcome =
  | { applied: false; why: 'not-agent-decided' | 'not-closed' | 'no-disposition' | 'unchanged' | 'raced' }
  | {
      applied: true;
      from: number;
      to: number;
      contact: 'final' | 'queued' | 'unchanged';
      by: string;
      agentId?: string;
      ref: string;
      attemptNo: number;
      at: number;
    };

/** The event announcing a re-coding made after the attempt's call.ended. */
export function recodedEvent(
  campaignId: string,
  attemptId: string,
  o: Extract<AgentDecisionOutcome, { applied: true }>,
): Extract<DialerEvent, { type: 'attempt.recoded' }> {
  return {
    type: 'attempt.recoded',
    at: o.at,
    campaignId,
    attemptId,
    ref: o.ref,
    attemptNo: o.attemptNo,
    from: o.from,
    to: o.to,
    by: o.by,
    agentId: o.agentId,
    contact: o.contact,
  };
}

export async function applyAgentDecision(
  redis: Redis,
  campaign: Campaign,
  attemptId: string,
  now: number,
  /** listView false: the caller records the list's view itself (the runner's close, which has not written it yet). */
  opts: { listView?: boolean } = {},
): Promise<AgentDecisionOutcome> {
  const queue = new DialQueue(redis, campaign.id);
  // A disposition saved while another was being applied loses the compare-and-set: read again (bounded).
  for (let tries = 0; tries < 3; tries++) {
    const out = await applyOnce(queue, redis, campaign, attemptId, now, opts.listView ?? true);
    if (out.applied || out.why !== 'raced') return out;
  }
  return { applied: false, why: 'raced' };
}

async function applyOnce(
  queue: DialQueue,
  redis: Redis,
  campaign: Campaign,
  attemptId: string,
  now: number,
  listView: boolean,
): Promise<AgentDecisionOutcome> {
  const [st, disp] = await Promise.all([queue.attemptState(attemptId), getDisposition(redis, campaign.id, attemptId)]);
  if (st.phase !== 'closed') return { applied: false, why: 'not-closed' };
  if (!st.agentDecides) return { applied: false, why: 'not-agent-decided' };
  if (!disp) return { applied: false, why: 'no-disposition' };
  const current = st.code;
  const closed = st.closedCode ?? current;
  if (!isResultCode(current) || !isResultCode(closed) || st.attemptNo === undefined || st.ref === undefined)
    return { applied: false, why: 'not-agent-decided' };
  const r = decideRecode({
    closedCode: closed,
    currentCode: current,
    disposition: disp.disposition,
    attemptNo: st.attemptNo,
    isCallback: st.ref.startsWith(`${CALLBACK_LIST}:`),
    policy: campaignPolicy(campaign),
    now,
  });
  if (!r) return { applied: false, why: 'unchanged' };
  const res = await queue.recode({
    attemptId,
    from: r.from,
    to: r.to,
    now,
    final: r.final,
    nextAt: r.nextAt,
    liveFrom: r.liveFrom,
    liveTo: r.liveTo,
    by: disp.by,
    agentId: disp.agentId,
    data: { disposition: disp.disposition ?? null, retry: r.retryReason, dispositionAt: disp.at },
  });
  if (!res) return { applied: false, why: 'raced' };
  // The list's own view of the contact (re-lists) shows the new result; a callback's contact is the callback's, left as it is.
  const { listId, contactId } = splitRef(st.ref);
  if (listView && listId !== CALLBACK_LIST) await recodeContactOutcome(redis, listId, contactId, r.to).catch(() => undefined);
  return {
    applied: true,
    from: r.from,
    to: r.to,
    contact: res.contact,
    by: disp.by,
    agentId: disp.agentId,
    ref: st.ref,
    attemptNo: st.attemptNo,
    at: now,
  };
}

/**
 * Saves an agent's disposition and, for a not-sure call the agent decided, makes it the attempt's result.
 * Every path a disposition is entered by (wrap-up, unsaved record, same-day correction) goes through here.
 * A change made here is one the close did not make (call.ended carries the code it closed with): `publish`
 * gets its `attempt.recoded` event.
 */
export async function saveDispositionAndDecide(
  redis: Redis,
  d: DispositionRecord,
  publish?: (e: DialerEvent) => void,
): Promise<AgentDecisionOutcome> {
  await saveDisposition(redis, d);
  const campaign = await getCampaign(redis, d.campaignId);
  if (!campaign) return { applied: false, why: 'not-agent-decided' };
  const out = await applyAgentDecision(redis, campaign, d.attemptId, Date.now());
  if (out.applied) publish?.(recodedEvent(campaign.id, d.attemptId, out));
  return out;
}
