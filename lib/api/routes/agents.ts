/**
 * Agent definitions: id, name, the SIP URI of their phone, groups (seed 001).
 * Supervisors manage them; an agent key (bound to one agent id in config) may
 * read its own agent and change its own name and phone, nothing else.
 */
import { Type } from '@sinclair/typebox';
import { RefTo } from '../../config/typebox';
import { NoContent, ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { ANY, SUPERVISOR, assertSelfOrSupervisor } from '../auth';
import { AGENT_ID_PATTERN, sipUriProblem } from '../../domain/agent';
import { mapped } from '../store-errors';

const tags = ['agents'];
const name = Type.String({ minLength: 1, maxLength: 200 });
const sipUri = Type.String({ minLength: 5, maxLength: 512, description: 'where the dialer calls the agent, e.g. sip:1001@10.0.0.5' });
const groups = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100, uniqueItems: true });
const agentSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    sipUri: Type.Optional(Type.String()),
    groups: Type.Optional(Type.Array(Type.String())),
    createdAt: Type.Optional(Type.String()),
    updatedAt: Type.Optional(Type.String()),
  },
  { $id: 'Agent' },
);
const params = ReqObject({ id: Type.String({ pattern: AGENT_ID_PATTERN }) });

function checkUri(uri: string | undefined): void {
  const problem = uri === undefined ? undefined : sipUriProblem(uri);
  if (problem) throw new ApiError('VALIDATION_FAILED', `body.${problem}`);
}

export const agentRoutes: RoutePlugin = async (app) => {
  app.addSchema(agentSchema);
  const one = RefTo(agentSchema);

  app.post(
    '/agents',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Create an agent',
        body: ReqObject(
          { id: Type.String({ pattern: AGENT_ID_PATTERN }), name, sipUri, groups: Type.Optional(groups) },
          { additionalProperties: false },
        ),
        response: { 201: one, ...errorResponses },
      },
    },
    async (req, reply) => {
      checkUri(req.body.sipUri);
      return reply.status(201).send(await mapped(() => app.store.agents.create(req.body)));
    },
  );

  app.get(
    '/agents',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'List agents (optionally of one group)',
        querystring: ReqObject({ group: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ agents: Type.Optional(Type.Array(one)) }), ...errorResponses },
      },
    },
    async (req) => ({ agents: await app.store.agents.list({ group: req.query.group }) }),
  );

  app.get(
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

  app.patch(
    '/agents/:id',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'Change an agent (an agent key: only its own name and sipUri)',
        params,
        body: ReqObject(
          { name: Type.Optional(name), sipUri: Type.Optional(sipUri), groups: Type.Optional(groups) },
          { additionalProperties: false, minProperties: 1 },
        ),
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

  app.delete(
    '/agents/:id',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Delete an agent (and its group memberships)',
        params,
        response: { 204: NoContent(), ...errorResponses },
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
