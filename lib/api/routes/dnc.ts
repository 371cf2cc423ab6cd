/**
 * Do-not-call: a global list and one per campaign (`?campaignId=`); add,
 * remove, check, CSV import with a row-level report, and the audit trail of
 * who changed what and when.
 */
import { Type } from '@sinclair/typebox';
import { Nullable, StringEnum } from '../../config/typebox';
import type { Readable } from 'node:stream';
import Ajv from 'ajv';
import { ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { ANY, SUPERVISOR } from '../auth';
import { ID_PATTERN } from '../../domain/campaign';
import { normalizePhone } from '../../domain/phone';
import { DNC_CHANNELS, DncFileError, makeEntry, type DncChannel, type DncInput, type DncScope } from '../plugins/store';
import { actorOf, mapped } from '../store-errors';
import { lazyValidator } from '../validation';

const tags = ['do-not-call'];
const channel = StringEnum([...DNC_CHANNELS]);
const entrySchema = {
  $id: 'DncEntry',
  type: 'object',
  properties: {
    phone: { type: 'string', description: 'E.164' },
    channels: { type: 'array', items: channel },
    expiresAt: { type: ['string', 'null'] },
    reason: { type: 'string' },
    addedBy: { type: 'string' },
    addedAt: { type: 'string' },
  },
} as const;
const scopeQuery = { campaignId: Type.String({ pattern: ID_PATTERN, description: "the campaign's list; absent = the global list" }) };
const reportSchema = {
  type: 'object',
  properties: {
    rows: { type: 'integer' },
    added: { type: 'integer' },
    updated: { type: 'integer' },
    rejected: { type: 'integer' },
    ignoredColumns: { type: 'array', items: { type: 'string' } },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { row: { type: 'integer' }, column: { type: 'string' }, value: { type: 'string' }, reason: { type: 'string' } },
      },
    },
  },
};

/** Same options as the app's validator (lib/api/app.ts), for the import route's querystring; made and compiled on first use. */
let queryAjv: Ajv | undefined;
const compileQuery = (schema: object) =>
  lazyValidator(() =>
    (queryAjv ??= new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, strict: false })).compile(
      schema,
    ),
  );

