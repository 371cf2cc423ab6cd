/**
 * Actions on a running inbound call (issue 18), registered beside the live
 * services (app/services.ts): the caller asked not to be called again.
 */
import { Type } from '@sinclair/typebox';
import { ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, ErrorRef, errorResponses } from '../errors';
import { ANY } from '../auth';
import { InboundCallError, type InboundCalls } from '../../inbound/service';

export function inboundCallRoutes(deps: { inbound: InboundCalls }): RoutePlugin {
  return async (app) => {
    app.post(
      '/inbound-calls/:id/dnc',
      {
        config: { roles: ANY },
        schema: {
          tags: ['inbound'],
          summary:
            'Put the caller of an inbound call on the do-not-call list (audited, source inbound-call); an agent only for the call they took',
          params: ReqObject({ id: Type.String({ minLength: 1, maxLength: 80 }) }),
          response: {
            200: Type.Object({ phone: Type.Optional(Type.String()), inboundId: Type.Optional(Type.String()) }),
            ...errorResponses,
            422: ErrorRef,
          },
        },
      },
      async (req) => {
        const p = req.principal;
        const call = await deps.inbound.call(req.params.id);
        if (!call) throw new ApiError('NOT_FOUND', `inbound call ${req.params.id} does not exist`);
        if (p?.role === 'agent' && call.agentId !== p.agentId)
          throw new ApiError('FORBIDDEN', `inbound call ${req.params.id} is not agent ${p.agentId ?? '?'}'s call`);
        const actor = [p?.role, p?.name ?? p?.agentId].filter(Boolean).join(':') || 'anonymous';
        try {
          const r = await deps.inbound.doNotCall(req.params.id, actor, call);
          return { phone: r.phone, inboundId: req.params.id };
        } catch (err) {
          if (err instanceof InboundCallError) throw new ApiError(err.code, err.message);
          throw err;
        }
      },
    );
  };
}

/** Autoloaded (lib/api/app.ts): offered only beside a live dialer that takes inbound calls (`app.dialer`, plugins/app/telephony.ts). */
const liveInboundCallRoutes: RoutePlugin = async (app) => {
  if (app.dialer?.inbound) await app.register(inboundCallRoutes({ inbound: app.dialer.inbound }));
};
export default liveInboundCallRoutes;
