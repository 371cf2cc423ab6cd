/**
 * Customer search (issue 18, seed 001's 顧客検索): agents taking return calls
 * find the contact who rang back by number (any common format, normalised by
 * the phone library), by name or key / attribute values, optionally within
 * one list. Role rule: supervisors and admins search every list; an agent
 * only the lists of campaigns its groups serve (a campaign naming no groups
 * serves everyone, as for callbacks). Pages resume from an opaque cursor.
 */
import { Type } from '@sinclair/typebox';
import { Nullable } from '../../config/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ReqObject, type RoutePlugin } from '../typebox';
import { ANY } from '../auth';
import { ApiError, errorResponses, notFound } from '../errors';
import { looksLikePhone, phoneKeys } from '../../domain/customer-search';
import type { SearchCursor } from '../plugins/app/store';
import { contactSchema } from './contacts';
import { ID_PATTERN } from './lists';

/** Contacts a text search reads at most per request (a page may then hold fewer hits, with a cursor). */
export const SEARCH_BUDGET = 20_000;

export const encodeCursor = (c: SearchCursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(s: string): SearchCursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as SearchCursor;
    if (typeof c.list === 'string' && (c.after === undefined || /^-?[0-9.e+]+$/.test(c.after))) return c;
  } catch {
    // falls through to the 400 below
  }
  throw new ApiError('VALIDATION_FAILED', 'querystring.cursor is not a `next` value of this search');
}

/** The lists this caller may search, sorted (also the outcome entry's rule, customer-outcomes.ts). */
export async function visibleLists(store: FastifyInstance['store'], req: FastifyRequest): Promise<string[]> {
  const p = req.principal;
  if (!p || p.role !== 'agent') return (await store.lists.list()).map((l) => l.id).sort();
  const agent = p.agentId ? await store.agents.get(p.agentId) : null;
  const groups = agent?.groups ?? [];
  const ids = new Set<string>();
  for (const c of await store.campaigns.list()) {
    if (c.agentGroups.length > 0 && !c.agentGroups.some((g) => groups.includes(g))) continue;
    for (const l of c.lists) ids.add(l.listId);
  }
  return [...ids].sort();
}

export const customerRoutes: RoutePlugin = async (app) => {
  const { store } = app;
  const region = app.config.phone.defaultRegion;

  app.get(
    '/customers',
    {
      config: { roles: ANY },
      schema: {
        tags: ['contacts'],
        summary: 'Customer search: by number (any format), by name / key / attribute text, by list',
        description:
          'Give `phone`, `q` or `listId` (or several: they narrow each other). A `q` of digits and separators is searched as a number. ' +
          'Agents see only the lists of campaigns their groups serve (403 for another list). A text search reads at most ' +
          `${SEARCH_BUDGET} contacts per request: follow \`next\` until it is null.`,
        querystring: ReqObject(
          {
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'name, key1/key2, attribute value or number' })),
            phone: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 64,
                description: 'a number in any common format, e.g. 03-1234-5678, +81 3 1234 5678',
              }),
            ),
            listId: Type.Optional(Type.String({ pattern: ID_PATTERN })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(Type.String({ maxLength: 400, description: '`next` of the previous page' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            customers: Type.Optional(
              Type.Array(
                Type.Object({
                  listId: Type.Optional(Type.String()),
                  campaigns: Type.Optional(Type.Array(Type.String())),
                  contact: Type.Optional(contactSchema),
                }),
              ),
            ),
            next: Type.Optional(Nullable(Type.String())),
            scanned: Type.Optional(Type.Integer({ description: 'contacts read by a text search' })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { q, listId, limit } = req.query;
      if (q === undefined && req.query.phone === undefined && listId === undefined)
        throw new ApiError('VALIDATION_FAILED', 'querystring: give phone, q or listId');
      const phone = req.query.phone ?? (q !== undefined && looksLikePhone(q) ? q : undefined);
      const text = phone !== undefined && phone === q ? undefined : q;
      const phones = phone !== undefined ? phoneKeys(phone, region) : undefined;
      if (phones && phones.length === 0) throw new ApiError('VALIDATION_FAILED', `querystring.phone: "${phone}" holds no digits`);
      let lists = await visibleLists(store, req);
      if (listId !== undefined) {
        if (!(await store.lists.get(listId))) throw notFound('list', listId);
        if (!lists.includes(listId))
          throw new ApiError('FORBIDDEN', `agent ${req.principal?.agentId ?? '?'} serves no campaign using list ${listId}`);
        lists = [listId];
      }
      const page = await store.customers.search({
        lists,
        ...(phones ? { phones } : {}),
        ...(text !== undefined ? { text } : {}),
        limit,
        budget: SEARCH_BUDGET,
        ...(req.query.cursor !== undefined ? { cursor: decodeCursor(req.query.cursor) } : {}),
      });
      return { customers: page.hits, next: page.next ? encodeCursor(page.next) : null, scanned: page.scanned };
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default customerRoutes;
