/**
 * SMS and e-mail (issue 6): the agentless trigger API (one templated message
 * to one contact, idempotency keys), message campaigns over contact lists
 * (on/off, progress, per-message status, skipped-contact export, CSV report)
 * and the inbound thread. The messaging core itself (channels, campaign
 * runner) is not started here: lib/api/plugins/app/messaging.ts starts it when
 * `messaging.enabled` and decorates `app.messaging`; without it these routes
 * answer 503.
 */
import { Type } from '@sinclair/typebox';
import { Nullable, RefTo, StringEnum } from '../../config/typebox';
import fp from 'fastify-plugin';
import type { FastifyReply } from 'fastify';
import { AnyObject, MapOf, ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses } from '../errors';
import { toApiError } from '../store-errors';
import { SUPERVISOR } from '../auth';
import { ID_PATTERN } from '../../domain/campaign';
import { toCsv, contentType, type Column } from '../../reports/csv';
import type { Messaging } from '../../messaging';
import { campaignWarnings, MESSAGE_CAMPAIGN_STATES, type MessageCampaignSettings } from '../../messaging/campaign';
import { createCampaign, progress, setState, updateCampaign } from '../../messaging/manage';
import { smsInfo } from '../../messaging/text';
import { checkTemplate, templateFields } from '../../messaging/template';
import { MESSAGE_STATUSES, type MessageRecord } from '../plugins/app/store';

declare module 'fastify' {
  interface FastifyInstance {
    messaging?: Messaging;
  }
}

const tags = ['messages'];
const kind = StringEnum(['sms', 'email']);
const hours = ReqObject(
  {
    timeZone: Type.String(),
    days: MapOf(Type.Array(ReqObject({ from: Type.String(), to: Type.String() }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);
const keyword = ReqObject(
  { keyword: Type.String({ minLength: 1, maxLength: 40 }), reply: Type.String({ minLength: 1, maxLength: 1600 }) },
  { additionalProperties: false },
);
/** A campaign's settings, each optional: PATCH takes any of them, POST requires some (createBody). */
const settingsProps = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  kind: Type.Optional(kind),
  listId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  template: Type.Optional(
    Type.String({ maxLength: 10000, description: 'body with {{field}} placeholders (contact fields and attribute columns)' }),
  ),
  messageField: Type.Optional(
    Nullable(
      Type.String({
        maxLength: 100,
        description: 'attribute column holding a ready per-contact message; wins over the template',
      }),
    ),
  ),
  subject: Type.Optional(Type.String({ maxLength: 500 })),
  emailField: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  from: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
  window: Type.Optional(Type.Union([hours, Type.Null()])),
  ratePerSec: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000 })),
  helpText: Type.Optional(Nullable(Type.String({ maxLength: 1600 }))),
  keywords: Type.Optional(Type.Array(keyword, { maxItems: 100 })),
  optOutVoice: Type.Optional(Type.Boolean({ description: 'an SMS opt-out also bars voice calls (default true)' })),
  dncCampaigns: Type.Optional(Type.Array(Type.String({ pattern: ID_PATTERN }), { maxItems: 50 })),
};
const createBody = ReqObject(
  {
    id: Type.String({ pattern: ID_PATTERN }),
    ...settingsProps,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind,
    listId: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

/** A message as the API shows it (the `Message#` component); every field optional in the document, as before. */
const messageSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    campaignId: Type.Optional(Nullable(Type.String())),
    kind: Type.Optional(kind),
    channel: Type.Optional(Type.String()),
    to: Type.Optional(Type.String()),
    subject: Type.Optional(Type.String()),
    body: Type.Optional(Type.String()),
    contactId: Type.Optional(Type.String()),
    listId: Type.Optional(Type.String()),
    status: Type.Optional(StringEnum([...MESSAGE_STATUSES])),
    createdAt: Type.Optional(Type.String()),
    statusAt: Type.Optional(Type.String()),
    providerId: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
    skipReason: Type.Optional(Type.String()),
    warning: Type.Optional(Type.String()),
    replies: Type.Optional(Type.Integer()),
    lastReply: Type.Optional(AnyObject()),
    history: Type.Optional(Type.Array(AnyObject())),
  },
  { $id: 'Message', additionalProperties: true },
);
/** A message campaign (the `MessageCampaign#` component). */
const campaignSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    state: Type.Optional(StringEnum([...MESSAGE_CAMPAIGN_STATES])),
    ...settingsProps,
    createdAt: Type.Optional(Type.String()),
    startedAt: Type.Optional(Nullable(Type.String())),
    completedAt: Type.Optional(Nullable(Type.String())),
  },
  { $id: 'MessageCampaign', additionalProperties: true },
);
const messageRef = RefTo(messageSchema);
const campaignRef = RefTo(campaignSchema);
const withWarnings = Type.Object({ campaign: Type.Optional(campaignRef), warnings: Type.Optional(Type.Array(Type.String())) });
const triggered = (description: string) =>
  Type.Object({ replayed: Type.Optional(Type.Boolean()), message: Type.Optional(messageRef) }, { description });
