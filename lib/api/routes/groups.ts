/** Agent groups (seed 001 "outbound groups"; seed 002 ACD group per campaign). */
import { Type } from '@sinclair/typebox';
import { RefTo } from '../../config/typebox';
import { NoContent, ReqObject, type RoutePlugin } from '../typebox';
import { errorResponses, notFound } from '../errors';
import { ANY, SUPERVISOR } from '../auth';
import { AGENT_ID_PATTERN } from '../../domain/agent';
import { mapped } from '../store-errors';

const tags = ['agent groups'];
const name = Type.String({ minLength: 1, maxLength: 200 });
const description = Type.String({ maxLength: 2000 });
const groupProps = {
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  createdAt: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
};
const groupSchema = Type.Object(groupProps, { $id: 'AgentGroup' });
const detail = Type.Object({
  ...groupProps,
  members: Type.Optional(Type.Array(Type.String())),
  campaigns: Type.Optional(Type.Array(Type.String(), { description: 'campaigns using the group' })),
});
const params = ReqObject({ id: Type.String({ pattern: AGENT_ID_PATTERN }) });

export const groupRoutes: RoutePlugin = async (app) => {
  app.addSchema(groupSchema);
  const one = RefTo(groupSchema);

  app.post(
    '/groups',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Create an agent group',
        body: ReqObject(
          { id: Type.String({ pattern: AGENT_ID_PATTERN }), name, description: Type.Optional(description) },
          { additionalProperties: false },
        ),
        response: { 201: one, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await mapped(() => app.store.groups.create(req.body))),
  );

  app.get(
    '/groups',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'List agent groups',
        response: { 200: Type.Object({ groups: Type.Optional(Type.Array(one)) }), ...errorResponses },
      },
    },
    async () => ({ groups: await app.store.groups.list() }),
  );

  app.get(
    '/groups/:id',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'Get an agent group with its members and the campaigns using it',
        params,
        response: { 200: detail, ...errorResponses },
      },
    },
    async (req) => {
      const g = await app.store.groups.get(req.params.id);
      if (!g) throw notFound('agent group', req.params.id);
      return g;
    },
  );

  app.patch(
    '/groups/:id',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Rename or describe an agent group',
        params,
        body: ReqObject(
          { name: Type.Optional(name), description: Type.Optional(description) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: one, ...errorResponses },
      },
    },
    async (req) => mapped(() => app.store.groups.update(req.params.id, req.body)),
  );

  app.delete(
    '/groups/:id',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Delete an agent group (refused while a campaign uses it; members lose the membership)',
        params,
        response: { 204: NoContent(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await mapped(() => app.store.groups.delete(req.params.id));
      return reply.status(204).send();
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default groupRoutes;
