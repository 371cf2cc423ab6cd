import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../lib/config';

export interface ServiceDeps {
  config: Readonly<Config>;
  redis: Redis;
  log: Logger;
}

export interface Services {
  /** Registers runtime-backed routes/decorators on the API. */
  extendApi?: (app: FastifyInstance) => Promise<void> | void;
  stop(): Promise<void>;
}

/**
 * Starts the long-running parts beside the API (telephony driver, campaign
 * runner). The runtime issue fills this in; until then only the API runs.
 */
export async function startServices(_deps: ServiceDeps): Promise<Services> {
  return { stop: async () => undefined };
}
