import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifySchema, type FastifyServerOptions } from 'fastify';
import autoload from '@fastify/autoload';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config';
import sensible from './plugins/external/sensible';
import securityHeaders from './plugins/external/security-headers';
import authFailures from './plugins/external/auth-failures';
import configPlugin from './plugins/app/config';
import storePlugin from './plugins/app/store';
import agentDataPlugin from './plugins/app/agent-data';
import inboundDataPlugin from './plugins/app/inbound-data';
import authPlugin from './plugins/app/auth';
import monitor from './plugins/app/monitor';
import telephonyPlugin, { type TelephonyStart } from './plugins/app/telephony';
import runtimePlugin, { type DialerRuntime } from './plugins/app/runtime';
import messagingPlugin from './plugins/app/messaging';
import { buildValidator } from './validation';
import { buildSerializer } from './serialization';
import { MapOf, type RequestTypeProvider } from './typebox';
import { Type } from '@sinclair/typebox';

export { toErrorBody, validationDetails } from './plugins/external/sensible';

/**
 * Every route documents its success answer: a route (not hidden from the document) without a 2xx response
 * schema is refused when it is added, so the app does not start with one. Its handler's reply is typed from
 * that schema when it is TypeBox (lib/api/typebox.ts).
 */
export function missingSuccessSchema(route: { method: string | string[]; url: string; schema?: FastifySchema & { hide?: boolean } }) {
  if (route.schema?.hide) return undefined;
  const codes = Object.keys((route.schema?.response ?? {}) as object);
  if (codes.some((c) => /^2(\d\d|XX)$/.test(c))) return undefined;
  return `${String(route.method)} ${route.url} has no 2xx response schema (every route documents its success answer)`;
}

/** TypeBox marks its schemas with this symbol (`Kind`); a plain JSON Schema has none. */
const TYPEBOX_KIND = Symbol.for('TypeBox.Kind');

/**
 * Every documented route's answers are TypeBox schemas, so its handler's reply is typed from them
 * (lib/api/typebox.ts: a plain JSON Schema would type the reply as `unknown`, and `tsc` would check
 * nothing). A route with a plain response schema is refused when it is added, like one without a 2xx.
 */
export function untypedReply(route: { method: string | string[]; url: string; schema?: FastifySchema & { hide?: boolean } }) {
  if (route.schema?.hide) return undefined;
  const plain = Object.entries((route.schema?.response ?? {}) as Record<string, unknown>)
    .filter(([, s]) => !(typeof s === 'object' && s !== null && TYPEBOX_KIND in s))
    .map(([code]) => code);
  if (plain.length === 0) return undefined;
  return `${String(route.method)} ${route.url}: response ${plain.join(', ')} is plain JSON Schema; use TypeBox so the reply is typed (lib/api/typebox.ts)`;
}

/**
 * The route files, autoloaded from ./routes: every file there whose default export is a route
 * plugin (one per resource, its JSON Schemas beside it). Shared pieces that are not plugins
 * (`*.schema.ts`, `*-common.ts`) are left out by name; test/unit/house/structure.test.ts checks
 * that every other file there exports a plugin, so none is skipped silently.
 */
export const ROUTES_DIR = join(__dirname, 'routes');
export const NOT_ROUTE_FILES = /(\.schema|-common)\.(ts|js)$/;

export interface BuildOptions {
  config: Readonly<Config>;
  redis: Redis;
  logger?: Logger | false;
  /**
   * Telephony on: the telephony plugin starts the driver named by `telephony.driver`, the agent desk, the
   * runner, the supervisor and inbound calls, and stops them on `app.close()` (`dialer serve`).
   * Off (absent): an API-only build.
   */
  telephony?: TelephonyStart;
  /** Live dialer parts the caller started and will stop itself (tests sharing one driver): decorated as `app.dialer`. */
  runtime?: DialerRuntime;
}

/** How long one plugin may take to start (Fastify's `pluginTimeout`). */
export const PLUGIN_TIMEOUT_MS = 120_000;

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
    // avvio's default (10 s) is shorter than the telephony plugin's start on a loaded box (driver, runner,
    // desk: a fresh-clone run timed out at load 20 and left the driver's socket open); a plugin that has
    // not started in 2 minutes is stuck, and the error names it (AVV_ERR_PLUGIN_EXEC_TIMEOUT).
    pluginTimeout: PLUGIN_TIMEOUT_MS,
  };
  const app = Fastify({
    ...serverOpts,
    loggerInstance: opts.logger || undefined,
    logger: opts.logger === false ? false : undefined,
  } as FastifyServerOptions);
  try {
    await registerAll(app, opts);
  } catch (err) {
    // A plugin that failed after telephony or messaging started (a port in use, a bad route) must not leave
    // them running: close what did start (their onClose hooks), then report the failure.
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

/** The plugins and routes of `buildApp`, in order. */
async function registerAll(app: FastifyInstance, opts: BuildOptions): Promise<void> {
  // The configuration first (every plugin reads it), then plugins/external (the HTTP defaults), then
  // plugins/app (the services the routes use), then the autoloaded routes: fastify/demo's order.
  await app.register(configPlugin, { config: opts.config, redis: opts.redis });
  await app.register(sensible);
  await app.register(securityHeaders);
  await app.register(authFailures);

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
  app.addHook('onRoute', (route) => {
    const problem = missingSuccessSchema(route) ?? untypedReply(route);
    if (problem) throw new Error(problem);
  });

  // The app plugins (fastify-plugin, not encapsulated; those that own something close it in their onClose);
  // then the routes, which only read what they decorate. Telephony runs only when enabled (opts.telephony,
  // plugins/app/telephony.ts), messaging only when messaging.enabled (plugins/app/messaging.ts).
  // app.close() closes the HTTP server, then runs the onClose hooks in reverse order: messaging, runtime (unhooks
  // the supervisor's and inbound calls' events from the monitor), telephony (stop dialling, drain calls), the
  // monitor, the store; the caller closes Redis after it.
  await app.register(storePlugin);
  await app.register(agentDataPlugin);
  await app.register(inboundDataPlugin);
  await app.register(authPlugin);
  await app.register(monitor);
  await app.register(telephonyPlugin, { telephony: opts.telephony, runtime: opts.runtime });
  await app.register(runtimePlugin);
  await app.register(messagingPlugin);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // Typed from its response schema like the route files' (lib/api/typebox.ts).
  app.withTypeProvider<RequestTypeProvider>().get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness, Redis reachability and, beside a dialer, the telephony driver with each trunk registration',
        description:
          '`ok` is Redis only (a liveness probe must not restart the process because a carrier refuses a REGISTER); `telephony.trunks` shows each registering trunk: registered or not, the phase (registering, registered, backoff) and the last answer.',
        response: {
          200: Type.Object({
            ok: Type.Optional(Type.Boolean()),
            redis: Type.Optional(Type.String()),
            telephony: Type.Optional(
              Type.Object({
                driver: Type.Optional(Type.String()),
                ok: Type.Optional(Type.Boolean()),
                detail: Type.Optional(Type.String()),
                trunks: Type.Optional(
                  MapOf(
                    Type.Object({
                      registered: Type.Optional(Type.Boolean()),
                      phase: Type.Optional(Type.String()),
                      lastStatus: Type.Optional(Type.Integer()),
                    }),
                  ),
                ),
              }),
            ),
          }),
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
}
