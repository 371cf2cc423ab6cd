import type { Static } from '@sinclair/typebox';
import type { configSchema } from './schema';

/**
 * The validated, frozen configuration: derived from `configSchema` (TypeBox), so the schema is the one
 * source of truth. Every key with a default is present after `loadConfig`; keys without one are optional.
 * test/types/config.types.ts shows that a schema change changes this type.
 */
export type Config = Static<typeof configSchema>;

export type ApiKeyConfig = Config['api']['keys'][number];
export type Role = ApiKeyConfig['role'];

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };
