import type { FastifyPluginAsync, FastifyTypeProvider, RawServerDefault } from 'fastify';
import { Type, type ObjectOptions, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';

/**
 * Request types from the route's own schemas: `req.body`, `req.params`, `req.query` and `req.headers`
 * are `Static<>` of the TypeBox schema the route validates them with, so a handler's types and its
 * validation cannot drift apart. Replies are not typed from the response schemas (`serializer:
 * unknown`): those serialise records from the store, whose types are the store's.
 */
export interface RequestTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: unknown;
}

/** A route plugin whose handlers get typed requests (see RequestTypeProvider). */
export type RoutePlugin = FastifyPluginAsync<Record<never, never>, RawServerDefault, RequestTypeProvider>;

/**
 * `Type.Object` for request schemas. A property with a `default` is required in the type (ajv fills the
 * default in before the handler runs: `useDefaults`) but not in the schema's `required` (a client may
 * leave it out, and the OpenAPI document says so).
 */
export function ReqObject<T extends TProperties>(properties: T, options?: ObjectOptions): TObject<T> {
  const schema = Type.Object(properties, options);
  const json = schema as { required?: string[] };
  const required = (json.required ?? []).filter((k) => (properties[k] as { default?: unknown }).default === undefined);
  if (required.length) json.required = required;
  else delete json.required;
  return schema;
}
