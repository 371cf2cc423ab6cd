import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const LUA_DIR = join(__dirname, 'lua');

/**
 * Every `lib/store/lua/<name>.lua` becomes an ioredis command `<name>`
 * (camelCase of the file name). The first line must declare how many of the
 * arguments are keys: `--! keys=N`. Type each command by module augmentation
 * of ioredis' `RedisCommander` beside the code that uses it.
 */
export function defineScripts(redis: Redis, dir = LUA_DIR): string[] {
  const names: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.lua'))
    .sort()) {
    const lua = readFileSync(join(dir, file), 'utf8');
    const m = /^--!\s*keys=(\d+)/.exec(lua);
    if (!m) throw new Error(`${file}: first line must be "--! keys=N"`);
    const name = file.replace(/\.lua$/, '').replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
    redis.defineCommand(name, { numberOfKeys: Number(m[1]), lua });
    names.push(name);
  }
  return names;
}

export interface RedisClientOptions {
  url: string;
  keyPrefix?: string;
  /** Name shown in CLIENT LIST, useful when several dialers share a Redis. */
  connectionName?: string;
}

/** An ioredis client with the project's Lua scripts registered. */
export function createRedis(opts: RedisClientOptions): Redis {
  const redis = new Redis(opts.url, {
    keyPrefix: opts.keyPrefix ?? 'dialer:',
    connectionName: opts.connectionName ?? 'dialer',
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
  defineScripts(redis);
  return redis;
}
