/**
 * The agent desk API (seed 001 "operation"): log in (the dialer calls the
 * agent's phone), log out, break/away/ready, disposition with the next state,
 * hang up the customer, blind transfer, hold. Needs the running desk, so it is
 * a plugin factory, registered by routes/index.ts only when the app was given
 * the runtime (`app.dialer`, plugins/app/telephony.ts):
 *   app.register(agentDeskRoutes({ desk }))
 * An agent key acts only on its own agent; supervisors and admins on all.
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import { ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { ANY, assertSelfOrSupervisor } from '../auth';
import { dispositionProblem } from '../../agents/disposition';
import type { LiveAgentDesk } from '../../agents/desk';
import { NEXT_STATES, SETTABLE_STATES } from '../../agents/state';
import { agentLiveSchema, agentParams, desk as mapDesk, liveView, moreErrors } from './agent-common';
import { actorOf } from '../store-errors';

export interface AgentDeskRouteDeps {
  desk: LiveAgentDesk;
  clock?: () => number;
}

const tags = ['agent desk'];
const ok = { 200: agentLiveSchema, ...errorResponses, ...moreErrors };

export function agentDeskRoutes(deps: AgentDeskRouteDeps): RoutePlugin {
  const clock = deps.clock ?? Date.now;
  return async (app) => {
    const limits = app.config.dialer.agents.idleLimits;
    const view = async (id: string) => liveView(id, await deps.desk.status(id), clock(), limits);
    const action = (path: string, summary: string, run: (id: string) => Promise<unknown>, status = 200) =>
      app.post(
        path,
        {
          config: { roles: ANY },
          schema: { tags, summary, params: agentParams, response: { ...ok, [status]: agentLiveSchema } },
        },
        async (req, reply) => {
          assertSelfOrSupervisor(req, req.params.id);
          await mapDesk(() => run(req.params.id));
          return reply.status(status).send(await view(req.params.id));
        },
      );

    app.post(
      '/agents/:id/login',
      {
        config: { roles: ANY },
        // The body is optional (clients log in with an empty POST): no body reads as {}.
        preValidation: async (req) => {
          req.body ??= {};
        },
        schema: {
          tags,
          summary:
            "Log in: the dialer calls the agent's phone; once answered the agent is ready on hold music (or, with returnCalls, takes return calls only)",
          params: agentParams,
          body: ReqObject(
            {
              returnCalls: Type.Optional(
                Type.Boolean({
                  description: 'start in the return_calls state: inbound calls only, never a campaign call (seed 001 受付可)',
                }),
              ),
            },
            { additionalProperties: false, description: 'optional: a login without a body starts ready' },
          ),
          response: { ...ok, 202: agentLiveSchema },
        },
      },
      async (req, reply) => {
        assertSelfOrSupervisor(req, req.params.id);
        await mapDesk(() => deps.desk.login(req.params.id, { returnCalls: req.body.returnCalls }));
        return reply.status(202).send(await view(req.params.id));
      },
    );
    action('/agents/:id/logout', 'Log out (not during a call; in wrap-up the call is kept as unsaved)', (id) => deps.desk.logout(id));
    action('/agents/:id/call/hangup', 'Hang up the customer (the agent goes to wrap-up)', (id) => deps.desk.hangupCustomer(id));
    action('/agents/:id/call/hold', 'Put the customer on hold (they hear hold music)', (id) => deps.desk.hold(id));
    action('/agents/:id/call/unhold', 'Take the customer off hold', (id) => deps.desk.unhold(id));

    app.put(
      '/agents/:id/state',
      {
        config: { roles: ANY },
        schema: {
          tags,
          summary:
            'Set ready, return_calls (inbound return calls only, never a campaign call), break or away (not during a call or wrap-up)',
          params: agentParams,
          body: ReqObject(
            { state: StringEnum([...SETTABLE_STATES]) },
            {
              additionalProperties: false,
            },
          ),
          response: ok,
        },
      },
      async (req) => {
        assertSelfOrSupervisor(req, req.params.id);
        await mapDesk(() => deps.desk.setState(req.params.id, req.body.state));
        return view(req.params.id);
      },
    );

    app.post(
      '/agents/:id/call/transfer',
      {
        config: { roles: ANY },
        schema: {
          tags,
          summary: 'Blind transfer of the customer to an extension or SIP URI (the agent goes to wrap-up)',
          params: agentParams,
          body: ReqObject(
            {
              target: Type.String({
                pattern: '^(sips?:[^\\s]+|[0-9*#+]{1,32})$',
                description: 'sip:2001@pbx.example or an extension like 2001',
              }),
            },
            {
              additionalProperties: false,
            },
          ),
          response: ok,
        },
      },
      async (req) => {
        assertSelfOrSupervisor(req, req.params.id);
        await mapDesk(() => deps.desk.transfer(req.params.id, req.body.target));
        return view(req.params.id);
      },
    );

    app.post(
      '/agents/:id/disposition',
      {
        config: { roles: ANY },
        schema: {
          tags,
          summary: "Finish wrap-up: the call's disposition (from the campaign's list) and the next state",
          params: agentParams,
          body: ReqObject(
            {
              attemptId: Type.Optional(
                Type.String({ minLength: 1, description: 'the call being wrapped up; refused when it is not the current one' }),
              ),
              disposition: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
              note: Type.Optional(Type.String({ maxLength: 2000 })),
              next: StringEnum([...NEXT_STATES], {
                description:
                  'continue (back to ready, or to return_calls after a call taken there), return_calls, break, away, or end (log out)',
              }),
            },
            {
              additionalProperties: false,
            },
          ),
          response: ok,
        },
      },
      async (req) => {
        const id = req.params.id;
        assertSelfOrSupervisor(req, id);
        const live = await deps.desk.status(id);
        if (live?.state === 'wrap_up' && live.campaignId && live.attemptId) {
          if (req.body.attemptId && req.body.attemptId !== live.attemptId) {
            throw new ApiError('CONFLICT', `agent ${id} is wrapping up attempt ${live.attemptId}, not ${req.body.attemptId}`);
          }
          const campaign = await app.store.campaigns.get(live.campaignId);
          if (!campaign) throw notFound('campaign', live.campaignId);
          const problem = dispositionProblem(campaign.id, campaign, req.body.disposition);
          if (problem) throw new ApiError('UNPROCESSABLE', problem, { allowed: campaign.dispositions.map((d) => d.code) });
          await app.store.dispositions.save({
            campaignId: live.campaignId,
            attemptId: live.attemptId,
            agentId: id,
            disposition: req.body.disposition,
            note: req.body.note,
            by: actorOf(req),
            at: clock(),
          });
        }
        // Not in wrap-up: the machine refuses with the reason (409 ILLEGAL_TRANSITION).
        await mapDesk(() => deps.desk.finishWrapUp(id, req.body.next, live?.attemptId));
        return view(id);
      },
    );
  };
}

/** Autoloaded (lib/api/app.ts): offered only beside a live dialer (`app.dialer`, plugins/app/telephony.ts). */
const liveAgentDeskRoutes: RoutePlugin = async (app) => {
  if (app.dialer) await app.register(agentDeskRoutes({ desk: app.dialer.desk, clock: app.dialer.clock }));
};
export default liveAgentDeskRoutes;
