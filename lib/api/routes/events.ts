/**
 * Live events over Server-Sent Events: the supervisor stream with filters
 * (campaign, agent, type), an agent's own stream (screen pop, call phases,
 * its state) and a snapshot to start from. EventSource cannot send headers,
 * so browsers authenticate them with the session cookie (see ../session.ts).
 */
import { Type } from '@sinclair/typebox';
import { AnyObject, ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, ErrorRef, errorResponses } from '../errors';
import { ANY, SUPERVISOR, assertSelfOrSupervisor } from '../auth';
import { streamEvents } from '../../monitor/sse';
import { AGENT_ID_PATTERN } from '../../domain/agent';

const tags = ['events'];
const list = (s: string | undefined) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
const lastId = Type.String({ pattern: '^[0-9]+$', description: 'resume after this event id (like the Last-Event-ID header)' });
const sseResponse = {
  200: Type.String({ description: 'text/event-stream: `id`, `event` (the type) and `data` (JSON) per event; `: heartbeat` comments' }),
  ...errorResponses,
  503: ErrorRef,
};

export const eventRoutes: RoutePlugin = async (app) => {
  const open = new Set<() => void>();
  // Open streams never end on their own: end them so the server can close.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  const sseOpts = () => ({
    heartbeatMs: app.config.monitor.heartbeatSec * 1000,
    maxBufferedBytes: app.config.monitor.maxBufferedBytes,
    registry: open,
  });
  const withLast = (req: { headers: Record<string, unknown> }, q?: string) => {
    if (q && req.headers['last-event-id'] === undefined) req.headers['last-event-id'] = q;
  };

  app.get(
    '/events',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Live event stream (SSE) for supervisors, filtered by campaign, agent and type',
        description:
          'Types: campaign.state, campaign.progress, campaign.completed, campaign.lease, campaign.abandon-warning, pacing.trace, call.started, call.phase, call.ended, attempt.skipped, attempt.recoded, agent.state, agent.released, agent.screen-pop. A `types` entry ending in "." is a prefix (e.g. `call.`).',
        querystring: ReqObject(
          {
            campaign: Type.Optional(Type.String({ description: 'comma-separated campaign ids' })),
            agent: Type.Optional(Type.String({ description: 'comma-separated agent ids' })),
            types: Type.Optional(Type.String({ description: 'comma-separated event types or prefixes' })),
            lastEventId: Type.Optional(lastId),
          },
          {
            additionalProperties: false,
          },
        ),
        response: sseResponse,
      },
    },
    async (req, reply) => {
      app.monitor.ensureWatching();
      withLast(req, req.query.lastEventId);
      streamEvents(
        req,
        reply,
        app.monitor.hub,
        { campaigns: list(req.query.campaign), agents: list(req.query.agent), types: list(req.query.types) },
        sseOpts(),
      );
    },
  );

  app.get(
    '/agents/:id/events',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: "An agent's own event stream (SSE): screen pop with the contact, call phases, its state",
        params: ReqObject({ id: Type.String({ pattern: AGENT_ID_PATTERN }) }),
        querystring: ReqObject({ lastEventId: Type.Optional(lastId) }, { additionalProperties: false }),
        response: sseResponse,
      },
    },
    async (req, reply) => {
      assertSelfOrSupervisor(req, req.params.id);
      if (!app.monitor.live)
        throw new ApiError(
          'TELEPHONY_UNAVAILABLE',
          'the dialer runtime is not running in this process, so there are no live agent events; connect to a dialer node',
        );
      withLast(req, req.query.lastEventId);
      streamEvents(req, reply, app.monitor.hub, { agents: [req.params.id], types: ['agent.', 'call.'] }, sseOpts());
    },
  );

  app.get(
    '/monitor/snapshot',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Everything the dashboard shows, now: campaigns with progress, agents with states, live calls; stream from lastEventId',
        response: {
          200: Type.Object({
            live: Type.Optional(
              Type.Boolean({ description: 'false when the dialer runtime does not run in this process (no call/agent events)' }),
            ),
            lastEventId: Type.Optional(Type.Integer()),
            now: Type.Optional(Type.Integer()),
            campaigns: Type.Optional(Type.Array(AnyObject())),
            agents: Type.Optional(Type.Array(AnyObject())),
            calls: Type.Optional(Type.Array(AnyObject())),
          }),
          ...errorResponses,
        },
      },
    },
    async () => {
      const m = app.monitor;
      m.ensureWatching();
      const lastEventId = m.hub.lastId;
      await m.watcher.poll();
      const agents = (await app.store.agentLive.list()).map((a) => ({
        id: a.id,
        name: a.name,
        state: a.state,
        since: a.since,
        campaignId: a.campaignId,
        attemptId: a.attemptId,
        held: a.held,
        ...(a.pop ? { customer: { name: a.pop.name, phone: a.pop.phone } } : {}),
      }));
      return { live: m.live, lastEventId, now: Date.now(), campaigns: m.watcher.snapshot(), agents, calls: [...m.hub.calls.values()] };
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default eventRoutes;
