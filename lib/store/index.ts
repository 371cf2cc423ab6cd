export { createRedis, defineScripts } from './client';
export { startEmbeddedRedis, freePort, type EmbeddedRedis } from './redis-server';
export { keys, campaignTag } from './keys';

import type { Result } from 'ioredis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    pingTagged(key: string): Result<[number, string], Context>;
  }
}