export const dncRoutes: RoutePlugin = async (app) => {
  app.addSchema(entrySchema);
  const one = { $ref: 'DncEntry#' };
  const region = app.config.phone.defaultRegion;
  // Encapsulated to this plugin: the CSV body reaches the handler as a stream.
  app.addContentTypeParser(['text/csv', 'application/csv'], (_req, payload, done) => done(null, payload));

  async function scopeOf(campaignId: string | undefined): Promise<DncScope> {
    if (campaignId === undefined) return {};
    if (!(await app.store.campaigns.get(campaignId))) throw notFound('campaign', campaignId);
    return { campaignId };
  }
  function e164(raw: string, field: string): string {
    const p = normalizePhone(raw, region);
    if (!p.ok) throw new ApiError('VALIDATION_FAILED', `${field} "${raw}": ${p.reason}`);
    return p.e164;
  }

  app.post<{ Body: DncInput & { campaignId?: string } }>(
    '/dnc',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Add (or update) a number on the global or a campaign do-not-call list',
        body: ReqObject(
          {
            phone: Type.String({ minLength: 1, maxLength: 40 }),
            campaignId: Type.Optional(scopeQuery.campaignId),
            channels: Type.Optional(Type.Array(channel, { minItems: 1, uniqueItems: true, description: 'default: all channels' })),
            expiresAt: Type.Optional(Nullable(Type.String({ description: 'ISO 8601; absent = never expires' }))),
            reason: Type.Optional(Type.String({ maxLength: 500 })),
          },
          {
            additionalProperties: false,
          },
        ),
        response: {
          201: { type: 'object', properties: { outcome: { type: 'string', enum: ['added', 'updated'] }, entry: one } },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { campaignId, ...input } = req.body;
      const scope = await scopeOf(campaignId);
      const now = new Date();
      const entry = await mapped(async () => makeEntry(input, { region, actor: actorOf(req), now }));
      const [outcome] = await app.store.dnc.put(scope, [entry], { actor: actorOf(req), now });
      return reply.status(201).send({ outcome, entry });
    },
  );

  app.get<{ Querystring: { campaignId?: string; cursor?: string; limit?: number } }>(
    '/dnc',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Page through a do-not-call list',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...scopeQuery,
            cursor: { type: 'string', pattern: '^[0-9]{1,19}$', description: 'from the previous page; "0" or absent = first page' },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              entries: { type: 'array', items: one },
              cursor: { type: 'string', description: '"0" when done' },
              total: { type: 'integer' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req) => app.store.dnc.list(await scopeOf(req.query.campaignId), { cursor: req.query.cursor, limit: req.query.limit }),
  );

  app.get<{ Querystring: { phone: string; campaignId?: string; channel?: DncChannel } }>(
    '/dnc/check',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary:
          'Is this number barred (global list, then the campaign list)? Expired entries do not count. An agent key gets only phone, listed and scope (not the entry: who added it, why)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['phone'],
          properties: { ...scopeQuery, phone: { type: 'string', minLength: 1, maxLength: 40 }, channel },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              phone: { type: 'string' },
              listed: { type: 'boolean' },
              scope: { type: 'string', enum: ['global', 'campaign'] },
              entry: one,
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const phone = e164(req.query.phone, 'querystring.phone');
      const r = await app.store.dnc.isDoNotCall({ phone, campaignId: req.query.campaignId, channel: req.query.channel, now: new Date() });
      // An agent learns only whether it may call, not who listed the number or why (issue 14).
      if (req.principal?.role === 'agent') return { phone, listed: r.listed, ...(r.listed ? { scope: r.scope } : {}) };
      return { phone, ...r };
    },
  );

  app.get<{ Params: { phone: string }; Querystring: { campaignId?: string } }>(
    '/dnc/entries/:phone',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Get one entry (expired ones too)',
        params: ReqObject({ phone: Type.String({ minLength: 1, maxLength: 40 }) }),
        querystring: { type: 'object', additionalProperties: false, properties: scopeQuery },
        response: { 200: one, ...errorResponses },
      },
    },
    async (req) => {
      const phone = e164(req.params.phone, 'params.phone');
      const entry = await app.store.dnc.get(await scopeOf(req.query.campaignId), phone);
      if (!entry)
        throw new ApiError(
          'NOT_FOUND',
          `${phone} is not on the ${req.query.campaignId ? `campaign ${req.query.campaignId}` : 'global'} do-not-call list`,
        );
      return entry;
    },
  );

  app.delete<{ Params: { phone: string }; Querystring: { campaignId?: string } }>(
    '/dnc/entries/:phone',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Remove a number',
        params: ReqObject({ phone: Type.String({ minLength: 1, maxLength: 40 }) }),
        querystring: { type: 'object', additionalProperties: false, properties: scopeQuery },
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (req, reply) => {
      const phone = e164(req.params.phone, 'params.phone');
      const scope = await scopeOf(req.query.campaignId);
      const [r] = await app.store.dnc.remove(scope, [phone], { actor: actorOf(req), now: new Date() });
      if (r === 'absent')
        throw new ApiError(
          'NOT_FOUND',
          `${phone} is not on the ${scope.campaignId ? `campaign ${scope.campaignId}` : 'global'} do-not-call list`,
        );
      return reply.status(204).send();
    },
  );

  app.post<{ Querystring: { campaignId?: string; encoding?: 'utf8' | 'shift_jis' }; Body: Readable }>(
    '/dnc/import',
    {
      config: { roles: SUPERVISOR },
      // The body is a stream for the parser, not a value ajv can check: its schema only documents it.
      validatorCompiler: ({ schema, httpPart }) => (httpPart === 'body' ? () => true : compileQuery(schema)),
      schema: {
        tags,
        summary: 'Import numbers from CSV (header row: phone, channels, expiresAt, reason); valid rows are kept, bad rows reported',
        consumes: ['text/csv'],
        body: Type.String({
          description:
            'CSV, UTF-8 (BOM allowed) or Shift_JIS with ?encoding=shift_jis; header row: phone (or 電話番号), channels (voice;sms;email), expiresAt (ISO 8601), reason',
        }),
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...scopeQuery, encoding: { type: 'string', enum: ['utf8', 'shift_jis'], default: 'utf8' } },
        },
        response: { 200: reportSchema, ...errorResponses },
      },
    },
    async (req) => {
      const ct = req.headers['content-type'] ?? '';
      if (!/^(text|application)\/csv/i.test(ct))
        throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `send the CSV with Content-Type: text/csv (got ${ct || 'none'})`);
      const scope = await scopeOf(req.query.campaignId);
      try {
        return await app.store.dnc.importCsv(req.body, {
          scope,
          region,
          actor: actorOf(req),
          now: new Date(),
          encoding: req.query.encoding,
          maxFieldLength: app.config.import.maxFieldLength,
        });
      } catch (err) {
        if (err instanceof DncFileError) throw new ApiError('INVALID_FILE', err.message, { report: err.report });
        throw err;
      }
    },
  );

  app.get<{ Querystring: { campaignId?: string; phone?: string; before?: string; limit?: number } }>(
    '/dnc/audit',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Who changed what and when (newest first)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...scopeQuery,
            phone: { type: 'string', maxLength: 40 },
            before: { type: 'string', pattern: '^[0-9]+-[0-9]+$', description: 'record id to page back from' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              records: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    action: { type: 'string' },
                    phone: { type: 'string' },
                    actor: { type: 'string' },
                    at: { type: 'string' },
                    source: { type: 'string' },
                    scope: { type: 'string' },
                    campaignId: { type: 'string' },
                    entry: one,
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const scope = await scopeOf(req.query.campaignId);
      const phone = req.query.phone ? e164(req.query.phone, 'querystring.phone') : undefined;
      return { records: await app.store.dnc.audit(scope, { before: req.query.before, limit: req.query.limit, phone }) };
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default dncRoutes;
