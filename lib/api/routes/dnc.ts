/**
 * Do-not-call: a global list and one per campaign (`?campaignId=`); add,
 * remove, check, CSV import with a row-level report, and the audit trail of
 * who changed what and when.
 */
import { Type } from '@sinclair/typebox';
import { Nullable, RefTo, StringEnum } from '../../config/typebox';
import type { Readable } from 'node:stream';
import Ajv from 'ajv';
import { NoContent, ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { ANY, SUPERVISOR } from '../auth';
import { ID_PATTERN } from '../../domain/campaign';
import { normalizePhone } from '../../domain/phone';
import { DNC_CHANNELS, DncFileError, makeEntry, type DncScope } from '../plugins/app/store';
import { actorOf, mapped } from '../store-errors';
import { lazyValidator } from '../validation';

const tags = ['do-not-call'];
const channel = StringEnum([...DNC_CHANNELS]);
const entrySchema = Type.Object(
  {
    phone: Type.Optional(Type.String({ description: 'E.164' })),
    channels: Type.Optional(Type.Array(channel)),
    expiresAt: Type.Optional(Nullable(Type.String())),
    reason: Type.Optional(Type.String()),
    addedBy: Type.Optional(Type.String()),
    addedAt: Type.Optional(Type.String()),
  },
  { $id: 'DncEntry' },
);
const one = RefTo(entrySchema);
const scopeQuery = { campaignId: Type.String({ pattern: ID_PATTERN, description: "the campaign's list; absent = the global list" }) };
const int = Type.Optional(Type.Integer());
const str = Type.Optional(Type.String());
const reportSchema = Type.Object({
  rows: int,
  added: int,
  updated: int,
  rejected: int,
  ignoredColumns: Type.Optional(Type.Array(Type.String())),
  errors: Type.Optional(Type.Array(Type.Object({ row: int, column: str, value: str, reason: str }))),
});
const scopeOnly = ReqObject({ campaignId: Type.Optional(scopeQuery.campaignId) }, { additionalProperties: false });

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

  app.post(
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
          201: Type.Object({ outcome: Type.Optional(StringEnum(['added', 'updated'])), entry: Type.Optional(one) }),
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

  app.get(
    '/dnc',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Page through a do-not-call list',
        querystring: ReqObject(
          {
            campaignId: Type.Optional(scopeQuery.campaignId),
            cursor: Type.Optional(
              Type.String({ pattern: '^[0-9]{1,19}$', description: 'from the previous page; "0" or absent = first page' }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            entries: Type.Optional(Type.Array(one)),
            cursor: Type.Optional(Type.String({ description: '"0" when done' })),
            total: int,
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => app.store.dnc.list(await scopeOf(req.query.campaignId), { cursor: req.query.cursor, limit: req.query.limit }),
  );

  app.get(
    '/dnc/check',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary:
          'Is this number barred (global list, then the campaign list)? Expired entries do not count. An agent key gets only phone, listed and scope (not the entry: who added it, why)',
        querystring: ReqObject(
          {
            campaignId: Type.Optional(scopeQuery.campaignId),
            phone: Type.String({ minLength: 1, maxLength: 40 }),
            channel: Type.Optional(channel),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            phone: str,
            listed: Type.Optional(Type.Boolean()),
            scope: Type.Optional(StringEnum(['global', 'campaign'])),
            entry: Type.Optional(one),
          }),
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

  app.get(
    '/dnc/entries/:phone',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Get one entry (expired ones too)',
        params: ReqObject({ phone: Type.String({ minLength: 1, maxLength: 40 }) }),
        querystring: scopeOnly,
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

  app.delete(
    '/dnc/entries/:phone',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Remove a number',
        params: ReqObject({ phone: Type.String({ minLength: 1, maxLength: 40 }) }),
        querystring: scopeOnly,
        response: { 204: NoContent(), ...errorResponses },
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

  app.post(
    '/dnc/import',
    {
      config: { roles: SUPERVISOR },
      // The body is a stream for the parser, not a value ajv can check: its schema only documents it.
      validatorCompiler: ({ schema, httpPart }) => (httpPart === 'body' ? () => true : compileQuery(schema)),
      schema: {
        tags,
        summary: 'Import numbers from CSV (header row: phone, channels, expiresAt, reason); valid rows are kept, bad rows reported',
        consumes: ['text/csv'],
        // A string in the document; the stream the CSV parser reads in the handler.
        body: Type.Unsafe<Readable>({
          type: 'string',
          description:
            'CSV, UTF-8 (BOM allowed) or Shift_JIS with ?encoding=shift_jis; header row: phone (or 電話番号), channels (voice;sms;email), expiresAt (ISO 8601), reason',
        }),
        querystring: ReqObject(
          { campaignId: Type.Optional(scopeQuery.campaignId), encoding: StringEnum(['utf8', 'shift_jis'], { default: 'utf8' }) },
          { additionalProperties: false },
        ),
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

  app.get(
    '/dnc/audit',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Who changed what and when (newest first)',
        querystring: ReqObject(
          {
            campaignId: Type.Optional(scopeQuery.campaignId),
            phone: Type.Optional(Type.String({ maxLength: 40 })),
            before: Type.Optional(Type.String({ pattern: '^[0-9]+-[0-9]+$', description: 'record id to page back from' })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            records: Type.Optional(
              Type.Array(
                Type.Object({
                  id: str,
                  action: str,
                  phone: str,
                  actor: str,
                  at: str,
                  source: str,
                  scope: str,
                  campaignId: str,
                  entry: Type.Optional(one),
                }),
              ),
            ),
          }),
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
