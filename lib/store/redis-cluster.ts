/**
 * A real Redis Cluster on loopback for tests and benchmarks: N masters with
 * one replica each (`redis-server --cluster-enabled yes`, joined by
 * `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes`).
 * Failure tools: kill a node, or fail a master over to its replica.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis-server';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  pid: number;
  proc: ChildProcess;
}

export interface RedisClusterHandle {
  /** Seed nodes, "127.0.0.1:port" (the `redis.cluster` config value). */
  seeds: string[];
  nodes: ClusterNode[];
  /** redis-cli against one node; returns stdout. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** Port of the master serving a key's slot (key given without the client's prefix applied). */
  masterOf(key: string): Promise<number>;
  /** Graceful failover: the master's replica takes over (CLUSTER FAILOVER on the replica). Returns the new master's port. */
  failover(masterPort: number): Promise<number>;
  /** SIGKILLs one node. */
  kill(port: number): void;
  /** Resolves when every live node reports cluster_state:ok (each node's own view; their views of the masters are not compared). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  dataDir: string;
  masters?: number;
  binary?: string;
  cli?: string;
  /** How long a silent master is given before its replica is promoted. */
  nodeTimeoutMs?: number;
}

async function startNode(binary: string, dir: string, nodeTimeoutMs: number): Promise<ClusterNode> {
  const port = await freePort();
  const bus = await freePort();
  const nodeDir = join(dir, String(port));
  mkdirSync(nodeDir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--cluster-port',
    String(bus),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    join(nodeDir, 'nodes.conf'),
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    '--dir',
    nodeDir,
    '--appendonly',
    'no',
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`redis-server :${port} not ready:\n${out.slice(-1000)}`)), 15000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        res();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('error', (err) => rej(new Error(`cannot start ${binary} (run scripts/setup.sh): ${err.message}`)));
    proc.once('exit', (code) => rej(new Error(`redis-server :${port} exited with ${code}:\n${out.slice(-1000)}`)));
  });
  proc.stdout!.resume();
  proc.stderr!.resume();
  return { port, pid: proc.pid!, proc };
}

/** Starts `masters` masters + as many replicas on free loopback ports and joins them. */
export async function startRedisCluster(o: ClusterOptions): Promise<RedisClusterHandle> {
  const binary = o.binary ?? 'redis-server';
  const cliBin = o.cli ?? 'redis-cli';
  const dir = resolve(o.dataDir);
  mkdirSync(dir, { recursive: true });
  const masters = o.masters ?? 3;
  const nodes: ClusterNode[] = [];
  const stop = async () => {
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise<void>((res) => {
            if (n.proc.exitCode !== null || n.proc.signalCode !== null) return res();
            n.proc.once('exit', () => res());
            n.proc.kill('SIGKILL');
          }),
      ),
    );
  };
  try {
    for (let i = 0; i < masters * 2; i++) nodes.push(await startNode(binary, dir, o.nodeTimeoutMs ?? 2000));
    const cli = async (port: number, ...args: string[]) =>
      (await run(cliBin, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 30000 })).stdout;
    await run(cliBin, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 60000,
    });
    const live = () => nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
    const handle: RedisClusterHandle = {
      seeds: nodes.map((n) => `127.0.0.1:${n.port}`),
      nodes,
      cli,
      async masterOf(key) {
        const slot = Number((await cli(live()[0]!.port, 'CLUSTER', 'KEYSLOT', key)).trim());
        for (const line of (await cli(live()[0]!.port, 'CLUSTER', 'NODES')).trim().split('\n')) {
          // <id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges…>
          const f = line.split(' ');
          if (!f[2]?.includes('master') || f[2].includes('fail')) continue;
          for (const range of f.slice(8)) {
            const [from, to] = range.split('-').map(Number);
            if (slot >= from! && slot <= (to ?? from)!) return Number(/:(\d+)@/.exec(f[1]!)![1]);
          }
        }
        throw new Error(`no master for slot ${slot}`);
      },
      async failover(masterPort) {
        const id = (await cli(masterPort, 'CLUSTER', 'MYID')).trim();
        const replicas = (await cli(masterPort, 'CLUSTER', 'REPLICAS', id)).trim();
        const m = /127\.0\.0\.1:(\d+)/.exec(replicas);
        if (!m) throw new Error(`master :${masterPort} has no replica`);
        const replica = Number(m[1]);
        await cli(replica, 'CLUSTER', 'FAILOVER');
        const end = Date.now() + 20000;
        while (Date.now() < end) {
          if ((await cli(replica, 'ROLE')).startsWith('master')) return replica;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`replica :${replica} did not take over from :${masterPort}`);
      },
      kill(port) {
        nodes.find((n) => n.port === port)?.proc.kill('SIGKILL');
      },
      async waitHealthy(timeoutMs = 30000) {
        const end = Date.now() + timeoutMs;
        for (;;) {
          let ok = true;
          for (const n of live()) {
            const info = await cli(n.port, 'CLUSTER', 'INFO').catch(() => '');
            if (!info.includes('cluster_state:ok')) ok = false;
          }
          if (ok) return;
          if (Date.now() > end) throw new Error('redis cluster not healthy in time');
          await new Promise((r) => setTimeout(r, 200));
        }
      },
      stop,
    };
    await handle.waitHealthy();
    return handle;
  } catch (err) {
    await stop();
    throw err;
  }
}
