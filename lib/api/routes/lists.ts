/**
 * Contact lists: create, list, get, delete (refused while a campaign uses the
 * list; final), and upload templates. Contacts, imports and re-list have their
 * own plugins (contacts.ts, imports.ts, relist.ts).
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import { randomUUID } from 'node:crypto';
import { Binary, NoContent, ReqObject, type RoutePlugin } from '../typebox';
import { PROFILES, TEMPLATE_FIELDS, type ProfileName } from '../../domain/contact';
import { csvTemplate, xlsxTemplate, XLSX_MIME } from '../../import/templates';
import { ListExistsError, ListInUseError, type ContactList, type Repositories } from '../plugins/app/store';
import { ANY, SUPERVISOR } from '../auth';
import { ApiError, errorResponses, notFound } from '../errors';

export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

export const listSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  profile: StringEnum([...PROFILES]),
  createdAt: Type.String({ format: 'date-time' }),
  counts: Type.Object({
    contacts: Type.Optional(Type.Integer({ description: 'contacts in the dial order' })),
    attempted: Type.Optional(Type.Integer({ description: 'contacts with at least one attempt' })),
  }),
});

export const newListBody = ReqObject(
  {
    id: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'omit to have one generated' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ maxLength: 2000, default: '' }),
    profile: StringEnum([...PROFILES], {
      default: 'default',
      description: 'validation profile: default (libphonenumber, configured region) or clova (seed 000 rules)',
    }),
  },
  {
    additionalProperties: false,
  },
);

export const listParams = ReqObject({ listId: Type.String({ pattern: ID_PATTERN }) });

/** The list or a 404. */
export async function requireList(store: Pick<Repositories, 'lists'>, listId: string): Promise<ContactList> {
  const l = await store.lists.get(listId);
  if (!l) throw notFound('list', listId);
  return l;
}

/** Creates a list, answering 409 DUPLICATE for a taken id. */
export async function createListOr409(
  store: Pick<Repositories, 'lists'>,
  body: { id?: string; name: string; description?: string; profile?: ProfileName },
): Promise<ContactList> {
  try {
    return await store.lists.create({
      id: body.id ?? randomUUID().slice(0, 8),
      name: body.name,
      description: body.description,
      profile: body.profile ?? 'default',
    });
  } catch (err) {
    if (err instanceof ListExistsError) throw new ApiError('DUPLICATE', `list ${body.id} already exists`);
    throw err;
  }
}

const templateQuery = ReqObject(
  { format: StringEnum(['csv', 'xlsx'], { default: 'csv' }) },
  {
    additionalProperties: false,
  },
);

const fileResponse = { 200: Binary('the template file'), ...errorResponses };

const listsRoutes: RoutePlugin = async (app) => {
  const { store } = app;

  app.post(
    '/lists',
    {
      config: { roles: SUPERVISOR },
      schema: { tags: ['lists'], summary: 'Create a contact list', body: newListBody, response: { 201: listSchema, ...errorResponses } },
    },
    async (req, reply) => reply.status(201).send(await createListOr409(store, req.body)),
  );

  app.get(
    '/lists',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['lists'],
        summary: 'All contact lists with their counts',
        response: { 200: Type.Object({ lists: Type.Optional(Type.Array(listSchema)) }), ...errorResponses },
      },
    },
    async () => ({ lists: await store.lists.list() }),
  );

  app.get(
    '/lists/:listId',
    {
      config: { roles: SUPERVISOR },
      schema: { tags: ['lists'], summary: 'One contact list', params: listParams, response: { 200: listSchema, ...errorResponses } },
    },
    async (req) => requireList(store, req.params.listId),
  );

  app.delete(
    '/lists/:listId',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['lists'],
        summary: 'Delete a list and all its contacts for good',
        description: 'Refused with 409 IN_USE while a campaign uses the list (seed 000). Deletion cannot be undone.',
        params: listParams,
        response: { 204: NoContent('deleted'), ...errorResponses },
      },
    },
    async (req, reply) => {
      try {
        if (!(await store.lists.delete(req.params.listId))) throw notFound('list', req.params.listId);
      } catch (err) {
        if (err instanceof ListInUseError)
          throw new ApiError('IN_USE', `list ${err.listId} is used by campaign(s) ${err.campaigns.join(', ')}; detach it first`, {
            campaigns: err.campaigns,
          });
        throw err;
      }
      return reply.status(204).send();
    },
  );

  const sendTemplate = async (profile: ProfileName, format: 'csv' | 'xlsx', reply: import('fastify').FastifyReply) => {
    const name = `contacts-template-${profile}.${format}`;
    void reply.header('content-disposition', `attachment; filename="${name}"`);
    if (format === 'xlsx') return reply.type(XLSX_MIME).send(await xlsxTemplate(profile));
    return reply.type('text/csv; charset=utf-8').send(csvTemplate(profile));
  };

  app.get(
    '/list-templates/:profile',
    {
      config: { roles: ANY },
      schema: {
        tags: ['lists'],
        summary: 'Download an upload template (CSV or XLSX) for a validation profile',
        description: `Header row only. Columns: ${Object.entries(TEMPLATE_FIELDS)
          .map(([p, f]) => `${p}: ${f.join(', ')}`)
          .join('; ')}. Extra columns become contact attributes.`,
        params: ReqObject({ profile: StringEnum([...PROFILES]) }),
        querystring: templateQuery,
        response: fileResponse,
      },
    },
    async (req, reply) => sendTemplate(req.params.profile, req.query.format, reply),
  );

  app.get(
    '/lists/:listId/template',
    {
      config: { roles: ANY },
      schema: {
        tags: ['lists'],
        summary: "Download the upload template for this list's profile",
        params: listParams,
        querystring: templateQuery,
        response: fileResponse,
      },
    },
    async (req, reply) => sendTemplate((await requireList(store, req.params.listId)).profile, req.query.format, reply),
  );
};

export default listsRoutes;
