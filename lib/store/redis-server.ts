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
  /** Where a port comes from when `port` is 0 (tests hand it a taken one). */
  pickPort?: () => Promise<number>;
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

/** Times a probed port may be lost to another process before we give up. */
const PORT_ATTEMPTS = 4;

/** redis-server's words when its listening socket's port is taken (checked against redis 7.0). */
export function portTaken(output: string): boolean {
  return /Could not create server TCP listening socket .*Address already in use/.test(output);
}

/**
 * Starts a `redis-server` bound to loopback with append-only persistence
 * (fsync every second), so a crashed dialer restarts with its queues intact.
 * Resolves once the server accepts connections.
 *
 * A port we probed free can be taken by another process before redis-server
 * binds it; then redis-server exits at start, and it is started again on a
 * fresh port (up to four times). A port the caller named is never changed.
 */
export async function startEmbeddedRedis(opts: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  const pick = opts.pickPort ?? freePort;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await pick());
    try {
      return await startOnce(opts, dir, port);
    } catch (err) {
      const retry = !opts.port && attempt < PORT_ATTEMPTS && err instanceof StartError && portTaken(err.output);
      if (!retry) throw err;
    }
  }
}

class StartError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

async function startOnce(opts: EmbeddedRedisOptions, dir: string, port: number): Promise<EmbeddedRedis> {
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
    child.once('exit', (code) =>
      rej(new StartError(`redis-server exited with code ${code} before it was ready:\n${output.slice(-2000)}`, output)),
    );
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
