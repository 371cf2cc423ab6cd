/**
 * Campaigns: CRUD, run control (start, pause, resume, close: seed 000) and the
 * contact lists attached to a campaign (each startable/stoppable, with an
 * allocation to agent groups: seeds 001, 002).
 */
import { Type } from '@sinclair/typebox';
import { Nullable, StringEnum } from '../../config/typebox';
import { NoContent, ReqObject, type RoutePlugin } from '../typebox';
import { errorResponses, notFound } from '../errors';
import { ANY, SUPERVISOR } from '../auth';
import { CAMPAIGN_STATES, type CampaignEvent } from '../../domain/campaign';
import { applyTransition } from '../../dialer/campaign-control';
import {
  allocationSchema,
  campaignRef,
  campaignReply,
  campaignSchema,
  createCampaignBody,
  idParams,
  listParams,
  patchCampaignBody,
  unlimitedToZero,
} from './campaigns.schema';
import { mapped } from '../store-errors';

const tags = ['campaigns'];
const effects = Type.Array(Type.Object({ type: Type.Optional(Type.String()), event: Type.Optional(Type.String()) }));

export const campaignRoutes: RoutePlugin = async (app) => {
  app.addSchema(campaignSchema);
  const region = app.config.phone.defaultRegion;

  app.post(
    '/campaigns',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Create a campaign (state draft, "before start")',
        body: createCampaignBody,
        response: { 201: campaignRef, ...errorResponses },
      },
    },
    async (req, reply) => {
      const c = await mapped(() => app.store.campaigns.create(unlimitedToZero(req.body), { region }));
      return reply.status(201).send(c);
    },
  );

  app.get(
    '/campaigns',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'List campaigns',
        querystring: ReqObject({ state: Type.Optional(StringEnum([...CAMPAIGN_STATES])) }, { additionalProperties: false }),
        response: { 200: Type.Object({ campaigns: Type.Optional(Type.Array(campaignRef)) }), ...errorResponses },
      },
    },
    async (req) => ({ campaigns: await app.store.campaigns.list({ state: req.query.state }) }),
  );

  app.get(
    '/campaigns/:id',
    {
      config: { roles: ANY },
      schema: { tags, summary: 'Get a campaign', params: idParams, response: campaignReply },
    },
    async (req) => {
      const c = await app.store.campaigns.get(req.params.id);
      if (!c) throw notFound('campaign', req.params.id);
      const d = c.state === 'running' ? await app.store.campaigns.dialingStatus(c.id) : null;
      return d
        ? {
            ...c,
            dialing: {
              ...d,
              until: d.state === 'idle' && d.until ? new Date(d.until).toISOString() : null,
              since: new Date(d.since).toISOString(),
            },
          }
        : c;
    },
  );

  app.patch(
    '/campaigns/:id',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary:
          'Change settings (draft: any; paused: maxAttempts, period, callerId, presentCallerId, hours, retry rules, ringTimeoutSec, callbackOwnerGraceSec; running: none, 409)',
        params: idParams,
        body: patchCampaignBody,
        response: campaignReply,
      },
    },
    async (req) => mapped(() => app.store.campaigns.update(req.params.id, unlimitedToZero(req.body), { region })),
  );

  app.delete(
    '/campaigns/:id',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Delete a campaign (refused while running or paused)',
        params: idParams,
        response: { 204: NoContent(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await mapped(() => app.store.campaigns.delete(req.params.id));
      return reply.status(204).send();
    },
  );

  const transitions: [CampaignEvent, string][] = [
    ['start', 'Start dialing a draft campaign (needs an active list, and agent groups or an agentless target)'],
    ['pause', 'Pause a running campaign'],
    ['resume', 'Resume a paused campaign'],
    ['close', 'Close a paused or draft campaign for good (its lists are released)'],
  ];
  for (const [event, summary] of transitions) {
    app.post(
      `/campaigns/:id/${event}`,
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary,
          params: idParams,
          response: {
            200: Type.Object({ campaign: Type.Optional(campaignRef), effects: Type.Optional(effects) }),
            ...errorResponses,
          },
        },
      },
      async (req) => mapped(() => applyTransition(app.redis, req.params.id, event)),
    );
  }

  app.post(
    '/campaigns/:id/lists',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Attach a contact list (draft or paused); the list cannot be deleted while attached',
        params: idParams,
        body: ReqObject(
          {
            listId: Type.String({ minLength: 1, maxLength: 128 }),
            active: Type.Boolean({ default: true }),
            allocation: Type.Optional(Nullable(allocationSchema)),
          },
          {
            additionalProperties: false,
          },
        ),
        response: { 201: campaignRef, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await mapped(() => app.store.campaigns.attachList(req.params.id, req.body))),
  );

  app.delete(
    '/campaigns/:id/lists/:listId',
    {
      config: { roles: SUPERVISOR },
      schema: { tags, summary: 'Detach a contact list (draft or paused)', params: listParams, response: campaignReply },
    },
    async (req) => mapped(() => app.store.campaigns.detachList(req.params.id, req.params.listId)),
  );

  for (const [verb, active] of [
    ['start', true],
    ['stop', false],
  ] as const) {
    app.post(
      `/campaigns/:id/lists/:listId/${verb}`,
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: `${verb === 'start' ? 'Start' : 'Stop'} dialing one attached list`,
          params: listParams,
          response: campaignReply,
        },
      },
      async (req) => mapped(() => app.store.campaigns.setListActive(req.params.id, req.params.listId, active)),
    );
  }

  app.put(
    '/campaigns/:id/lists/:listId/allocation',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Set how the list rows are shared among agent groups (until the campaign first starts)',
        params: listParams,
        body: allocationSchema,
        response: campaignReply,
      },
    },
    async (req) => mapped(() => app.store.campaigns.setAllocation(req.params.id, req.params.listId, req.body)),
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default campaignRoutes;
