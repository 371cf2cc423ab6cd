/**
 * Telephony as the app's plugin: the telephony driver (`telephony.driver`), the agent desk, the campaign
 * runner, the supervisor and inbound calls (lib/dialer/services.ts), decorated as `app.dialer` for the desk,
 * supervisor and inbound routes and the monitor.
 *
 * It starts them only when enabled: `buildApp({ telephony: {} })`, as `dialer serve` does (a process that
 * dials); an API-only build (tools, most tests) has no `app.dialer` and offers no live routes. It stops them
 * in its onClose, which runs after the HTTP server has closed and, being registered after the store and the
 * monitor, before their hooks: the runner stops claiming, hangs up and closes its attempts (drain), then the
 * desk and the driver go. The Redis connection is the caller's and is closed after `app.close()`.
 *
 * A caller that started the parts itself (tests: one driver shared by several builds) passes
 * `runtime` instead; they are decorated as they are and stay the caller's to stop.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { TelephonyDriver } from '../../../telephony/contract';
import type { DialerRuntime } from '../../../dialer/services';

declare module 'fastify' {
  interface FastifyInstance {
    /** The live dialer parts, when this process dials (or the caller gave them). */
    dialer?: DialerRuntime;
  }
}

/** Enables telephony in this build; `driver` replaces the one `telephony.driver` names (tests). */
export interface TelephonyStart {
  driver?: TelephonyDriver;
}

export interface TelephonyOptions {
  telephony?: TelephonyStart;
  runtime?: DialerRuntime;
}

async function telephonyPlugin(app: FastifyInstance, opts: TelephonyOptions): Promise<void> {
  if (opts.runtime && opts.telephony)
    throw new Error('buildApp: give either telephony (start it here) or runtime (started by the caller), not both');
  if (opts.runtime) {
    app.decorate('dialer', opts.runtime);
    return;
  }
  if (!opts.telephony) return;
  // Loaded only when enabled: the drivers, the runner and the desk are not part of an API-only start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startServices } = require('../../../dialer/services') as typeof import('../../../dialer/services');
  const log = app.log as unknown as Logger;
  const starting = startServices({ config: app.config, redis: app.redis, log }, { driver: opts.telephony.driver });
  // Hooked before the start is awaited: an app closed while it is still starting (buildApp failed, avvio's
  // pluginTimeout) stops it once started; a start that failed has stopped what it started itself.
  app.addHook('onClose', async () => {
    const services = await starting.catch(() => undefined);
    await services?.stop();
  });
  const services = await starting;
  app.decorate('dialer', services.runtime);
}

export default fp(telephonyPlugin, { name: 'telephony', decorators: { fastify: ['config', 'redis'] } });
