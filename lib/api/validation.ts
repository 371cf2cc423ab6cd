/**
 * Request validation: two ajv instances with the same schemas. Path
 * parameters, query strings and headers arrive as text, so they are coerced
 * to the schema's types ("5" → 5, "true" → true). JSON bodies are not: a JSON
 * body already says what type each value has, and coercing it turned
 * `null` into 0 (which means "unlimited" for pacing) or false. A body value of
 * the wrong type, `null` included, is refused with 400 unless its schema
 * allows it.
 *
 * Route schemas are compiled on a route's first request, not at start: ajv
 * compiling every route's schemas was most of `dialer serve`'s time to /health
 * (README, "The `dialer` command"). test/integration/api/fuzz.test.ts and
 * openapi.test.ts call every operation, so a schema ajv refuses still fails
 * a test rather than a user's first request.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type HttpPart = 'body' | 'querystring' | 'params' | 'headers' | string;

function makeAjv(coerceTypes: false | 'array', externalSchemas: Record<string, unknown>): Ajv {
  // allErrors off: with it on, a crafted body makes validation do a lot of work for nothing (Fastify's own default).
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, addUsedSchema: false, strict: false });
  addFormats(ajv);
  for (const s of Object.values(externalSchemas)) ajv.addSchema(s as object);
  return ajv;
}

/**
 * A validator that compiles on its first call. Fastify reads `.errors` off the
 * function it was given when the call returns false, so they are copied there.
 */
function lazyValidator(compile: () => ValidateFunction): (data: unknown) => boolean {
  let compiled: ValidateFunction | undefined;
  const validate = (data: unknown): boolean => {
    compiled ??= compile();
    const ok = compiled(data) as boolean;
    validate.errors = compiled.errors;
    return ok;
  };
  validate.errors = undefined as ValidateFunction['errors'];
  return validate;
}

/** Fastify's `schemaController.compilersFactory.buildValidator`. */
export function buildValidator(externalSchemas: Record<string, unknown>) {
  // The two ajv instances (and their shared schemas) are made on the first compile, too.
  let strict: Ajv | undefined;
  let coercing: Ajv | undefined;
  return ({ schema, httpPart }: { schema: { $id?: string }; httpPart?: HttpPart }) =>
    lazyValidator(() => {
      const ajv = httpPart === 'body' ? (strict ??= makeAjv(false, externalSchemas)) : (coercing ??= makeAjv('array', externalSchemas));
      if (schema.$id) {
        const stored = ajv.getSchema(schema.$id);
        if (stored) return stored;
      }
      return ajv.compile(schema);
    });
}
