import { Type, type SchemaOptions, type TUnsafe } from '@sinclair/typebox';

/**
 * A string enum as plain JSON Schema (`{type:'string', enum:[…]}`), typed as the union of its values.
 * TypeBox's own `Type.Union(Type.Literal…)` would emit `anyOf`, whose ajv errors ("must match a schema
 * in anyOf") name no allowed value; `enum` errors list them.
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}
