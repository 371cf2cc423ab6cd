/**
 * Inbound routes (issue 18): per called number (DID) a business-hours
 * schedule, holidays, a temporary override with an end time, and the action per
 * band. Store access through `app.inboundData` (lib/api/plugins/app/inbound-data.ts).
 */
import { Type } from '@sinclair/typebox';
import { RefTo } from '../../config/typebox';
import { AnyObject, NoContent, ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { ADMIN, SUPERVISOR } from '../auth';
import { decide, RouteInputError, validateOverride, validateRoute, type InboundRoute, type Override } from '../../inbound/route';
import { numberKey } from '../../inbound/decide';
import { actionSchema, overrideSchema, routeBody, routeOut } from './inbound.schema';

const tags = ['inbound'];
const didParams = ReqObject({
  did: Type.String({ minLength: 1, maxLength: 40, description: 'the called number; normalised to E.164 in the default region' }),
});

export const inboundRoutes: RoutePlugin = async (app) => {
  app.addSchema(actionSchema);
  app.addSchema(overrideSchema);
  const trunks = () => app.config.telephony.trunks.map((t) => t.name);
  const did = (raw: string) => {
    const k = numberKey(raw, app.config.phone.defaultRegion);
    if (!k) throw new ApiError('VALIDATION_FAILED', `params.did "${raw}" is not a phone number`);
    return k;
  };
  const checked = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof RouteInputError) throw new ApiError('VALIDATION_FAILED', `body.${err.message}`, { field: `body.${err.field}` });
      throw err;
    }
  };
  const view = (r: InboundRoute) => {
    const now = Date.now();
    const out: InboundRoute = { ...r };
    if (r.override && now >= Date.parse(r.override.until)) delete out.override;
    return { ...out, current: decide(r, now) };
  };

  app.get(
    '/inbound-routes',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Every inbound route, with what a call gets now',
        response: { 200: Type.Object({ routes: Type.Optional(Type.Array(routeOut)) }), ...errorResponses },
      },
    },
    async () => ({ routes: (await app.inboundData.listRoutes()).map(view) }),
  );

  app.get(
    '/inbound-routes/:did',
    {
      config: { roles: SUPERVISOR },
      schema: { tags, summary: 'One inbound route', params: didParams, response: { 200: routeOut, ...errorResponses } },
    },
    async (req) => {
      const r = await app.inboundData.getRoute(did(req.params.did));
      if (!r) throw notFound('inbound route', req.params.did);
      return view(r);
    },
  );

  app.put(
    '/inbound-routes/:did',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Create or replace the route of a called number (schedule, holidays, actions, optional override)',
        params: didParams,
        body: routeBody,
        response: { 200: routeOut, 201: routeOut, ...errorResponses },
      },
    },
    async (req, reply) => {
      const route: InboundRoute = { ...req.body, did: did(req.params.did) } as InboundRoute;
      checked(() => validateRoute(route, trunks(), Date.now()));
      const res = await app.inboundData.putRoute(route);
      return reply.status(res === 'created' ? 201 : 200).send(view(route));
    },
  );

  app.delete(
    '/inbound-routes/:did',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Delete a route (calls to the number are refused again)',
        params: didParams,
        response: { 204: NoContent(), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await app.inboundData.deleteRoute(did(req.params.did)))) throw notFound('inbound route', req.params.did);
      return reply.status(204).send();
    },
  );

  app.put(
    '/inbound-routes/:did/override',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Set a temporary override: every call gets its action until its end time, then the schedule applies again',
        params: didParams,
        body: RefTo(overrideSchema),
        response: { 200: routeOut, ...errorResponses },
      },
    },
    async (req) => {
      // The schema holds the union of every action type's fields; validateOverride checks each type's own
      // (naming the field), which makes the body the domain's union by action type.
      const override = req.body as Override;
      checked(() => validateOverride(override, trunks(), Date.now(), 'override'));
      const r = await app.inboundData.setOverride(did(req.params.did), override);
      if (!r) throw notFound('inbound route', req.params.did);
      return view(r);
    },
  );

  app.delete(
    '/inbound-routes/:did/override',
    {
      config: { roles: SUPERVISOR },
      schema: { tags, summary: 'End the override now', params: didParams, response: { 200: routeOut, ...errorResponses } },
    },
    async (req) => {
      const r = await app.inboundData.setOverride(did(req.params.did), undefined);
      if (!r) throw notFound('inbound route', req.params.did);
      return view(r);
    },
  );

  app.get(
    '/inbound-calls',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Recent inbound calls (newest first): route decision, matched contacts, retries closed, outcome',
        querystring: ReqObject(
          { limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) },
          {
            additionalProperties: false,
          },
        ),
        response: {
          200: Type.Object({ calls: Type.Optional(Type.Array(AnyObject())) }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({ calls: await app.inboundData.recentCalls(req.query.limit) }),
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default inboundRoutes;
