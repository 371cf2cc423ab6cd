/**
 * The agent desktop (seed 001 "operation"): a static page with plain
 * JavaScript served at /agent (no build step), and the reads it needs beyond
 * the live state: who am I, the current call's context (contact, its attempt
 * history in the campaign, the campaign's dispositions and its script with
 * the contact's fields filled in, the contact's time zone for callbacks), the
 * agent's own calls of the day with their dispositions, editable the same
 * day, and the campaign call script (supervisors write it).
 * The page signs in through POST /auth/session (the key typed into a form,
 * sent once in a header) and then works on the HttpOnly session cookie.
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { AnyObject, ReqObject, type RoutePlugin } from '../typebox';
import { DateTime } from 'luxon';
import { ApiError, ErrorRef, errorResponses, notFound } from '../errors';
import { ANY, SUPERVISOR, assertSelfOrSupervisor } from '../auth';
import { dispositionProblem } from '../../agents/disposition';
import { fillScript } from '../../agents/script';
import { agentParams, requireAgent } from './agent-common';
import { recordingView } from './recordings';
import { actorOf } from '../store-errors';

const DIR = join(__dirname, '..', '..', 'agents', 'desktop');
const FILES: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };
const tags = ['agent desktop'];
const obj = AnyObject();

export const agentPageRoutes: RoutePlugin = async (app) => {
  const d = app.agentData;
  const html = readFileSync(join(DIR, 'index.html'));
  const assets = Object.fromEntries(Object.keys(FILES).map((f) => [f, readFileSync(join(DIR, f))]));

  app.get(
    '/agent',
    {
      schema: {
        tags,
        summary: 'The agent desktop page',
        response: { 200: Type.Unsafe<string | Buffer>({ type: 'string', description: 'text/html' }), 404: ErrorRef },
      },
    },
    async (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html),
  );
  app.get(
    '/agent/:file',
    {
      schema: {
        tags,
        summary: 'Agent desktop script and style',
        params: ReqObject({ file: StringEnum(Object.keys(FILES)) }),
        response: { 200: Type.Unsafe<string | Buffer>({ type: 'string', description: 'script or style' }), 400: ErrorRef, 404: ErrorRef },
      },
    },
    async (req, reply) =>
      reply.header('content-type', FILES[req.params.file]!).header('cache-control', 'no-cache').send(assets[req.params.file]),
  );

  /** The attempt history of one contact in a campaign, oldest first, with dispositions. */
  async function contactHistory(campaignId: string, listId: string, contactId: string) {
    const out = [];
    for (const a of await d.readAttempts(campaignId)) {
      if (a.listId !== listId || a.contactId !== contactId) continue;
      const disp = await d.getDisposition(campaignId, a.attemptId);
      out.push({
        attemptId: a.attemptId,
        attemptNo: a.attemptNo,
        at: new Date(a.at).toISOString(),
        result: a.codeName,
        code: a.code,
        agentId: a.agentId,
        disposition: disp?.disposition,
        note: disp?.note,
        ...(a.consentAt !== undefined ? { consentAt: new Date(a.consentAt).toISOString() } : {}),
        // From the recording's own entry in the history stream; the WAV is role-checked at /recordings/:id/audio.
        ...(a.recording
          ? { recording: { id: a.recording.id, status: a.recording.status, from: a.recording.from, durationMs: a.recording.durationMs } }
          : {}),
      });
    }
    return out;
  }

  app.get(
    '/agents/:id/call',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'The current call: contact, its history, dispositions, filled-in script',
        params: agentParams,
        response: { 200: obj, ...errorResponses },
      },
    },
    async (req) => {
      assertSelfOrSupervisor(req, req.params.id);
      await requireAgent(app.store, req.params.id);
      const live = await d.getAgentLive(req.params.id);
      const pop = live?.pop;
      if (!live || !pop) return { state: live?.state ?? 'logged_out' };
      const [campaign, contact, script] = await Promise.all([
        d.getCampaign(pop.campaignId),
        d.getContact(pop.listId, pop.contactId),
        d.getScript(pop.campaignId),
      ]);
      return {
        state: live.state,
        attemptId: pop.attemptId,
        onHold: live.held,
        pop,
        contact,
        timeZone: contact?.timeZone ?? campaign?.hours.timeZone ?? 'UTC',
        campaign: campaign
          ? { id: campaign.id, name: campaign.name, dispositions: campaign.dispositions, dispositionRequired: campaign.dispositionRequired }
          : { id: pop.campaignId },
        script: fillScript(script, pop),
        history: await contactHistory(pop.campaignId, pop.listId, pop.contactId),
      };
    },
  );

  app.get(
    '/agents/:id/callbacks',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: "The agent's own callbacks in every campaign serving one of the agent's groups, soonest first",
        params: agentParams,
        response: { 200: Type.Array(obj), ...errorResponses },
      },
    },
    async (req) => {
      assertSelfOrSupervisor(req, req.params.id);
      await requireAgent(app.store, req.params.id);
      const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
      return (await d.agentCallbacks(req.params.id)).map((c) => ({
        ...c,
        dueAt: iso(c.dueAt),
        createdAt: iso(c.createdAt),
        updatedAt: iso(c.updatedAt),
        claimedAt: iso(c.claimedAt),
      }));
    },
  );

  app.get(
    '/agents/:id/history',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: "The agent's own calls since `since` (default: the last 24 hours), newest first, with dispositions and recordings",
        params: agentParams,
        querystring: ReqObject({ since: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
        response: { 200: Type.Array(obj), ...errorResponses },
      },
    },
    async (req) => {
      assertSelfOrSupervisor(req, req.params.id);
      await requireAgent(app.store, req.params.id);
      const since = req.query.since ? Date.parse(req.query.since) : Date.now() - 86_400_000;
      const calls = await d.agentCalls(req.params.id, since);
      return Promise.all(
        calls.map(async (c) => {
          const [disp, rec] = await Promise.all([
            d.getDisposition(c.pop.campaignId, c.pop.attemptId),
            d.getRecording(d.recordingId(c.pop.campaignId, c.pop.attemptId)),
          ]);
          return {
            at: new Date(c.at).toISOString(),
            campaignId: c.pop.campaignId,
            attemptId: c.pop.attemptId,
            contactId: c.pop.contactId,
            name: c.pop.name,
            phone: c.pop.phone,
            disposition: disp?.disposition,
            note: disp?.note,
            ...(rec ? { recording: recordingView(rec) } : {}),
          };
        }),
      );
    },
  );

  app.patch(
    '/agents/:id/history/:campaignId/:attemptId',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: "Correct the disposition or note of one of the agent's own calls, the same day (in the campaign's time zone)",
        params: ReqObject({
          id: agentParams.properties.id,
          campaignId: Type.String({ minLength: 1, maxLength: 128 }),
          attemptId: Type.String({ minLength: 1, maxLength: 128 }),
        }),
        body: ReqObject(
          {
            disposition: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          {
            additionalProperties: false,
            minProperties: 1,
          },
        ),
        response: { 200: obj, ...errorResponses, 422: ErrorRef },
      },
    },
    async (
      req: FastifyRequest<{ Params: { id: string; campaignId: string; attemptId: string }; Body: { disposition?: string; note?: string } }>,
    ) => {
      const { id, campaignId, attemptId } = req.params;
      assertSelfOrSupervisor(req, id);
      const at = await d.agentCallAt(id, campaignId, attemptId);
      if (at === null) throw new ApiError('NOT_FOUND', `agent ${id} has no call ${attemptId} in campaign ${campaignId}`);
      const campaign = await d.getCampaign(campaignId);
      if (!campaign) throw notFound('campaign', campaignId);
      const zone = campaign.hours.timeZone;
      const day = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate();
      if (day(at) !== day(Date.now()))
        throw new ApiError('CONFLICT', `call ${attemptId} was on ${day(at)} (${zone}); only today's calls can be edited`);
      const prev = await d.getDisposition(campaignId, attemptId);
      const disposition = req.body.disposition ?? prev?.disposition;
      const problem = dispositionProblem(campaign.id, campaign, disposition);
      if (problem) throw new ApiError('UNPROCESSABLE', problem, { allowed: campaign.dispositions.map((d) => d.code) });
      const rec = { campaignId, attemptId, agentId: id, disposition, note: req.body.note ?? prev?.note, by: actorOf(req), at: Date.now() };
      await d.saveDisposition(rec);
      return { ...rec, at: new Date(rec.at).toISOString() };
    },
  );

  app.get(
    '/campaigns/:id/script',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: "The campaign's call script (placeholders like {{name}}, {{attr.plan}})",
        params: ReqObject({ id: Type.String() }),
        response: { 200: Type.Object({ script: Type.Optional(Type.String()) }), ...errorResponses },
      },
    },
    async (req) => {
      if (!(await d.getCampaign(req.params.id))) throw notFound('campaign', req.params.id);
      return { script: await d.getScript(req.params.id) };
    },
  );

  app.put(
    '/campaigns/:id/script',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: "Set the campaign's call script shown to agents with the contact's fields filled in",
        params: ReqObject({ id: Type.String() }),
        body: ReqObject(
          { script: Type.String({ maxLength: 20000 }) },
          {
            additionalProperties: false,
          },
        ),
        response: { 200: Type.Object({ script: Type.Optional(Type.String()) }), ...errorResponses },
      },
    },
    async (req) => {
      if (!(await d.getCampaign(req.params.id))) throw notFound('campaign', req.params.id);
      await d.setScript(req.params.id, req.body.script);
      return { script: req.body.script };
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default agentPageRoutes;
