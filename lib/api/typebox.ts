import type { FastifyPluginAsync, FastifyTypeProvider, RawServerDefault } from 'fastify';
import { Type, type ObjectOptions, type Static, type TObject, type TProperties, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * Types from the route's own schemas: `req.body`, `req.params`, `req.query` and `req.headers` are
 * `Static<>` of the TypeBox schema the route validates them with, and what a handler returns or sends
 * must be `Static<>` of its response schema for that status, so neither the handler's input nor its
 * answer can drift from what the schema (and /openapi.json) says (test/types/typed-replies.ts). A
 * plain JSON Schema (no TypeBox `Kind`) types as `unknown`, and a reply is the union over the route's
 * codes, so every code of a typed route is TypeBox (errors: `ErrorRef`, lib/api/errors.ts).
 */
export interface RequestTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
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

/**
 * A 204's response schema: JSON null in the document, and no payload in the handler's type
 * (`reply.status(204).send()`), which `Type.Null()` would make required.
 */
export const NoContent = (description?: string) => Type.Unsafe<undefined>({ type: 'null', ...(description ? { description } : {}) });

/** `nullable: true` (OpenAPI 3.0's form, as the document states it) typed `Static<T> | null`. */
export function OrNull<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true });
}

/**
 * An object of any keys whose values all match `values`, as `additionalProperties` states it (the document's
 * form; `Type.Record` would say `patternProperties`), typed `Record<string, Static<T>>`.
 */
export function MapOf<T extends TSchema>(values: T, options: ObjectOptions = {}): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({ ...options, type: 'object', additionalProperties: values });
}

/**
 * An object with any properties (`{ type: 'object', additionalProperties: true }`, as the document states it;
 * `Type.Object({})` would add an empty `properties`), typed `object` (a record type would refuse interfaces,
 * which have no index signature). Only for what is free-form by design (a history entry's extra fields).
 */
export function AnyObject(options: ObjectOptions = {}): TUnsafe<object> {
  return Type.Unsafe<object>({ ...options, type: 'object', additionalProperties: true });
}

/** A file answer (`{ type: 'string', format: 'binary' }`): the handler sends a Buffer or a string. */
export function Binary(description?: string): TUnsafe<Buffer | string> {
  return Type.Unsafe<Buffer | string>({ type: 'string', format: 'binary', ...(description ? { description } : {}) });
}
