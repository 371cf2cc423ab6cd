/**
 * Supervisor actions on an agent's call (seed 001 job monitor): listen in,
 * whisper to the agent, barge in. The dialer calls the supervisor's phone
 * (`phone`, a SIP URI, as agents' phones are called) and mixes it in once
 * answered. Supervisors and admins only: an agent key gets 403.
 * Needs the running dialer: registered by routes/index.ts when `app.dialer`
 * has a supervisor (plugins/app/telephony.ts) with
 *   app.register(superviseRoutes({ supervisor }))
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import { NoContent, ReqObject, type RoutePlugin } from '../typebox';
import { errorResponses } from '../errors';
import { SUPERVISOR } from '../auth';
import type { Supervision, Supervisor } from '../../agents/supervise';
import { MONITOR_MODES } from '../../telephony/contract';
import { agentParams, desk as mapDesk, moreErrors } from './agent-common';
import { actorOf } from '../store-errors';

const tags = ['supervisor'];

const supervisionSchema = Type.Object({
  agentId: Type.Optional(Type.String()),
  by: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  mode: Type.Optional(StringEnum([...MONITOR_MODES])),
  status: Type.Optional(StringEnum(['ringing', 'active'], { description: "ringing: the supervisor's phone is being called" })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
});

const view = (s: Supervision) => ({
  agentId: s.agentId,
  by: s.by,
  phone: s.phone,
  mode: s.mode,
  status: s.status,
  since: new Date(s.since).toISOString(),
});
const modeProp = StringEnum([...MONITOR_MODES], {
  description: 'listen: hear both; whisper: the agent hears you, the customer does not; barge: three-way',
});

export function superviseRoutes(deps: { supervisor: Supervisor }): RoutePlugin {
  return async (app) => {
    app.post(
      '/agents/:id/monitor',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: "Listen in, whisper or barge: the dialer calls your phone and joins it to the agent's call",
          params: agentParams,
          body: ReqObject(
            {
              mode: modeProp,
              phone: Type.String({ pattern: '^sips?:[^\\s]+$', description: 'your phone, e.g. sip:2001@192.0.2.10' }),
            },
            {
              additionalProperties: false,
            },
          ),
          response: { 202: supervisionSchema, ...errorResponses, ...moreErrors },
        },
      },
      async (req, reply) => {
        const s = await mapDesk(() =>
          deps.supervisor.start(req.params.id, { mode: req.body.mode, phone: req.body.phone, by: actorOf(req) }),
        );
        return reply.status(202).send(view(s));
      },
    );

    app.put(
      '/agents/:id/monitor',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Switch between listen, whisper and barge',
          params: agentParams,
          body: ReqObject({ mode: modeProp }, { additionalProperties: false }),
          response: { 200: supervisionSchema, ...errorResponses, ...moreErrors },
        },
      },
      async (req) => view(await mapDesk(() => deps.supervisor.setMode(req.params.id, req.body.mode))),
    );

    app.delete(
      '/agents/:id/monitor',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Stop monitoring: your phone is hung up',
          params: agentParams,
          response: { 204: NoContent(), ...errorResponses, ...moreErrors },
        },
      },
      async (req, reply) => {
        await mapDesk(() => deps.supervisor.stop(req.params.id));
        return reply.status(204).send();
      },
    );

    app.get(
      '/monitors',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: 'Supervisions in progress',
          response: { 200: Type.Array(supervisionSchema), ...errorResponses },
        },
      },
      async () => deps.supervisor.list().map(view),
    );
  };
}

/** Autoloaded (lib/api/app.ts): offered only beside a live dialer with a supervisor (`app.dialer`, plugins/app/telephony.ts). */
const liveSuperviseRoutes: RoutePlugin = async (app) => {
  if (app.dialer?.supervisor) await app.register(superviseRoutes({ supervisor: app.dialer.supervisor }));
};
export default liveSuperviseRoutes;
