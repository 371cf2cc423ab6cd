/**
 * The validated configuration and the Redis connection, decorated as `app.config` and `app.redis` for
 * every other plugin and route. The connection is the caller's (app/services.ts opens it for the API, the
 * runner and the monitor together, and closes it after them; tests pass their own), so this plugin has
 * no onClose: closing it here would cut the runner's Redis from under it on an API close.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../../../config';

declare module 'fastify' {
  interface FastifyInstance {
    config: Readonly<Config>;
    redis: Redis;
  }
}

export interface ConfigOptions {
  config: Readonly<Config>;
  redis: Redis;
}

async function configPlugin(app: FastifyInstance, opts: ConfigOptions): Promise<void> {
  app.decorate('config', opts.config);
  app.decorate('redis', opts.redis);
}

export default fp(configPlugin, { name: 'config' });
