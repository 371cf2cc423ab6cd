/**
 * Agent definitions: id, name, the SIP URI of their phone, groups (seed 001).
 * Supervisors manage them; an agent key (bound to one agent id in config) may
 * read its own agent and change its own name and phone, nothing else.
 */
import { Type } from '@sinclair/typebox';
import { ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { ANY, SUPERVISOR, assertSelfOrSupervisor } from '../auth';
import { AGENT_ID_PATTERN, sipUriProblem } from '../../domain/agent';
import { mapped } from '../store-errors';

const tags = ['agents'];
const name = { type: 'string', minLength: 1, maxLength: 200 };
const sipUri = { type: 'string', minLength: 5, maxLength: 512, description: 'where the dialer calls the agent, e.g. sip:1001@10.0.0.5' };
const groups = { type: 'array', maxItems: 100, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } };
const agentSchema = {
  $id: 'Agent',
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    sipUri: { type: 'string' },
    groups: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;
const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: AGENT_ID_PATTERN } } } as const;

function checkUri(uri: string | undefined): void {
  const problem = uri === undefined ? undefined : sipUriProblem(uri);
  if (problem) throw new ApiError('VALIDATION_FAILED', `body.${problem}`);
}

export const agentRoutes: RoutePlugin = async (app) => {
  app.addSchema(agentSchema);
  const one = { $ref: 'Agent#' };

  app.post<{ Body: { id: string; name: string; sipUri: string; groups?: string[] } }>(
    '/agents',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Create an agent',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'name', 'sipUri'],
          properties: { id: { type: 'string', pattern: AGENT_ID_PATTERN }, name, sipUri, groups },
        },
        response: { 201: one, ...errorResponses },
      },
    },
    async (req, reply) => {
      checkUri(req.body.sipUri);
      return reply.status(201).send(await mapped(() => app.store.agents.create(req.body)));
    },
  );

  app.get<{ Querystring: { group?: string } }>(
    '/agents',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'List agents (optionally of one group)',
        querystring: ReqObject({ group: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: { type: 'object', properties: { agents: { type: 'array', items: one } } }, ...errorResponses },
      },
    },
    async (req) => ({ agents: await app.store.agents.list({ group: req.query.group }) }),
  );

  app.get<{ Params: { id: string } }>(
    '/agents/:id',
    {
      config: { roles: ANY },
      schema: { tags, summary: 'Get an agent (an agent key: only its own)', params, response: { 200: one, ...errorResponses } },
    },
    async (req) => {
      assertSelfOrSupervisor(req, req.params.id);
      const a = await app.store.agents.get(req.params.id);
      if (!a) throw notFound('agent', req.params.id);
      return a;
    },
  );

  app.patch<{ Params: { id: string }; Body: { name?: string; sipUri?: string; groups?: string[] } }>(
    '/agents/:id',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'Change an agent (an agent key: only its own name and sipUri)',
        params,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { name, sipUri, groups } },
        response: { 200: one, ...errorResponses },
      },
    },
    async (req) => {
      assertSelfOrSupervisor(req, req.params.id);
      if (req.principal?.role === 'agent' && req.body.groups)
        throw new ApiError('FORBIDDEN', 'an agent key cannot change group membership; ask a supervisor');
      checkUri(req.body.sipUri);
      return mapped(() => app.store.agents.update(req.params.id, req.body));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/agents/:id',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Delete an agent (and its group memberships)',
        params,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (req, reply) => {
      await mapped(() => app.store.agents.delete(req.params.id));
      return reply.status(204).send();
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default agentRoutes;
