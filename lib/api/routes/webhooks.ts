/**
 * Webhook subscriptions (admin): per event type and campaign, signed, retried,
 * replayable from a log position, with a dead-letter view.
 */
import { Type } from '@sinclair/typebox';
import { ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { ADMIN } from '../auth';
import { mapped } from '../store-errors';
import {
  FORMATS,
  WEBHOOK_EVENT_TYPES,
  createSubscription,
  deleteSubscription,
  getCursor,
  getSubscription,
  lastLogId,
  listDeadLetters,
  listSubscriptions,
  readLog,
  setCursor,
  updateSubscription,
  type Subscription,
  type SubscriptionInput,
} from '../../notify/webhooks';

const tags = ['webhooks'];
const STREAM_ID = '^[0-9]+-[0-9]+$';
const idParams = ReqObject({ id: Type.String({ format: 'uuid' }) });
const eventType = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: `an event type, a prefix ending in "." or "*": ${WEBHOOK_EVENT_TYPES.join(', ')}`,
};
const props = {
  url: { type: 'string', minLength: 8, maxLength: 2048 },
  events: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: eventType },
  campaigns: { type: 'array', maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 64 } },
  format: {
    type: 'string',
    enum: [...FORMATS],
    description: 'json (the event), or a chat message for slack, teams, line, chatwork (notices only)',
  },
  headers: Type.Record(Type.String(), Type.String({ maxLength: 4096 }), {
    maxProperties: 20,
    description: 'extra request headers, e.g. Authorization for LINE, X-ChatWorkToken for Chatwork; never returned',
  }),
  lineTo: { type: 'string', maxLength: 100 },
  active: { type: 'boolean' },
};
const subOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    campaigns: { type: 'array', items: { type: 'string' } },
    format: { type: 'string' },
    lineTo: { type: 'string' },
    active: { type: 'boolean' },
    createdAt: { type: 'string' },
    headerNames: { type: 'array', items: { type: 'string' } },
    cursor: { type: 'string' },
    secret: { type: 'string', description: 'only in the answer to create' },
  },
} as const;

const view = (s: Subscription, extra: { cursor?: string; secret?: string } = {}) => {
  const { secret: _secret, headers, ...rest } = s;
  return { ...rest, headerNames: Object.keys(headers), ...extra };
};

const unknownTypes = (events: string[]) =>
  events.filter(
    (e) => e !== '*' && !(WEBHOOK_EVENT_TYPES as readonly string[]).some((t) => t === e || (e.endsWith('.') && t.startsWith(e))),
  );

export const webhookRoutes: RoutePlugin = async (app) => {
  app.post<{ Body: SubscriptionInput }>(
    '/webhooks',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Subscribe a URL to event types (answer includes the signing secret, shown once)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['url', 'events'],
          properties: {
            ...props,
            secret: { type: 'string', minLength: 16, maxLength: 256 },
            from: { type: 'string', pattern: STREAM_ID, description: 'deliver from after this log id (default: only new events)' },
          },
        },
        response: { 201: subOut, ...errorResponses },
      },
    },
    async (req, reply) => {
      const bad = unknownTypes(req.body.events);
      if (bad.length)
        throw new ApiError(
          'VALIDATION_FAILED',
          `body.events has unknown types: ${bad.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`,
        );
      const sub = await mapped(() => createSubscription(app.redis, req.body));
      app.monitor.webhooks.poke();
      return reply.status(201).send(view(sub, { secret: sub.secret, cursor: await getCursor(app.redis, sub.id) }));
    },
  );

  app.get(
    '/webhooks',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'List subscriptions',
        response: {
          200: { type: 'object', properties: { webhooks: { type: 'array', items: subOut }, lastEventId: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    async () => {
      const subs = await listSubscriptions(app.redis);
      return {
        webhooks: await Promise.all(subs.map(async (s) => view(s, { cursor: await getCursor(app.redis, s.id) }))),
        lastEventId: await lastLogId(app.redis),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/webhooks/:id',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'One subscription with its delivery cursor',
        params: idParams,
        response: { 200: subOut, ...errorResponses },
      },
    },
    async (req) => {
      const s = await getSubscription(app.redis, req.params.id);
      if (!s) throw notFound('webhook', req.params.id);
      return view(s, { cursor: await getCursor(app.redis, s.id) });
    },
  );

  app.patch<{ Params: { id: string }; Body: Partial<SubscriptionInput> }>(
    '/webhooks/:id',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Change a subscription (pause with active=false)',
        params: idParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: props },
        response: { 200: subOut, ...errorResponses },
      },
    },
    async (req) => {
      if (req.body.events) {
        const bad = unknownTypes(req.body.events);
        if (bad.length) throw new ApiError('VALIDATION_FAILED', `body.events has unknown types: ${bad.join(', ')}`);
      }
      const s = await mapped(() => updateSubscription(app.redis, req.params.id, req.body));
      if (!s) throw notFound('webhook', req.params.id);
      app.monitor.webhooks.poke();
      return view(s, { cursor: await getCursor(app.redis, s.id) });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/webhooks/:id',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Delete a subscription, its cursor and dead letters',
        params: idParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await deleteSubscription(app.redis, req.params.id))) throw notFound('webhook', req.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: { id: string }; Body: { from: string } }>(
    '/webhooks/:id/replay',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Redeliver every event after a log position, in order ("0-0" = from the oldest kept)',
        params: idParams,
        body: ReqObject(
          { from: Type.String({ pattern: STREAM_ID }) },
          {
            additionalProperties: false,
          },
        ),
        response: { 200: subOut, ...errorResponses },
      },
    },
    async (req) => {
      const s = await getSubscription(app.redis, req.params.id);
      if (!s) throw notFound('webhook', req.params.id);
      await setCursor(app.redis, s.id, req.body.from);
      app.monitor.webhooks.poke();
      return view(s, { cursor: req.body.from });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/webhooks/:id/dead-letters',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Events given up on after every retry (replay from an eventId to send them again)',
        params: idParams,
        response: {
          200: { type: 'object', properties: { deadLetters: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      if (!(await getSubscription(app.redis, req.params.id))) throw notFound('webhook', req.params.id);
      return { deadLetters: await listDeadLetters(app.redis, req.params.id) };
    },
  );

  app.get<{ Querystring: { after?: string; count?: number } }>(
    '/webhooks-log',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'The webhook event log (the replay source), oldest first',
        querystring: ReqObject(
          {
            after: Type.String({ pattern: STREAM_ID, default: '0-0' }),
            count: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          {
            additionalProperties: false,
          },
        ),
        response: {
          200: { type: 'object', properties: { events: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
          ...errorResponses,
        },
      },
    },
    async (req) => ({ events: await readLog(app.redis, req.query.after ?? '0-0', req.query.count ?? 100) }),
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default webhookRoutes;
