/**
 * Outcome entry from the customer search (issue 18, seed 001 "record the
 * handling of a customer's return call from the customer search"): who may
 * record a result for a contact found by search. Pure.
 *
 * The seed's role rule: the agents' user role cannot enter it, an agent who
 * took the call escalates to an account with supervisor rights over the
 * campaign. Here supervisors and admins record outcomes for any contact; an
 * agent only for a return call they took themselves (`inboundCallId` of a call
 * whose agent they were) — the case where the dialer itself knows the agent
 * handled that caller — and only for a contact of a campaign they serve.
 */

export interface OutcomeInput {
  listId: string;
  contactId: string;
  campaignId: string;
  disposition?: string;
  note?: string;
  inboundCallId?: string;
}

export interface OutcomeRecord extends OutcomeInput {
  id: string;
  /** Who entered it: agent id, or the supervisor's key name/id. */
  by: string;
  role: 'admin' | 'supervisor' | 'agent';
  at: number;
}

export type OutcomeRefusal = { code: 'FORBIDDEN' | 'UNPROCESSABLE' | 'VALIDATION_FAILED'; message: string };

/**
 * Why this principal may not record this outcome, or undefined when it may.
 * `call`: the inbound call named by `inboundCallId` (null when unknown);
 * `visibleLists`: the lists the principal's campaigns use (customer search's rule).
 */
export function outcomeRefusal(
  who: { role: 'admin' | 'supervisor' | 'agent'; agentId?: string },
  input: OutcomeInput,
  ctx: { campaignLists: readonly string[]; visibleLists: readonly string[]; call?: { agentId?: string } | null },
): OutcomeRefusal | undefined {
  if (input.disposition === undefined && (input.note === undefined || input.note.trim() === ''))
    return { code: 'VALIDATION_FAILED', message: 'body: give a disposition or a note' };
  if (!ctx.campaignLists.includes(input.listId))
    return { code: 'UNPROCESSABLE', message: `campaign ${input.campaignId} does not use list ${input.listId}` };
  if (input.inboundCallId !== undefined && ctx.call === null)
    return { code: 'UNPROCESSABLE', message: `body.inboundCallId: inbound call ${input.inboundCallId} does not exist` };
  if (who.role !== 'agent') return undefined;
  if (input.inboundCallId === undefined)
    return {
      code: 'FORBIDDEN',
      message:
        'an agent records an outcome from the customer search only for a return call they took (body.inboundCallId); otherwise a supervisor enters it',
    };
  if (ctx.call?.agentId !== who.agentId)
    return { code: 'FORBIDDEN', message: `inbound call ${input.inboundCallId} was not taken by agent ${who.agentId ?? '?'}` };
  if (!ctx.visibleLists.includes(input.listId))
    return { code: 'FORBIDDEN', message: `agent ${who.agentId ?? '?'} serves no campaign using list ${input.listId}` };
  return undefined;
}