const csv = Type.Unsafe<string>({ type: 'string', description: 'text/csv' });
const idParams = ReqObject({ id: Type.String({ pattern: ID_PATTERN }) });

/** Messaging errors → catalogue errors (the API's one mapper, lib/api/store-errors.ts). */
function mapError(err: unknown): never {
  throw toApiError(err);
}

const MESSAGE_COLUMNS: readonly Column<MessageRecord>[] = [
  { header: 'messageId', value: (m) => m.id },
  { header: 'campaignId', value: (m) => m.campaignId },
  { header: 'contactId', value: (m) => m.contactId },
  { header: 'kind', value: (m) => m.kind },
  { header: 'channel', value: (m) => m.channel },
  { header: 'to', value: (m) => m.to },
  { header: 'status', value: (m) => m.status },
  { header: 'createdAt', value: (m) => m.createdAt },
  { header: 'statusAt', value: (m) => m.statusAt },
  { header: 'attempts', value: (m) => (m.status === 'skipped' ? 0 : 1) },
  { header: 'error', value: (m) => m.error },
  { header: 'skipReason', value: (m) => m.skipReason },
  { header: 'replies', value: (m) => m.replies },
  { header: 'lastReply', value: (m) => m.lastReply?.body },
];

async function sendMessagesCsv(reply: FastifyReply, name: string, rows: AsyncIterable<MessageRecord>, status?: string) {
  const out: MessageRecord[] = [];
  for await (const m of rows) if (!status || m.status === status) out.push(m);
  return reply
    .header('content-type', contentType('utf-8'))
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(toCsv(out, MESSAGE_COLUMNS));
}

