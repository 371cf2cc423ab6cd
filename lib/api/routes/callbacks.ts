/**
 * Callbacks (seed 001's callback list) per campaign. An agent promises a call
 * back at a time, for themselves or open to the campaign's groups; supervisors
 * see all, reassign and reschedule. A number on a do-not-call list (global or
 * the campaign's) is refused with 409; the runner checks DNC and calling
 * hours again at dial time.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import type { FastifyRequest } from 'fastify';
import { OrNull, ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { ANY } from '../auth';
import { normalizePhone } from '../../domain/phone';
import type { Callback, CallbackPatch } from '../plugins/app/store';
import { desk as mapped, moreErrors } from './agent-common';
import { actorOf } from '../store-errors';

const tags = ['callbacks'];
const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());

const callbackSchema = Type.Object({
  id: Type.Optional(Type.String()),
  campaignId: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  listId: Type.Optional(Type.String()),
  contactId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  dueAt: Type.Optional(Type.String({ format: 'date-time' })),
  owner: Type.Optional(OrNull(Type.String({ description: "the agent offered the call first; null = anyone in the campaign's groups" }))),
  state: Type.Optional(StringEnum(['scheduled', 'claimed', 'done', 'cancelled'])),
  createdBy: Type.Optional(Type.String()),
  createdAt: Type.Optional(Type.String({ format: 'date-time' })),
  updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
  claimedAt: Type.Optional(Type.String({ format: 'date-time' })),
  attemptId: Type.Optional(Type.String()),
  resultCode: Type.Optional(Type.Integer()),
});

function view(c: Callback): Static<typeof callbackSchema> {
  return { ...c, dueAt: iso(c.dueAt), createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt), claimedAt: iso(c.claimedAt) };
}

const params = ReqObject(
  { id: Type.String({ minLength: 1, maxLength: 128 }) },
  {
    additionalProperties: false,
  },
);
const cbParams = ReqObject(
  { id: params.properties.id, cbId: Type.String({ minLength: 1, maxLength: 64 }) },
  {
    additionalProperties: false,
  },
);
const owner = Type.Optional(OrNull(Type.String({ minLength: 1, maxLength: 64 })));
const dueAt = Type.String({ format: 'date-time', description: 'ISO 8601 with offset, e.g. 2026-05-01T14:00:00+09:00' });
const text = (max: number) => Type.Optional(Type.String({ maxLength: max }));

/** An agent key sees and edits its own callbacks and open ones; supervisors everything. */
function mayTouch(req: FastifyRequest, c: Callback): boolean {
  const p = req.principal;
  return !p || p.role !== 'agent' || c.owner === null || c.owner === p.agentId;
}

function parseDue(s: string): number {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new ApiError('VALIDATION_FAILED', `body.dueAt "${s}" is not a date-time`);
  return ms;
}

