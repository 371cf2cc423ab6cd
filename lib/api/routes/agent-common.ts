/**
 * Shared pieces of the live-agent routes (agent-desk.ts, agent-live.ts,
 * callbacks.ts): the agent-state view, its schema, and error mapping.
 */
import { MapOf, ReqObject } from '../typebox';
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import { ErrorRef, notFound } from '../errors';
import { mapped } from '../store-errors';
import { idleDecision, type IdleLimits } from '../../agents/idle';
import type { AgentLive, Repositories } from '../plugins/app/store';
import { AGENT_ID_PATTERN } from '../../domain/agent';
import { AGENT_STATES } from '../../agents/state';

export const agentParams = ReqObject(
  { id: Type.String({ pattern: AGENT_ID_PATTERN }) },
  {
    additionalProperties: false,
  },
);

const popSchema = Type.Object({
  campaignId: Type.Optional(Type.String()),
  attemptId: Type.Optional(Type.String()),
  listId: Type.Optional(Type.String()),
  contactId: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  key1: Type.Optional(Type.String()),
  key2: Type.Optional(Type.String()),
  attributes: Type.Optional(MapOf(Type.String())),
  attemptNo: Type.Optional(Type.Integer()),
});

export const agentLiveSchema = Type.Object({
  id: Type.Optional(Type.String()),
  state: Type.Optional(StringEnum([...AGENT_STATES])),
  returnCalls: Type.Optional(
    Type.Boolean({
      description: 'taking return calls (inbound) only: waiting in return_calls, or on a call taken from there (issue 18)',
    }),
  ),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  secondsInState: Type.Optional(Type.Integer()),
  releaseAt: Type.Optional(Type.String({ format: 'date-time', description: 'when the idle limit of this state releases the agent' })),
  groups: Type.Optional(Type.Array(Type.String())),
  lastReason: Type.Optional(Type.String({ description: 'why the agent was last logged out' })),
  call: Type.Optional(
    Type.Object(
      {
        attemptId: Type.Optional(Type.String()),
        campaignId: Type.Optional(Type.String()),
        onHold: Type.Optional(Type.Boolean()),
        contact: Type.Optional(popSchema),
      },
      { description: 'the current call (screen pop) while reserved, talking or in wrap-up' },
    ),
  ),
});
export type AgentLiveView = Static<typeof agentLiveSchema>;

/** The API's view of an agent's live state. */
export function liveView(id: string, a: AgentLive | null, now: number, limits: IdleLimits): AgentLiveView {
  if (!a) return { id, state: 'logged_out', groups: [] };
  const d = idleDecision(a.state, a.since, now, limits);
  return {
    id,
    state: a.state,
    since: new Date(a.since).toISOString(),
    secondsInState: Math.max(0, Math.floor((now - a.since) / 1000)),
    ...(!d.release && d.dueAt ? { releaseAt: new Date(d.dueAt).toISOString() } : {}),
    groups: a.groups,
    ...(a.returnCalls && a.state !== 'logged_out' ? { returnCalls: true } : {}),
    ...(a.lastReason && a.state === 'logged_out' ? { lastReason: a.lastReason } : {}),
    ...(a.attemptId
      ? { call: { attemptId: a.attemptId, campaignId: a.campaignId, onHold: a.held, ...(a.pop ? { contact: a.pop } : {}) } }
      : {}),
  };
}

/** Desk, machine and callback errors → catalogue errors (the API's one mapper, lib/api/store-errors.ts). */
export const desk = mapped;

export const moreErrors = { 422: ErrorRef, 503: ErrorRef };

/** 404 for an agent id that was never created (live state, calls and history of nobody are not an empty 200). */
export async function requireAgent(store: Pick<Repositories, 'agents'>, id: string): Promise<void> {
  if (!(await store.agents.get(id))) throw notFound('agent', id);
}
