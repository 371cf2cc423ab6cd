/**
 * Route handlers get their request types from the route's schemas (lib/api/typebox.ts,
 * RequestTypeProvider): these assertions compile only while that holds. Checked by `npm run typecheck`.
 */
import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import type { RequestTypeProvider } from '../../lib/api/typebox';
import { routeBody } from '../../lib/api/routes/inbound.schema';
import { overrideSchema } from '../../lib/api/routes/inbound.schema';
import { assertType, type Equal } from './expect';

const app = Fastify().withTypeProvider<RequestTypeProvider>();

app.put(
  '/inbound/:did',
  {
    schema: {
      params: Type.Object({ did: Type.String() }),
      querystring: Type.Object({ limit: Type.Integer({ default: 50 }), format: Type.Optional(Type.String()) }),
      body: routeBody,
    },
  },
  async (req) => {
    assertType<Equal<typeof req.params.did, string>>();
    assertType<Equal<typeof req.query.limit, number>>();
    assertType<Equal<typeof req.query.format, string | undefined>>();
    assertType<Equal<typeof req.body.timeZone, string>>();
    // @ts-expect-error the body schema has no such property
    void req.body.timezone;
    // @ts-expect-error nor the query schema
    void req.query.limt;
    return {};
  },
);

// A schema change changes the handler's type: the same body with timeZone as an integer.
const changed = Type.Object({ ...routeBody.properties, timeZone: Type.Integer() });
app.post('/changed', { schema: { body: changed } }, async (req) => {
  const zone: number = req.body.timeZone;
  assertType<Equal<typeof req.body.timeZone, number>>();
  return { zone };
});

// The override body is typed from inbound.schema.ts: until is required, from is optional.
app.put('/override', { schema: { body: overrideSchema } }, async (req) => {
  assertType<Equal<typeof req.body.until, string>>();
  assertType<Equal<typeof req.body.from, string | undefined>>();
  // @ts-expect-error unknown keys are not in the type
  void req.body.nonsense;
  return {};
});
