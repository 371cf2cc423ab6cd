/**
 * Request validation: two ajv instances with the same schemas. Path
 * parameters, query strings and headers arrive as text, so they are coerced
 * to the schema's types ("5" → 5, "true" → true). JSON bodies are not: a JSON
 * body already says what type each value has, and coercing it turned
 * `null` into 0 (which means "unlimited" for pacing) or false. A body value of
 * the wrong type, `null` included, is refused with 400 unless its schema
 * allows it.
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

/** Fastify's `schemaController.compilersFactory.buildValidator`. */
export function buildValidator(externalSchemas: Record<string, unknown>) {
  const strict = makeAjv(false, externalSchemas);
  const coercing = makeAjv('array', externalSchemas);
  return ({ schema, httpPart }: { schema: { $id?: string }; httpPart?: HttpPart }): ValidateFunction => {
    const ajv = httpPart === 'body' ? strict : coercing;
    if (schema.$id) {
      const stored = ajv.getSchema(schema.$id);
      if (stored) return stored;
    }
    return ajv.compile(schema);
  };
}
