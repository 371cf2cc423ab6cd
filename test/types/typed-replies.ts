/**
 * Compile-time test (checked by `tsc --noEmit -p .`, which CI runs; never executed): a route's request
 * and reply are typed from its TypeBox schemas (lib/api/typebox.ts). Each `@ts-expect-error` marks a
 * handler that must NOT compile; if the typing stopped working, the directive itself would fail tsc.
 */
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../lib/api/errors';
import { NoContent, ReqObject, type RoutePlugin } from '../../lib/api/typebox';

const thing = Type.Object({ id: Type.String(), count: Type.Integer() });

export const typedRoutes: RoutePlugin = async (app) => {
  const schema = { params: ReqObject({ id: Type.String() }), response: { 200: thing, ...errorResponses } };

  // The right shape compiles, with the request typed from the params schema.
  app.get('/things/:id', { schema }, async (req) => ({ id: req.params.id, count: 1 }));

  // @ts-expect-error count must be an integer (number), not a string
  app.get('/things/:id', { schema }, async (req) => ({ id: req.params.id, count: 'one' }));

  // @ts-expect-error a required field of the reply is missing
  app.get('/things/:id', { schema }, async (req) => ({ id: req.params.id }));

  app.get('/things/:id', { schema }, async (req, reply) =>
    // @ts-expect-error reply.send is typed too
    reply.send({ id: req.params.id, count: false }),
  );

  // @ts-expect-error the params schema has no `name`
  app.get('/things/:id', { schema }, async (req) => ({ id: req.params.name, count: 1 }));

  app.delete('/things/:id', { schema: { params: schema.params, response: { 204: NoContent(), ...errorResponses } } }, async (_req, reply) =>
    reply.status(204).send(),
  );
};
