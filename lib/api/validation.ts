/**
 * Request validation, without ajv's type coercion anywhere. JSON bodies are
 * taken as they are: a JSON body already says what type each value has, and
 * coercing it turned `null` into 0 (which means "unlimited" for pacing) or
 * false; a body value of the wrong type, `null` included, is refused with 400
 * unless its schema allows it. Path parameters, query strings and headers
 * arrive as text and are converted here by strict rules (`strictText`):
 * ajv's own coercion read " 5" as 5, "1e3" as 1000, "0x10" as 16,
 * "Infinity" as null and 99999999999999999999999 as 1e23. Text that is not
 * exactly a number/boolean of the schema's type stays text, so the request
 * gets 400 naming the parameter ("querystring.limit must be integer").
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

function makeAjv(coerceTypes: false, externalSchemas: Record<string, unknown>): Ajv {
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
export function lazyValidator(compile: () => ValidateFunction): (data: unknown) => boolean {
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

interface PropSchema {
  type?: string | string[];
  items?: PropSchema;
  anyOf?: PropSchema[];
  oneOf?: PropSchema[];
  const?: unknown;
  enum?: unknown[];
}
const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** One text value read as the schema's type, or left as it is (then validation names it). */
export function strictText(text: string, types: readonly string[]): unknown {
  for (const type of types) {
    if (type === 'string') return text;
    if (type === 'integer' && INTEGER.test(text)) {
      const n = Number(text);
      if (Number.isSafeInteger(n)) return n;
    }
    if (type === 'number' && NUMBER.test(text) && text.length <= 32) return Number(text);
    if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  }
  return text;
}

/** The JSON types a property may take (its type, its anyOf/oneOf branches', or its const/enum values'). */
function typesOf(p: PropSchema | undefined): string[] {
  if (!p) return [];
  if (p.type !== undefined) return Array.isArray(p.type) ? p.type : [p.type];
  const branches = p.anyOf ?? p.oneOf;
  if (branches) return [...new Set(branches.flatMap(typesOf))];
  const values = p.const !== undefined ? [p.const] : (p.enum ?? []);
  return [...new Set(values.map((x) => (typeof x === 'number' ? 'number' : typeof x)))];
}

/** Converts the text values of one request part (query, params, headers) in place by its schema's properties. */
function convertPart(data: unknown, schema: { properties?: Record<string, PropSchema> }): void {
  if (!data || typeof data !== 'object' || !schema.properties) return;
  const o = data as Record<string, unknown>;
  for (const [name, prop] of Object.entries(schema.properties)) {
    const v = o[name];
    const types = typesOf(prop);
    if (v === undefined || types.length === 0) continue;
    if (types.includes('array')) {
      // ?tag=a&tag=b arrives as an array, ?tag=a as text: both are a list.
      const items = Array.isArray(v) ? v : [v];
      const itemTypes = typesOf(prop.items);
      o[name] = itemTypes.length ? items.map((x) => (typeof x === 'string' ? strictText(x, itemTypes) : x)) : items;
    } else if (typeof v === 'string') {
      o[name] = strictText(v, types);
    }
  }
}

/** Fastify's `schemaController.compilersFactory.buildValidator`. */
export function buildValidator(externalSchemas: Record<string, unknown>) {
  // The ajv instance (and its shared schemas) is made on the first compile, too.
  let ajv: Ajv | undefined;
  return ({ schema, httpPart }: { schema: { $id?: string; properties?: Record<string, PropSchema> }; httpPart?: HttpPart }) =>
    lazyValidator(() => {
      ajv ??= makeAjv(false, externalSchemas);
      const inner = (schema.$id && ajv.getSchema(schema.$id)) || ajv.compile(schema);
      if (httpPart === 'body') return inner;
      const v = ((data: unknown) => {
        convertPart(data, schema);
        const ok = inner(data);
        v.errors = inner.errors;
        return ok;
      }) as ValidateFunction;
      return v;
    });
}
