/**
 * Contacts of a list: add one, add many (bulk, optionally all-or-nothing),
 * page through them in dial order, get and remove one. A `head` flag puts new
 * contacts first in the dial order (seed 003). Numbers are validated by the
 * list's profile; duplicate ids and numbers within the list are refused.
 */
import { Type } from '@sinclair/typebox';
import { Nullable } from '../../config/typebox';
import { MapOf, NoContent, ReqObject, type RoutePlugin } from '../typebox';
import { encodeRecord, validateContact, type Contact, type ContactInput, type FieldError } from '../../domain/contact';
import type { Repositories, RowStatus, StoredRow } from '../plugins/app/store';
import { ANY, SUPERVISOR } from '../auth';
import { ApiError, ErrorRef, errorResponses, notFound } from '../errors';
import type { Config } from '../../config';
import { ID_PATTERN, listParams, requireList } from './lists';

export const BULK_MAX = 10_000;

export const contactInputSchema = ReqObject(
  {
    id: Type.Optional(Type.String({ maxLength: 64, description: 'omit to have one generated (auto-N)' })),
    phone: Type.String({ maxLength: 64 }),
    name: Type.Optional(Type.String()),
    key1: Type.Optional(Type.String()),
    key2: Type.Optional(Type.String()),
    timeZone: Type.Optional(Type.String({ description: 'IANA time zone, e.g. Asia/Tokyo' })),
    attributes: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  {
    additionalProperties: false,
  },
);

const nullableString = Nullable(Type.String());

export const contactSchema = Type.Object({
  id: Type.String(),
  phone: Type.String({ description: 'E.164 (default profile) or the digits as given (clova)' }),
  rawPhone: Type.String(),
  phoneType: Type.String({ description: 'landline, mobile, landline_or_mobile, tollfree, voip, … or unknown' }),
  name: Type.Optional(Type.String()),
  key1: Type.Optional(Type.String()),
  key2: Type.Optional(Type.String()),
  timeZone: Type.Optional(Type.String()),
  attributes: MapOf(Type.String()),
  attempts: Type.Integer(),
  lastResult: Nullable(Type.Integer({ description: 'result code of the last attempt' })),
  lastAttemptAt: nullableString,
  firstAttemptAt: nullableString,
});

const fieldErrorSchema = Type.Object({
  index: Type.Optional(Type.Integer()),
  column: Type.Optional(Type.String()),
  value: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

const contactParams = ReqObject({
  listId: Type.String({ pattern: ID_PATTERN }),
  contactId: Type.String({ minLength: 1, maxLength: 64 }),
});

export interface BulkResult {
  accepted: number;
  rejected: number;
  ids: string[];
  errors: (FieldError & { index: number })[];
}

/** Errors of a store status (duplicates found inside the script). */
function statusError(s: Extract<RowStatus, { ok: false }>, row: StoredRow): FieldError {
  if (s.reason === 'dup-id') return { column: 'id', value: s.id, reason: 'duplicate contact ID: the list already has it' };
  if (s.reason === 'dup-phone')
    return { column: 'phone', value: row.phone, reason: `duplicate phone number: contact ${s.holder} of the list has it` };
  return { column: 'id', value: s.id, reason: 'not written: another contact of this all-or-nothing request was refused' };
}

/**
 * Validates and stores contacts given through the API. With `allOrNothing`,
 * nothing is written unless every contact is valid and new.
 */
export async function addContactInputs(
  store: Pick<Repositories, 'lists' | 'contacts'>,
  config: Readonly<Config>,
  listId: string,
  inputs: ContactInput[],
  opts: { head?: boolean; allOrNothing?: boolean },
): Promise<BulkResult> {
  const list = await requireList(store, listId);
  const vopts = {
    profile: list.profile,
    region: config.phone.defaultRegion,
    maxFieldLength: config.import.maxFieldLength,
    maxAttributes: config.import.maxAttributes,
  };
  const errors: BulkResult['errors'] = [];
  const rows: StoredRow[] = [];
  const indexes: number[] = [];
  inputs.forEach((input, index) => {
    const v = validateContact(input, vopts);
    if (!v.ok) errors.push(...v.errors.map((e) => ({ index, ...e })));
    else {
      rows.push({ id: v.id, phone: v.record.phone, record: encodeRecord(v.record) });
      indexes.push(index);
    }
  });
  const rejectedByValidation = new Set(errors.map((e) => e.index)).size;
  if (opts.allOrNothing && errors.length) return { accepted: 0, rejected: rejectedByValidation, ids: [], errors };
  const ids: string[] = [];
  let written = 0;
  let dupRejected = 0;
  const headBase = opts.head && rows.length ? await store.contacts.reserveHeadBlock(listId) : 0;
  for (let start = 0; start < rows.length; start += config.import.batchSize) {
    const chunk = rows.slice(start, start + config.import.batchSize);
    // One script call per chunk; all-or-nothing bulk bodies are bounded (BULK_MAX) and go in one call.
    const all = opts.allOrNothing ? rows : chunk;
    const r = await store.contacts.add(listId, all, {
      head: opts.head,
      headBase,
      seqStart: opts.allOrNothing ? 0 : start,
      atomic: opts.allOrNothing,
    });
    written += r.written;
    r.statuses.forEach((s, i) => {
      const at = (opts.allOrNothing ? 0 : start) + i;
      if (s.ok) ids.push(s.id);
      else {
        if (s.reason !== 'unwritten') dupRejected++;
        errors.push({ index: indexes[at]!, ...statusError(s, all[i]!) });
      }
    });
    if (opts.allOrNothing) break;
  }
  errors.sort((a, b) => a.index - b.index);
  return { accepted: written, rejected: rejectedByValidation + dupRejected, ids, errors };
}

const contactsRoutes: RoutePlugin = async (app) => {
  const { store, config } = app;

  app.post(
    '/lists/:listId/contacts',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['contacts'],
        summary: 'Add one contact',
        description:
          'Validated by the list profile. 400 VALIDATION_FAILED with the field errors in `details`; 409 DUPLICATE for a known id or number.',
        params: listParams,
        querystring: ReqObject({ head: Type.Boolean({ default: false, description: 'put the contact first in the dial order' }) }),
        body: contactInputSchema,
        response: { 201: contactSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const r = await addContactInputs(store, config, req.params.listId, [req.body], { head: req.query.head });
      if (r.accepted === 1) {
        // Read back as stored; a DELETE between the write and this read leaves nothing to show (404, not a 500).
        const c = await store.contacts.get(req.params.listId, r.ids[0]!);
        if (!c) throw notFound('contact', r.ids[0]!);
        return reply.status(201).send(c);
      }
      const errs = r.errors.map(({ index: _i, ...e }) => e);
      const dup = errs.find((e) => e.reason.startsWith('duplicate'));
      if (dup) throw new ApiError('DUPLICATE', `${dup.reason} (${dup.column} ${dup.value})`, { errors: errs });
      throw new ApiError('VALIDATION_FAILED', errs.map((e) => `${e.column}: ${e.reason}`).join('; '), { errors: errs });
    },
  );

  app.post(
    '/lists/:listId/contacts/bulk',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['contacts'],
        summary: `Add up to ${BULK_MAX} contacts`,
        description:
          'Valid contacts are kept and the others reported by index, unless allOrNothing is set: then any error writes nothing (422 UNPROCESSABLE with the errors in `details`). For files use the imports.',
        params: listParams,
        body: ReqObject(
          {
            contacts: Type.Array(contactInputSchema, { minItems: 1, maxItems: BULK_MAX }),
            head: Type.Boolean({ default: false }),
            allOrNothing: Type.Boolean({ default: false }),
          },
          {
            additionalProperties: false,
          },
        ),
        response: {
          200: Type.Object({
            accepted: Type.Optional(Type.Integer()),
            rejected: Type.Optional(Type.Integer()),
            ids: Type.Optional(Type.Array(Type.String())),
            errors: Type.Optional(Type.Array(fieldErrorSchema)),
          }),
          422: ErrorRef,
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await addContactInputs(store, config, req.params.listId, req.body.contacts, req.body);
      if (req.body.allOrNothing && r.errors.length) {
        throw new ApiError(
          'UNPROCESSABLE',
          `${r.rejected} of ${req.body.contacts.length} contacts refused; nothing was added (allOrNothing)`,
          { errors: r.errors },
        );
      }
      return r;
    },
  );

  app.get(
    '/lists/:listId/contacts',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['contacts'],
        summary: 'Contacts in dial order, page by page',
        params: listParams,
        querystring: ReqObject(
          {
            after: Type.Optional(
              Type.String({ pattern: '^-?[0-9]+(\\.[0-9]+)?(e[+-]?[0-9]+)?$', description: '`next` of the previous page' }),
            ),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          {
            additionalProperties: false,
          },
        ),
        response: {
          200: Type.Object({ contacts: Type.Optional(Type.Array(contactSchema)), next: Type.Optional(nullableString) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      await requireList(store, req.params.listId);
      return store.contacts.page(req.params.listId, { after: req.query.after, limit: req.query.limit });
    },
  );

  app.get(
    '/lists/:listId/contacts/:contactId',
    {
      config: { roles: ANY },
      schema: {
        tags: ['contacts'],
        summary: 'One contact with its attempt outcome',
        params: contactParams,
        response: { 200: contactSchema, ...errorResponses },
      },
    },
    async (req): Promise<Contact> => {
      const c = await store.contacts.get(req.params.listId, req.params.contactId);
      if (!c) throw notFound(`contact ${req.params.contactId} of list`, req.params.listId);
      return c;
    },
  );

  app.delete(
    '/lists/:listId/contacts/:contactId',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['contacts'],
        summary: 'Remove one contact (final)',
        params: contactParams,
        response: { 204: NoContent('removed'), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await store.contacts.delete(req.params.listId, req.params.contactId)))
        throw notFound(`contact ${req.params.contactId} of list`, req.params.listId);
      return reply.status(204).send();
    },
  );
};

export default contactsRoutes;
