import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export interface EmbeddedRedisOptions {
  binary?: string;
  /** Folder for the append-only file; created if missing. */
  dataDir: string;
  /** 0 picks a free loopback port. */
  port?: number;
  /** Turn persistence off (tests that want a throwaway server). */
  persist?: boolean;
}

export interface EmbeddedRedis {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bind to 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/**
 * Starts a `redis-server` bound to loopback with append-only persistence
 * (fsync every second), so a crashed dialer restarts with its queues intact.
 * Resolves once the server accepts connections.
 */
export async function startEmbeddedRedis(opts: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const port = opts.port || (await freePort());
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  const persist = opts.persist ?? true;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    dir,
    '--appendonly',
    persist ? 'yes' : 'no',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  let child: ChildProcess;
  try {
    child = spawn(opts.binary ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`cannot start redis-server: ${(err as Error).message}`);
  }
  let output = '';
  const ready = new Promise<void>((res, rej) => {
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes('Ready to accept connections')) res();
      if (output.length > 65536) output = output.slice(-8192);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) =>
      rej(
        new Error(
          `cannot start ${opts.binary ?? 'redis-server'} (is the redis-server package installed? run scripts/setup.sh): ${err.message}`,
        ),
      ),
    );
    child.once('exit', (code) => rej(new Error(`redis-server exited with code ${code} before it was ready:\n${output.slice(-2000)}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
