/**
 * Re-list (seed 002 再リスト化): search the contacts of one or more lists by
 * their last result, attempt count, number type or attribute values, and build
 * a new list from the hits — e.g. everyone whose last call met an answering
 * machine (4) or rang out (2), for a second pass by another group.
 */
import { Type } from '@sinclair/typebox';
import { ReqObject, type RoutePlugin } from '../typebox';
import type { ProfileName } from '../../domain/contact';
import { SUPERVISOR } from '../auth';
import { ApiError, errorResponses } from '../errors';
import { createListOr409, ID_PATTERN, listSchema, requireList } from './lists';

const relistRoutes: RoutePlugin = async (app) => {
  const { store, config } = app;
  app.post(
    '/lists/relist',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['lists'],
        summary: 'Build a new list from a query over existing contacts (re-list)',
        description:
          'Criteria are ANDed; within lastResult/phoneType any value matches. Hits keep their id, number and data, in the dial order of the sources; outcome fields start fresh. A number or id met twice across sources is taken once (counted as duplicates).',
        body: ReqObject(
          {
            id: Type.Optional(Type.String({ pattern: ID_PATTERN })),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            description: Type.Optional(Type.String({ maxLength: 2000 })),
            sources: Type.Array(Type.String({ pattern: ID_PATTERN }), { minItems: 1, maxItems: 50, uniqueItems: true }),
            where: ReqObject(
              {
                lastResult: Type.Optional(
                  Type.Array(Type.Integer({ minimum: 0 }), {
                    minItems: 1,
                    description: 'result codes of the last attempt (null = never attempted: use attempts.max 0)',
                  }),
                ),
                attempts: Type.Optional(
                  ReqObject(
                    { min: Type.Optional(Type.Integer({ minimum: 0 })), max: Type.Optional(Type.Integer({ minimum: 0 })) },
                    {
                      additionalProperties: false,
                    },
                  ),
                ),
                phoneType: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
                attributes: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'attribute name → exact value' })),
              },
              {
                additionalProperties: false,
              },
            ),
          },
          {
            additionalProperties: false,
          },
        ),
        response: {
          201: Type.Object({
            list: Type.Optional(listSchema),
            scanned: Type.Optional(Type.Integer({ description: 'contacts examined' })),
            matched: Type.Optional(Type.Integer()),
            added: Type.Optional(Type.Integer()),
            duplicates: Type.Optional(
              Type.Integer({ description: 'hits skipped because their id or number was already taken from another source' }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { sources, where } = req.body;
      const lists = await Promise.all(sources.map((s) => requireList(store, s)));
      const profiles = new Set(lists.map((l) => l.profile));
      if (profiles.size > 1)
        throw new ApiError(
          'CONFLICT',
          `source lists use different profiles (${[...profiles].join(', ')}); re-list from lists of one profile`,
        );
      if (where.attempts?.min !== undefined && where.attempts.max !== undefined && where.attempts.min > where.attempts.max) {
        throw new ApiError('VALIDATION_FAILED', 'body.where.attempts.min is greater than body.where.attempts.max');
      }
      const list = await createListOr409(store, {
        id: req.body.id,
        name: req.body.name,
        description: req.body.description,
        profile: lists[0]!.profile as ProfileName,
      });
      const r = await store.lists.buildRelist({ sources, target: list.id, where, batchSize: config.import.batchSize });
      return reply.status(201).send({ list: await requireList(store, list.id), ...r });
    },
  );
};

export default relistRoutes;