export const callbackRoutes: RoutePlugin = async (app) => {
  const region = app.config.phone.defaultRegion;

  async function campaignOr404(id: string) {
    const c = await app.store.campaigns.get(id);
    if (!c) throw notFound('campaign', id);
    return c;
  }
  /**
   * An agent key works only on callbacks of campaigns its groups dial for
   * (issue 14: it could add callbacks anywhere). A campaign that names no
   * groups is open to every agent.
   */
  async function assertServes(req: FastifyRequest, campaign: { id: string; agentGroups: string[] }): Promise<void> {
    const p = req.principal;
    if (!p || p.role !== 'agent' || campaign.agentGroups.length === 0) return;
    const agent = await app.store.agents.get(p.agentId!);
    if (!agent || !agent.groups.some((g) => campaign.agentGroups.includes(g))) {
      throw new ApiError(
        'FORBIDDEN',
        `agent ${p.agentId} is in none of campaign ${campaign.id}'s groups (${campaign.agentGroups.join(', ')})`,
      );
    }
  }
  async function checkOwner(o: string | null | undefined): Promise<void> {
    if (o && !(await app.store.agents.get(o))) throw new ApiError('UNPROCESSABLE', `owner ${o} is not an agent`);
  }

  app.post(
    '/campaigns/:id/callbacks',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'Promise a callback (an agent key: for itself or open to the group)',
        params,
        body: Type.Object(
          {
            phone: Type.String({ minLength: 1, maxLength: 40 }),
            dueAt,
            owner,
            listId: text(128),
            contactId: text(128),
            name: text(200),
            note: text(2000),
          },
          { additionalProperties: false },
        ),
        response: { 201: callbackSchema, ...errorResponses, ...moreErrors },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const campaign = await campaignOr404(req.params.id);
      await assertServes(req, campaign);
      if (campaign.state === 'closed' || campaign.state === 'completed')
        throw new ApiError('CONFLICT', `campaign ${campaign.id} is ${campaign.state}; it takes no callbacks`);
      const phone = normalizePhone(req.body.phone, region);
      if (!phone.ok) throw new ApiError('VALIDATION_FAILED', `body.phone ${phone.reason}`);
      const due = parseDue(req.body.dueAt);
      const now = Date.now();
      if (due < now - 60_000) throw new ApiError('VALIDATION_FAILED', `body.dueAt ${req.body.dueAt} is in the past`);
      let who = req.body.owner === undefined ? (p.role === 'agent' ? p.agentId! : null) : req.body.owner;
      if (p.role === 'agent' && who !== null && who !== p.agentId)
        throw new ApiError('FORBIDDEN', `an agent key may promise callbacks only for agent ${p.agentId} or open to the group`);
      await checkOwner(who);
      const dnc = await app.store.dnc.isDoNotCall({ phone: phone.e164, campaignId: campaign.id, channel: 'voice', now: new Date(now) });
      if (dnc.listed)
        throw new ApiError(
          'CONFLICT',
          `${phone.e164} is on the ${dnc.scope === 'campaign' ? `campaign ${campaign.id}'s` : 'global'} do-not-call list; no callback can be scheduled`,
          { scope: dnc.scope },
        );
      who = who ?? null;
      const cb = await app.store.callbacks.create(
        {
          campaignId: campaign.id,
          phone: phone.e164,
          dueAt: due,
          owner: who,
          createdBy: actorOf(req),
          listId: req.body.listId,
          contactId: req.body.contactId,
          name: req.body.name,
          note: req.body.note,
        },
        now,
      );
      return reply.status(201).send(view(cb));
    },
  );

  app.get(
    '/campaigns/:id/callbacks',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: "A campaign's callbacks (an agent key: its own and open ones)",
        params,
        querystring: ReqObject(
          { state: Type.Optional(callbackSchema.properties.state), owner: Type.Optional(Type.String()) },
          {
            additionalProperties: false,
          },
        ),
        response: { 200: Type.Object({ callbacks: Type.Optional(Type.Array(callbackSchema)) }), ...errorResponses },
      },
    },
    async (req) => {
      await assertServes(req, await campaignOr404(req.params.id));
      const p = req.principal!;
      const filter = p.role === 'agent' ? { owner: p.agentId!, includeOpen: true } : { owner: req.query.owner };
      const cbs = await app.store.callbacks.list(req.params.id, { state: req.query.state, ...filter });
      return { callbacks: cbs.map(view) };
    },
  );

  app.get(
    '/campaigns/:id/callbacks/:cbId',
    {
      config: { roles: ANY },
      schema: { tags, summary: 'One callback', params: cbParams, response: { 200: callbackSchema, ...errorResponses } },
    },
    async (req) => {
      await assertServes(req, await campaignOr404(req.params.id));
      const cb = await app.store.callbacks.get(req.params.id, req.params.cbId);
      if (!cb || !mayTouch(req, cb)) throw notFound('callback', req.params.cbId);
      return view(cb);
    },
  );

  app.patch(
    '/campaigns/:id/callbacks/:cbId',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'Reschedule, reassign (supervisors), cancel or reopen a callback',
        params: cbParams,
        body: Type.Object(
          {
            dueAt: Type.Optional(dueAt),
            owner,
            note: text(2000),
            name: text(200),
            state: Type.Optional(StringEnum(['scheduled', 'cancelled'])),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: callbackSchema, ...errorResponses, ...moreErrors },
      },
    },
    async (req) => {
      const p = req.principal!;
      await assertServes(req, await campaignOr404(req.params.id));
      if (p.role === 'agent' && req.body.owner !== undefined) throw new ApiError('FORBIDDEN', 'only supervisors reassign callbacks');
      await checkOwner(req.body.owner);
      const patch: CallbackPatch = { note: req.body.note, name: req.body.name, owner: req.body.owner, state: req.body.state };
      if (req.body.dueAt !== undefined) patch.dueAt = parseDue(req.body.dueAt);
      for (const k of Object.keys(patch) as (keyof CallbackPatch)[]) if (patch[k] === undefined) delete patch[k];
      const cb = await mapped(() =>
        app.store.callbacks.update(req.params.id, req.params.cbId, patch, Date.now(), (cur) => {
          if (!mayTouch(req, cur)) throw notFound('callback', req.params.cbId);
          if (cur.state === 'done' || (cur.state === 'cancelled' && patch.state !== 'scheduled')) {
            throw new ApiError(
              'CONFLICT',
              `callback ${cur.id} is ${cur.state}${cur.state === 'cancelled' ? '; reopen it with state "scheduled"' : ''}`,
            );
          }
        }),
      );
      if (!cb) throw notFound('callback', req.params.cbId);
      return view(cb);
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default callbackRoutes;
