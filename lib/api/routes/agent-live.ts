/**
 * Reading live agent state and completing "unsaved" records (seed 001: calls
 * lost to a dropped phone or crashed PC, completed later by the agent or a
 * supervisor). Store-only: works with or without the running desk.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import type { FastifyRequest } from 'fastify';
import { AnyObject, ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { ANY, SUPERVISOR, assertSelfOrSupervisor } from '../auth';
import { dispositionProblem } from '../../agents/disposition';
import type { UnsavedRecord } from '../plugins/app/store';
import { agentLiveSchema, agentParams, liveView, moreErrors, requireAgent } from './agent-common';
import { actorOf } from '../store-errors';

const tags = ['agent desk'];

const unsavedSchema = Type.Object({
  id: Type.Optional(Type.String()),
  agentId: Type.Optional(Type.String()),
  campaignId: Type.Optional(Type.String()),
  attemptId: Type.Optional(Type.String()),
  contact: Type.Optional(AnyObject()),
  callState: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  createdAt: Type.Optional(Type.String({ format: 'date-time' })),
  state: Type.Optional(StringEnum(['open', 'completed'])),
  completion: Type.Optional(
    Type.Object({
      disposition: Type.Optional(Type.String()),
      note: Type.Optional(Type.String()),
      by: Type.Optional(Type.String()),
      at: Type.Optional(Type.String({ format: 'date-time' })),
    }),
  ),
});

function unsavedView(r: UnsavedRecord): Static<typeof unsavedSchema> {
  return {
    id: r.id,
    agentId: r.agentId,
    campaignId: r.campaignId,
    attemptId: r.attemptId,
    ...(r.pop ? { contact: r.pop } : {}),
    callState: r.callState,
    reason: r.reason,
    createdAt: new Date(r.createdAt).toISOString(),
    state: r.state,
    ...(r.completion ? { completion: { ...r.completion, at: new Date(r.completion.at).toISOString() } } : {}),
  };
}

const uidParams = ReqObject(
  { uid: Type.String({ minLength: 1, maxLength: 64 }) },
  {
    additionalProperties: false,
  },
);

async function ownRecord(req: FastifyRequest, uid: string): Promise<UnsavedRecord> {
  const rec = await req.server.store.unsaved.get(uid);
  if (!rec) throw notFound('unsaved record', uid);
  assertSelfOrSupervisor(req, rec.agentId);
  return rec;
}

export const agentLiveRoutes: RoutePlugin = async (app) => {
  const limits = app.config.dialer.agents.idleLimits;

  app.get(
    '/agents/:id/live',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: "An agent's live state, time in state, and current call (screen pop)",
        params: agentParams,
        response: { 200: agentLiveSchema, ...errorResponses },
      },
    },
    async (req) => {
      assertSelfOrSupervisor(req, req.params.id);
      await requireAgent(app.store, req.params.id);
      return liveView(req.params.id, await app.store.agentLive.get(req.params.id), Date.now(), limits);
    },
  );

  app.get(
    '/live-agents',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: "Every logged-in agent's live state",
        response: { 200: Type.Object({ agents: Type.Optional(Type.Array(agentLiveSchema)) }), ...errorResponses },
      },
    },
    async () => {
      const now = Date.now();
      return { agents: (await app.store.agentLive.list()).map((a) => liveView(a.id, a, now, limits)) };
    },
  );

  const list = { 200: Type.Object({ records: Type.Optional(Type.Array(unsavedSchema)) }), ...errorResponses };
  app.get(
    '/agents/:id/unsaved',
    {
      config: { roles: ANY },
      schema: { tags, summary: "An agent's open unsaved records, oldest first", params: agentParams, response: list },
    },
    async (req) => {
      assertSelfOrSupervisor(req, req.params.id);
      await requireAgent(app.store, req.params.id);
      return { records: (await app.store.unsaved.list({ agentId: req.params.id })).map(unsavedView) };
    },
  );

  app.get(
    '/unsaved',
    {
      config: { roles: SUPERVISOR },
      schema: { tags, summary: 'Every open unsaved record, oldest first', response: list },
    },
    async () => ({ records: (await app.store.unsaved.list()).map(unsavedView) }),
  );

  app.get(
    '/unsaved/:uid',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'One unsaved record (an agent key: only its own)',
        params: uidParams,
        response: { 200: unsavedSchema, ...errorResponses },
      },
    },
    async (req) => unsavedView(await ownRecord(req, req.params.uid)),
  );

  app.post(
    '/unsaved/:uid/complete',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: "Complete an unsaved record with the call's disposition (once)",
        params: uidParams,
        body: ReqObject(
          {
            disposition: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          {
            additionalProperties: false,
          },
        ),
        response: { 200: unsavedSchema, ...errorResponses, ...moreErrors },
      },
    },
    async (req) => {
      const rec = await ownRecord(req, req.params.uid);
      if (rec.state === 'completed')
        throw new ApiError('CONFLICT', `unsaved record ${rec.id} was already completed by ${rec.completion?.by ?? 'someone'}`);
      const at = Date.now();
      if (rec.campaignId && rec.attemptId) {
        const campaign = await app.store.campaigns.get(rec.campaignId);
        if (campaign) {
          const problem = dispositionProblem(campaign.id, campaign, req.body.disposition);
          if (problem) throw new ApiError('UNPROCESSABLE', problem, { allowed: campaign.dispositions.map((d) => d.code) });
        }
        await app.store.dispositions.save({
          campaignId: rec.campaignId,
          attemptId: rec.attemptId,
          agentId: rec.agentId,
          disposition: req.body.disposition,
          note: req.body.note,
          by: actorOf(req),
          at,
          fromUnsaved: true,
        });
      }
      const outcome = await app.store.unsaved.complete(rec.id, {
        disposition: req.body.disposition,
        note: req.body.note,
        by: actorOf(req),
        at,
      });
      if (outcome === 'already_completed') throw new ApiError('CONFLICT', `unsaved record ${rec.id} was already completed`);
      return unsavedView((await app.store.unsaved.get(rec.id))!);
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default agentLiveRoutes;
