/**
 * Outcome entry from the customer search (issue 18, seed 001: the handling of
 * a customer's return call is recorded from the customer search). Who may:
 * lib/domain/customer-outcome.ts (supervisors and admins for any contact; an
 * agent only for a return call they took). Reads the store through app.store
 * and app.inboundData (no lib/store import: test/unit/house/structure.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { ReqObject, type RoutePlugin } from '../typebox';
import { ANY } from '../auth';
import { ApiError, ErrorRef, errorResponses, notFound } from '../errors';
import { actorOf } from '../store-errors';
import { dispositionProblem } from '../../agents/disposition';
import { outcomeRefusal, type OutcomeRecord } from '../../domain/customer-outcome';
import { visibleLists } from './customers';
import { ID_PATTERN } from './lists';

const tags = ['contacts'];
const params = ReqObject(
  { listId: Type.String({ pattern: ID_PATTERN }), contactId: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const outcomeSchema = Type.Object({
  id: Type.Optional(Type.String()),
  listId: Type.Optional(Type.String()),
  contactId: Type.Optional(Type.String()),
  campaignId: Type.Optional(Type.String()),
  disposition: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  inboundCallId: Type.Optional(Type.String({ description: 'the return call this outcome is for' })),
  by: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
  at: Type.Optional(Type.String({ format: 'date-time' })),
});
const view = (r: OutcomeRecord) => ({ ...r, at: new Date(r.at).toISOString() });

export const customerOutcomeRoutes: RoutePlugin = async (app) => {
  const { store } = app;

  app.post(
    '/customers/:listId/:contactId/outcomes',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'Record the outcome of a customer found by the customer search (e.g. after a return call)',
        description:
          'Supervisors and admins for any contact; an agent only for a return call they took (`inboundCallId`), for a contact of a campaign they serve. ' +
          "`disposition` must be one of the campaign's; give a disposition, a note or both.",
        params,
        body: ReqObject(
          {
            campaignId: Type.String({ pattern: ID_PATTERN, description: "a campaign using the contact's list" }),
            disposition: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
            inboundCallId: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: outcomeSchema, ...errorResponses, 422: ErrorRef },
      },
    },
    async (req, reply) => {
      const { listId, contactId } = req.params;
      const b = req.body;
      if (!(await store.contacts.get(listId, contactId))) throw notFound('contact', `${listId}/${contactId}`);
      const campaign = await store.campaigns.get(b.campaignId);
      if (!campaign) throw notFound('campaign', b.campaignId);
      const p = req.principal!;
      const input = { listId, contactId, ...b };
      const refusal = outcomeRefusal(p, input, {
        campaignLists: campaign.lists.map((l) => l.listId),
        visibleLists: p.role === 'agent' ? await visibleLists(store, req) : [],
        call: b.inboundCallId !== undefined ? await app.inboundData.getCall(b.inboundCallId) : undefined,
      });
      if (refusal) throw new ApiError(refusal.code, refusal.message);
      if (b.disposition !== undefined) {
        const problem = dispositionProblem(campaign.id, campaign, b.disposition);
        if (problem) throw new ApiError('UNPROCESSABLE', problem, { allowed: campaign.dispositions.map((d) => d.code) });
      }
      const rec: OutcomeRecord = { id: randomUUID(), ...input, by: actorOf(req), role: p.role, at: Date.now() };
      await app.inboundData.addOutcome(rec);
      return reply.status(201).send(view(rec));
    },
  );

  app.get(
    '/customers/:listId/:contactId/outcomes',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: "A contact's outcomes recorded from the customer search, newest first (agents: lists of campaigns they serve)",
        params,
        response: { 200: Type.Array(outcomeSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { listId, contactId } = req.params;
      if (!(await store.contacts.get(listId, contactId))) throw notFound('contact', `${listId}/${contactId}`);
      if (req.principal?.role === 'agent' && !(await visibleLists(store, req)).includes(listId))
        throw new ApiError('FORBIDDEN', `agent ${req.principal.agentId ?? '?'} serves no campaign using list ${listId}`);
      const campaigns = (await store.campaigns.list()).filter((c) => c.lists.some((l) => l.listId === listId)).map((c) => c.id);
      return (await app.inboundData.listOutcomes(campaigns, listId, contactId)).map(view);
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default customerOutcomeRoutes;
