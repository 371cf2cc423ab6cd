import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import autoload from '@fastify/autoload';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config';
import authPlugin from './plugins/auth';
import messagingPlugin from './plugins/messaging';
import { storePlugin } from './plugins/store';
import { agentDataPlugin } from './plugins/agent-data';
import { inboundDataPlugin } from './plugins/inbound-data';
import runtimePlugin, { type DialerRuntime } from './plugins/runtime';
import { monitor } from '../monitor/plugin';
import { ApiError, errorSchema } from './errors';
import { buildValidator } from './validation';
import { toApiError } from './store-errors';
import { buildSerializer } from './serialization';

/**
 * The route files, autoloaded from ./routes: every file there whose default export is a route
 * plugin (one per resource, its JSON Schemas beside it). Shared pieces that are not plugins
 * (`*.schema.ts`, `*-common.ts`) are left out by name; test/unit/house/structure.test.ts checks
 * that every other file there exports a plugin, so none is skipped silently.
 */
export const ROUTES_DIR = join(__dirname, 'routes');
export const NOT_ROUTE_FILES = /(\.schema|-common)\.(ts|js)$/;

declare module 'fastify' {
  interface FastifyInstance {
    config: Readonly<Config>;
    redis: Redis;
  }
}

export interface BuildOptions {
  config: Readonly<Config>;
  redis: Redis;
  logger?: Logger | false;
  /** The live dialer parts when they run in this process (app/services.ts): decorated as `app.dialer`. */
  runtime?: DialerRuntime;
}

/**
 * Builds the API as a Fastify instance without listening. Route plugins come
 * from `./routes`; their JSON Schemas validate requests and produce /openapi.json.
 */
export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const serverOpts: FastifyServerOptions = {
    bodyLimit: opts.config.api.bodyLimitBytes,
    // Bodies are validated without type coercion, query strings and parameters with it (validation.ts).
    // (Fastify's type for the factory is its ajv-compiler's; the runtime contract is ({schema, httpPart}) → validate.)
    // Both compile a route's schemas on its first use, not at start (validation.ts, serialization.ts).
    schemaController: { compilersFactory: { buildValidator: buildValidator as never, buildSerializer } },
  };
  const app = Fastify({
    ...serverOpts,
    loggerInstance: opts.logger || undefined,
    logger: opts.logger === false ? false : undefined,
  } as FastifyServerOptions);
  app.decorate('config', opts.config);
  app.decorate('redis', opts.redis);
  app.addSchema(errorSchema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Outbound dialer control API',
        version: '0.1.0',
        description:
          'Campaigns, contact lists, do-not-call, agents and live calls. Authenticate with `Authorization: Bearer <key>`; browsers sign in once with POST /auth/session and then send the session cookie. Keys are never accepted in URLs.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'dialer_session' } },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // The app plugins (fastify-plugin, not encapsulated), each with its onClose; then the routes, which only read them.
  await app.register(storePlugin);
  await app.register(agentDataPlugin);
  await app.register(inboundDataPlugin);
  await app.register(authPlugin);
  await app.register(monitor);
  await app.register(runtimePlugin, { runtime: opts.runtime });
  await app.register(messagingPlugin);
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

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness, Redis reachability and, beside a dialer, the telephony driver with each trunk registration',
        description:
          '`ok` is Redis only (a liveness probe must not restart the process because a carrier refuses a REGISTER); `telephony.trunks` shows each registering trunk: registered or not, the phase (registering, registered, backoff) and the last answer.',
        response: {
          200: {
            type: 'object',
            properties: {
              ok: { type: 'boolean' },
              redis: { type: 'string' },
              telephony: {
                type: 'object',
                properties: {
                  driver: { type: 'string' },
                  ok: { type: 'boolean' },
                  detail: { type: 'string' },
                  trunks: {
                    type: 'object',
                    additionalProperties: {
                      type: 'object',
                      properties: { registered: { type: 'boolean' }, phase: { type: 'string' }, lastStatus: { type: 'integer' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    async () => {
      const pong = await opts.redis.ping().catch((e: Error) => `error: ${e.message}`);
      const driver = app.dialer?.driver;
      if (!driver) return { ok: pong === 'PONG', redis: pong };
      const h = driver.health();
      const telephony = { driver: driver.name, ok: h.ok, detail: h.detail, ...(h.registrations ? { trunks: h.registrations } : {}) };
      return { ok: pong === 'PONG', redis: pong, telephony };
    },
  );

  // From the TypeScript sources (tsx, tap) the route files are .ts: the running loader compiles them,
  // which @fastify/autoload cannot detect under every loader (tap's), so it is told (its documented switch).
  if (__filename.endsWith('.ts')) process.env.FASTIFY_AUTOLOAD_TYPESCRIPT ??= '1';
  // They read what the app plugins above decorate (app.store, app.monitor, app.dialer, app.messaging), so their order does not matter.
  await app.register(autoload, { dir: ROUTES_DIR, ignoreFilter: NOT_ROUTE_FILES });
  return app;
}

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
