/**
 * Webhook subscriptions (admin): per event type and campaign, signed, retried,
 * replayable from a log position, with a dead-letter view.
 */
import { Type, type TOptional, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import { NoContent, ReqObject, type RoutePlugin } from '../typebox';
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
} from '../../notify/webhooks';

const tags = ['webhooks'];
const STREAM_ID = '^[0-9]+-[0-9]+$';
const idParams = ReqObject({ id: Type.String({ format: 'uuid' }) });
const eventType = Type.String({
  minLength: 1,
  maxLength: 64,
  description: `an event type, a prefix ending in "." or "*": ${WEBHOOK_EVENT_TYPES.join(', ')}`,
});
const props = {
  url: Type.String({ minLength: 8, maxLength: 2048 }),
  events: Type.Array(eventType, { minItems: 1, maxItems: 50, uniqueItems: true }),
  campaigns: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 500 }),
  format: StringEnum(FORMATS, { description: 'json (the event), or a chat message for slack, teams, line, chatwork (notices only)' }),
  headers: Type.Record(Type.String(), Type.String({ maxLength: 4096 }), {
    maxProperties: 20,
    description: 'extra request headers, e.g. Authorization for LINE, X-ChatWorkToken for Chatwork; never returned',
  }),
  lineTo: Type.String({ maxLength: 100 }),
  active: Type.Boolean(),
};
const strings = Type.Array(Type.String());
const subOut = Type.Object({
  id: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  events: Type.Optional(strings),
  campaigns: Type.Optional(strings),
  format: Type.Optional(Type.String()),
  lineTo: Type.Optional(Type.String()),
  active: Type.Optional(Type.Boolean()),
  createdAt: Type.Optional(Type.String()),
  headerNames: Type.Optional(strings),
  cursor: Type.Optional(Type.String()),
  secret: Type.Optional(Type.String({ description: 'only in the answer to create' })),
});
/** Each optional: `Partial` of the body (a PATCH). */
const optional = <T extends Record<string, TSchema>>(o: T) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof T]: TOptional<T[K]> };
const anyObjects = Type.Array(Type.Object({}, { additionalProperties: true }));

const view = (s: Subscription, extra: { cursor?: string; secret?: string } = {}) => {
  const { secret: _secret, headers, ...rest } = s;
  return { ...rest, headerNames: Object.keys(headers), ...extra };
};

const unknownTypes = (events: string[]) =>
  events.filter(
    (e) => e !== '*' && !(WEBHOOK_EVENT_TYPES as readonly string[]).some((t) => t === e || (e.endsWith('.') && t.startsWith(e))),
  );

export const webhookRoutes: RoutePlugin = async (app) => {
  app.post(
    '/webhooks',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Subscribe a URL to event types (answer includes the signing secret, shown once)',
        body: Type.Object(
          {
            url: props.url,
            events: props.events,
            ...optional({
              campaigns: props.campaigns,
              format: props.format,
              headers: props.headers,
              lineTo: props.lineTo,
              active: props.active,
            }),
            secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
            from: Type.Optional(
              Type.String({ pattern: STREAM_ID, description: 'deliver from after this log id (default: only new events)' }),
            ),
          },
          { additionalProperties: false },
        ),
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
          200: Type.Object({ webhooks: Type.Optional(Type.Array(subOut)), lastEventId: Type.Optional(Type.String()) }),
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

  app.get(
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

  app.patch(
    '/webhooks/:id',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Change a subscription (pause with active=false)',
        params: idParams,
        body: Type.Object(optional(props), { additionalProperties: false, minProperties: 1 }),
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

  app.delete(
    '/webhooks/:id',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Delete a subscription, its cursor and dead letters',
        params: idParams,
        response: { 204: NoContent(), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await deleteSubscription(app.redis, req.params.id))) throw notFound('webhook', req.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
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

  app.get(
    '/webhooks/:id/dead-letters',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Events given up on after every retry (replay from an eventId to send them again)',
        params: idParams,
        response: {
          200: Type.Object({ deadLetters: Type.Optional(anyObjects) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      if (!(await getSubscription(app.redis, req.params.id))) throw notFound('webhook', req.params.id);
      return { deadLetters: await listDeadLetters(app.redis, req.params.id) };
    },
  );

  app.get(
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
          200: Type.Object({ events: Type.Optional(anyObjects) }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({ events: await readLog(app.redis, req.query.after, req.query.count) }),
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default webhookRoutes;
