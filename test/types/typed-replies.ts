/**
 * Compile-time test (checked by `tsc --noEmit -p .`, which CI runs; never executed): a route's request
 * and reply are typed from its TypeBox schemas (lib/api/typebox.ts). Each `@ts-expect-error` marks a
 * handler that must NOT compile; if the typing stopped working, the directive itself would fail tsc.
 */
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../lib/api/errors';
import { NoContent, ReqObject, type RoutePlugin } from '../../lib/api/typebox';
import { campaignReply, createCampaignBody, idParams, patchCampaignBody } from '../../lib/api/routes/campaigns.schema';
import { campaignDefaults } from '../../lib/domain/campaign';

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

  // The campaign routes' own schemas (lib/api/routes/campaigns.schema.ts): the reply is the `Campaign` component.
  const campaign = { params: idParams, response: campaignReply };
  app.get('/campaigns/:id', { schema: campaign }, async (req) => ({ ...campaignDefaults(), id: req.params.id, version: 1 }));

  // @ts-expect-error a campaign's state is one of the life cycle's states
  app.get('/campaigns/:id', { schema: campaign }, async (req) => ({ id: req.params.id, state: 'sleeping' }));

  // @ts-expect-error a campaign's version is an integer, not a string
  app.get('/campaigns/:id', { schema: campaign }, async (req) => ({ id: req.params.id, version: '1' }));

  // Create: a setting with a stated default is always there (ajv fills it in); "unlimited" is a caps' value.
  app.post('/campaigns', { schema: { body: createCampaignBody, response: { 201: campaignReply[200] } } }, async (req) => {
    const ring: number = req.body.ringTimeoutSec;
    // @ts-expect-error maxConcurrentCalls may be "unlimited" until unlimitedToZero stores it as 0
    const cap: number = req.body.maxConcurrentCalls;
    return { name: req.body.name, ringTimeoutSec: ring, maxConcurrentCalls: cap };
  });

  app.patch('/campaigns/:id', { schema: { params: idParams, body: patchCampaignBody, response: campaignReply } }, async (req) => {
    // @ts-expect-error PATCH has no defaults: an absent setting is undefined
    const ring: number = req.body.ringTimeoutSec;
    return { id: req.params.id, ringTimeoutSec: ring };
  });
};
