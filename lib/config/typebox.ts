import { Type, type SchemaOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * A string enum as plain JSON Schema (`{type:'string', enum:[…]}`), typed as the union of its values.
 * TypeBox's own `Type.Union(Type.Literal…)` would emit `anyOf`, whose ajv errors ("must match a schema
 * in anyOf") name no allowed value; `enum` errors list them.
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** The schema or JSON null, as `type: [T, 'null']` (the JSON Schema form ajv and OpenAPI 3.1 read), typed `Static<T> | null`. */
export function Nullable<T extends TSchema & { type: string }>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

/** `{ $ref: '<$id>#' }` to a schema registered with `app.addSchema`, typed as that schema. */
export function RefTo<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  if (!schema.$id) throw new Error('RefTo: the schema has no $id');
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` });
}
