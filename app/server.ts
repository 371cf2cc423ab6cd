/**
 * Entry point: API + dialer on one process. Embedded defaults: with no
 * `redis.url` it starts its own redis-server under `data/redis`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildApp } from '../lib/api/app';
import { hashKey, newApiKey } from '../lib/api/auth';
import { ConfigError, loadConfig, validateConfig, type Config } from '../lib/config';
import { createLogger } from '../lib/log';
import { startEmbeddedRedis, type EmbeddedRedis } from '../lib/store';
import { createStoreClient, topologyOf } from '../lib/store/topology';

const KEY_FILE = 'data/api-keys.json';

/**
 * With no keys configured the API is never open: the first start makes an
 * admin key, shows it once on stderr (not in the log) and keeps only its
 * SHA-256 in data/api-keys.json. A file from older versions holding the key in
 * clear is rewritten to the hash.
 */
function ensureKeys(cfg: Readonly<Config>): { cfg: Readonly<Config>; generated?: string } {
  if (cfg.api.keys.length > 0) return { cfg };
  let keyHash: string;
  let generated: string | undefined;
  const saved = existsSync(KEY_FILE) ? (JSON.parse(readFileSync(KEY_FILE, 'utf8')) as { admin?: string; adminHash?: string }) : {};
  if (saved.adminHash) keyHash = saved.adminHash;
  else if (saved.admin) keyHash = hashKey(saved.admin);
  else keyHash = hashKey((generated = newApiKey()));
  if (!saved.adminHash) {
    mkdirSync(dirname(KEY_FILE), { recursive: true });
    writeFileSync(KEY_FILE, JSON.stringify({ adminHash: keyHash }, null, 2) + '\n', { mode: 0o600 });
  }
  const copy = structuredClone(cfg) as Config;
  copy.api.keys = [{ keyHash, role: 'admin', name: 'generated' }];
  return { cfg: validateConfig(copy as unknown as Record<string, unknown>), generated };
}

/**
 * Runs the dialer until SIGINT/SIGTERM; resolves with the exit code once
 * everything has stopped (2 when the configuration is refused).
 */
export async function serve(): Promise<number> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`dialer: refusing to start: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const keyed = ensureKeys(config);
  config = keyed.cfg;
  const log = createLogger(config);

  let embedded: EmbeddedRedis | undefined;
  let url = config.redis.url;
  if (!url && topologyOf(config.redis) === 'single') {
    embedded = await startEmbeddedRedis({ binary: config.redis.binary, dataDir: config.redis.dataDir, port: config.redis.port });
    url = embedded.url;
    log.info({ url, dataDir: config.redis.dataDir }, 'started embedded redis-server');
  }
  const redis = createStoreClient({ ...config.redis, url, connectionName: `dialer-${config.dialer.runner.ownerId || process.pid}` });
  // Telephony on: the API's telephony plugin starts the driver, desk and runner, and stops them on app.close().
  const app = await buildApp({ config, redis, logger: log, telephony: {} });
  try {
    await app.listen({ host: config.api.host, port: config.api.port });
  } catch (err) {
    // The runner may already be dialling: stop it in order (hang up, close attempts) before the error ends the process.
    await app.close().catch(() => undefined);
    await redis.quit().catch(() => undefined);
    if (embedded) await embedded.stop();
    throw new Error(`api.host/api.port ${config.api.host}:${config.api.port}: cannot listen: ${(err as Error).message}`);
  }
  // api.port 0 takes any free port: the one bound is what the log gives (a test or supervisor reads it there).
  const bound = app.server.address();
  const port = bound && typeof bound === 'object' ? bound.port : config.api.port;
  const base = `http://${config.api.host}:${port}`;
  log.info({ port, docs: `${base}/docs`, openapi: `${base}/openapi.json` }, 'dialer API listening');
  if (keyed.generated) {
    // Shown once, on the terminal only; the log and data/ never hold it.
    process.stderr.write(
      `\nNo api.keys configured: made an admin key. It is shown only now, keep it:\n\n  ${keyed.generated}\n\nSign in at ${base}/dashboard with it; make more keys with POST /api-keys.\n\n`,
    );
    log.info({ keyFile: KEY_FILE }, 'no api.keys configured: generated an admin key (shown once on stderr; its hash is kept)');
  }

  let closing = false;
  let done!: (code: number) => void;
  const stopped = new Promise<number>((r) => (done = r));
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15000);
    force.unref();
    // The HTTP server closes, then the plugins in reverse order: messaging, runtime (unhooks the supervisor's and
    // inbound calls' events from the monitor), telephony (the runner stops claiming, hangs up and closes its
    // attempts, then the desk and driver go), the monitor; Redis last.
    let code = 0;
    await app.close().catch((e: Error) => {
      code = 1;
      log.error({ err: e }, 'api and dialer services close failed');
    });
    await redis.quit().catch(() => undefined);
    if (embedded) await embedded.stop();
    log.info({ code }, 'stopped');
    done(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  return stopped;
}

// `node dist/app/server.js` / `tsx app/server.ts` (same as `dialer serve`).
if (require.main === module) {
  serve().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`dialer: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
