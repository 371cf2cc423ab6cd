/**
 * The configuration's validators at run time: the ones generated ahead of time
 * (./generate.ts, `npm run build`) when they were generated from the schema as
 * it is now, else the schema compiled by ajv here (with a warning). A schema
 * edited without a rebuild (sources run through tsx) thus never validates
 * against the old one; `dist/` is always built with current files.
 */
import { createHash } from 'node:crypto';
import type { ErrorObject } from 'ajv';
import type { TSchema } from '@sinclair/typebox';

export type ConfigValidator = { (data: unknown): boolean; errors?: ErrorObject[] | null };

/** The options every configuration validator is compiled with (defaults filled in, first error only). */
export const CONFIG_AJV_OPTIONS = { useDefaults: true, allErrors: false, strict: false } as const;

/** What a generated validator was made from: SHA-256 of the schema's JSON (TypeBox's symbol keys are not part of it). */
export function schemaHash(schema: TSchema): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

/** `generated` when its hash is the schema's, else a validator compiled from the schema on its first call. */
export function validatorFor(name: string, schema: TSchema, generated: ConfigValidator & { schemaHash?: string }): ConfigValidator {
  if (generated.schemaHash === schemaHash(schema)) return generated;
  process.emitWarning(`lib/config/validators/${name}.js was generated from another schema: compiling it now (run npm run build)`, {
    code: 'DIALER_STALE_VALIDATOR',
  });
  let compiled: ConfigValidator | undefined;
  const validate: ConfigValidator = (data) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- ajv's compiler only for a stale file
    compiled ??= new (require('ajv') as typeof import('ajv')).default(CONFIG_AJV_OPTIONS).compile(schema) as ConfigValidator;
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  };
  return validate;
}