export const messageRoutes: RoutePlugin = fp(
  // Annotated: fp() would otherwise type `app` without the route type provider.
  async (app: Parameters<RoutePlugin>[0]) => {
    app.addSchema(messageSchema);
    app.addSchema(campaignSchema);
    const svc = () => {
      if (!app.messaging) throw new ApiError('TELEPHONY_UNAVAILABLE', 'messaging is disabled in this process (messaging.enabled)');
      return app.messaging.service;
    };

    app.post(
      '/messages',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Send one templated message to one contact or address (agentless trigger)',
          description:
            "Give `to`, or `listId` + `contactId` (the contact's number, or its `email` attribute for e-mail). Answers 202 at once with the queued message; the channel's outcome follows as `message.sent` / `message.status` events and on `GET /messages/{id}`. An `Idempotency-Key` header (or `idempotencyKey`) makes a retried request return the first message instead of sending again.",
          headers: ReqObject({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
          body: ReqObject(
            {
              kind,
              to: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
              listId: Type.Optional(Type.String({ maxLength: 64 })),
              contactId: Type.Optional(Type.String({ maxLength: 64 })),
              template: Type.String({ minLength: 1, maxLength: 10000 }),
              subject: Type.Optional(Type.String({ maxLength: 500 })),
              data: Type.Optional(MapOf(Type.String({ maxLength: 2000 }), { maxProperties: 100 })),
              from: Type.Optional(Type.String({ maxLength: 254 })),
              idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: triggered('a replay of an earlier request with the same idempotency key: that message, as it stands now'),
            202: triggered(
              "accepted and queued (status `queued`); the channel's answer comes later: `message.sent` / `message.status` events (SSE, webhooks) and `GET /messages/{id}`",
            ),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        // 202: the request is not held while a channel takes its time (a silent SIP trunk: Timer F, 32 s).
        const r = await svc()
          .trigger({ ...req.body, idempotencyKey: req.headers['idempotency-key'] ?? req.body.idempotencyKey }, { background: true })
          .catch(mapError);
        return reply.status(r.replayed ? 200 : 202).send(r);
      },
    );

    app.post(
      '/messages/check',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Check a template or text: placeholders, SMS encoding, segments and the link-length warning',
          body: ReqObject({ kind, text: Type.String({ maxLength: 10000 }) }, { additionalProperties: false }),
          response: {
            200: Type.Object(
              {
                fields: Type.Optional(Type.Array(Type.String())),
                encoding: Type.Optional(Type.String()),
                units: Type.Optional(Type.Integer()),
                segments: Type.Optional(Type.Integer()),
                warnings: Type.Optional(Type.Array(Type.String())),
              },
              { additionalProperties: true },
            ),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const bad = checkTemplate(req.body.text);
        if (bad) throw new ApiError('VALIDATION_FAILED', `body.text: ${bad}`);
        const info = smsInfo(req.body.text);
        const warnings = campaignWarnings({ kind: req.body.kind, template: req.body.text } as MessageCampaignSettings);
        return {
          fields: templateFields(req.body.text),
          ...(req.body.kind === 'sms' ? { encoding: info.encoding, units: info.units, segments: info.segments } : {}),
          warnings,
        };
      },
    );

    app.get(
      '/messages/:id',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'One message with its status history and last reply',
          params: ReqObject({ id: Type.String({ maxLength: 100 }) }),
          response: { 200: messageRef, ...errorResponses },
        },
      },
      async (req) => {
        const m = await app.store.messages.get(req.params.id);
        if (!m) throw new ApiError('NOT_FOUND', `message ${req.params.id} does not exist`);
        return m;
      },
    );

    app.get(
      '/messages/inbound',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Inbound messages, newest first, with the message each is threaded to and the keyword action',
          querystring: ReqObject(
            { limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) },
            {
              additionalProperties: false,
            },
          ),
          response: {
            200: Type.Object({ inbound: Type.Optional(Type.Array(MapOf(Type.String()))) }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const rows = await app.store.messages.recentInbound(req.query.limit);
        return {
          inbound: rows.map(([id, kv]) => {
            const o: Record<string, string> = { id };
            for (let i = 0; i < kv.length; i += 2) o[kv[i]!] = kv[i + 1]!;
            return o;
          }),
        };
      },
    );

    app.get(
      '/messages',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Messages of a campaign (or triggered messages when no campaignId), oldest first; CSV with format=csv',
          querystring: ReqObject(
            {
              campaignId: Type.Optional(Type.String({ pattern: ID_PATTERN })),
              status: Type.Optional(StringEnum([...MESSAGE_STATUSES])),
              offset: Type.Integer({ minimum: 0, default: 0 }),
              limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
              format: StringEnum(['json', 'csv'], { default: 'json' }),
            },
            {
              additionalProperties: false,
            },
          ),
          response: {
            200: Type.Object({ total: Type.Optional(Type.Integer()), messages: Type.Optional(Type.Array(messageRef)) }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const q = req.query;
        if (q.format === 'csv')
          return sendMessagesCsv(
            reply,
            `messages-${q.campaignId ?? 'triggered'}${q.status ? `-${q.status}` : ''}`,
            app.store.messages.iterate(q.campaignId ?? null),
            q.status,
          );
        return app.store.messages.page(q.campaignId ?? null, {
          offset: q.offset,
          limit: q.limit,
          status: q.status as MessageRecord['status'] | undefined,
        });
      },
    );

    // ---- message campaigns ---------------------------------------------------

    app.post(
      '/message-campaigns',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Create an SMS or e-mail campaign over a contact list (draft)',
          body: createBody,
          response: {
            201: withWarnings,
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const c = await createCampaign(app.redis, req.body).catch(mapError);
        return reply.status(201).send({ campaign: c, warnings: campaignWarnings(c) });
      },
    );

    app.get(
      '/message-campaigns',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Every message campaign',
          response: {
            200: Type.Object({ campaigns: Type.Optional(Type.Array(campaignRef)) }),
            ...errorResponses,
          },
        },
      },
      async () => ({ campaigns: await app.store.messageCampaigns.list() }),
    );

    app.get(
      '/message-campaigns/:id',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'One message campaign',
          params: idParams,
          response: { 200: campaignRef, ...errorResponses },
        },
      },
      async (req) => {
        const c = await app.store.messageCampaigns.get(req.params.id);
        if (!c) throw new ApiError('NOT_FOUND', `message campaign ${req.params.id} does not exist`);
        return c;
      },
    );

    app.patch(
      '/message-campaigns/:id',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Edit a draft or paused campaign (kind and list are fixed once started)',
          params: idParams,
          body: Type.Object(settingsProps, { additionalProperties: false, minProperties: 1 }),
          response: {
            200: withWarnings,
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const c = await updateCampaign(app.redis, req.params.id, req.body).catch(mapError);
        return { campaign: c, warnings: campaignWarnings(c) };
      },
    );

    for (const action of ['start', 'pause'] as const) {
      app.post(
        `/message-campaigns/:id/${action}`,
        {
          config: { roles: SUPERVISOR },
          schema: {
            tags,
            summary: action === 'start' ? 'Switch the campaign on' : 'Switch the campaign off (resume with start)',
            params: idParams,
            response: { 200: campaignRef, ...errorResponses },
          },
        },
        async (req) => setState(app.redis, req.params.id, action).catch(mapError),
      );
    }

    app.get(
      '/message-campaigns/:id/progress',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Live view: state, total contacts vs processed, accepted/rejected/skipped/delivered/failed counts, replies, opt-outs',
          params: idParams,
          response: {
            200: Type.Object({
              state: Type.Optional(Type.String()),
              total: Type.Optional(Type.Integer()),
              processed: Type.Optional(Type.Integer()),
              pending: Type.Optional(Type.Integer()),
              counters: Type.Optional(MapOf(Type.Integer())),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => progress(app.redis, req.params.id).catch(mapError),
    );

    app.get(
      '/message-campaigns/:id/export',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: "CSV of the campaign's messages (attempts, times, statuses); status=skipped gives the skipped contacts with reasons",
          params: idParams,
          querystring: ReqObject(
            { status: Type.Optional(StringEnum([...MESSAGE_STATUSES])) },
            {
              additionalProperties: false,
            },
          ),
          response: { 200: csv, ...errorResponses },
        },
      },
      async (req, reply) => {
        if (!(await app.store.messageCampaigns.get(req.params.id)))
          throw new ApiError('NOT_FOUND', `message campaign ${req.params.id} does not exist`);
        return sendMessagesCsv(
          reply,
          `message-campaign-${req.params.id}${req.query.status ? `-${req.query.status}` : ''}`,
          app.store.messages.iterate(req.params.id),
          req.query.status,
        );
      },
    );
  },
  { name: 'messages', dependencies: [] },
);

// Autoloaded with the other route files (lib/api/app.ts).
export default messageRoutes;
