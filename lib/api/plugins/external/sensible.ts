/**
 * Sensible defaults (the part of fastify/demo's `external` plugins this API needs): one error shape for
 * every failure, the error catalogue's `Error` schema for the routes to reference, and a 404 in that shape
 * for a route that does not exist. A fastify-plugin, so the handlers apply to the whole app.
 * Owns nothing to close.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ApiError, errorSchema } from '../../errors';
import { toApiError } from '../../store-errors';

async function sensiblePlugin(app: FastifyInstance): Promise<void> {
  app.addSchema(errorSchema);
  app.setErrorHandler((err, req, reply) => {
    const body = toErrorBody(toApiError(err) as FastifyLikeError);
    if (body.statusCode >= 500) req.log.error({ err }, 'request failed');
    void reply.status(body.statusCode).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .status(404)
      .send({ statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
}

export default fp(sensiblePlugin, { name: 'sensible' });

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

interface FastifyLikeError extends Error {
  statusCode?: number;
  code?: string;
  validation?: { instancePath: string; keyword?: string; message?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
}

const REQUEST_PART = /^(body|querystring|params|headers)(\.[^\s:"]+)?/;

/**
 * The one `details` shape of every 400 VALIDATION_FAILED, whether ajv (schema) or a route's own check
 * (strict query/path readers, domain rules) found it: `{ errors: [{ field, message, … }], … }`, `field`
 * naming the request part and key (`body.dueAt`, `querystring.limit`). A check's own details stay beside.
 */
export function validationDetails(message: string, details: unknown): { errors: { field: string; message: string }[] } {
  const own = details && typeof details === 'object' && !Array.isArray(details) ? (details as Record<string, unknown>) : {};
  const fallback = REQUEST_PART.exec(message)?.[0] ?? (typeof own.field === 'string' ? own.field : 'body');
  const list = Array.isArray(own.errors) ? (own.errors as unknown[]) : [];
  const errors = list.length
    ? list.map((item) => {
        if (typeof item !== 'object' || item === null) {
          const text = String(item);
          return { field: REQUEST_PART.exec(text)?.[0] ?? fallback, message: text };
        }
        const e = item as Record<string, unknown>;
        return {
          ...e,
          field: typeof e.field === 'string' ? inPart(e.field) : typeof e.column === 'string' ? `body.${e.column}` : fallback,
          message: typeof e.message === 'string' ? e.message : typeof e.reason === 'string' ? e.reason : message,
        };
      })
    : [{ field: typeof own.field === 'string' ? inPart(own.field) : fallback, message }];
  return { ...own, errors };
}

/** A field a store check named without its request part (`phone`, `template`): those checks read JSON bodies. */
const inPart = (field: string) => (REQUEST_PART.test(field) ? field : `body.${field}`);

/** Maps any thrown error to the catalogue's JSON shape. */
export function toErrorBody(err: FastifyLikeError): {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  details?: unknown;
} {
  if (err instanceof ApiError) {
    const details = err.code === 'VALIDATION_FAILED' ? validationDetails(err.message, err.details) : err.details;
    return {
      statusCode: err.statusCode,
      code: err.code,
      error: REASONS[err.statusCode] ?? 'Error',
      message: err.message,
      ...(details !== undefined ? { details } : {}),
    };
  }
  if (err.validation) {
    const v = err.validation[0]!;
    const where = `${err.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}`;
    let msg = `${where} ${v.message ?? 'is invalid'}`;
    if (v.params && 'additionalProperty' in v.params) msg = `${where} has unknown property "${String(v.params.additionalProperty)}"`;
    if (v.params && 'allowedValues' in v.params) msg += `: ${(v.params.allowedValues as unknown[]).join(', ')}`;
    const errors = err.validation.map((e) => {
      const named = e.params?.additionalProperty ?? e.params?.missingProperty;
      const path = `${err.validationContext ?? 'body'}${e.instancePath.replace(/\//g, '.')}`;
      return {
        field: named === undefined ? path : `${path}.${String(named)}`,
        message: e.message ?? 'is invalid',
        keyword: e.keyword,
        params: e.params,
      };
    });
    return { statusCode: 400, code: 'VALIDATION_FAILED', error: 'Bad Request', message: msg, details: { errors } };
  }
  const status = err.statusCode ?? 500;
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) {
    return { statusCode: 400, code: 'INVALID_JSON', error: 'Bad Request', message: `request body is not valid JSON: ${err.message}` };
  }
  if (status === 413) return { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', error: REASONS[413]!, message: err.message };
  if (status === 415) return { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', error: REASONS[415]!, message: err.message };
  if (status >= 400 && status < 500)
    return { statusCode: status, code: 'BAD_REQUEST', error: REASONS[status] ?? 'Bad Request', message: err.message };
  if (err.message?.includes('Connection is closed') || err.name === 'MaxRetriesPerRequestError') {
    return { statusCode: 503, code: 'STORE_UNAVAILABLE', error: REASONS[503]!, message: 'the Redis store is not reachable' };
  }
  return { statusCode: 500, code: 'INTERNAL', error: REASONS[500]!, message: 'internal error; see the server log' };
}
