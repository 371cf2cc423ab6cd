/**
 * Sentinel: a master, its replica and one sentinel on loopback (real
 * redis-server processes, the sentinel as `redis-server --sentinel`). The
 * store client configured with `redis.sentinels` keeps working through a
 * SIGKILL of the master: the sentinel promotes the replica, the client finds
 * it, and the dial queue's data written before the failure is there.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { freePort } from '../../../lib/store';
import { DialQueue } from '../../../lib/store/dial-queue';
import { createStoreClient } from '../../../lib/store/topology';

const run = promisify(execFile);

function start(args: string[]): Promise<ChildProcess> {
  const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`redis not ready: ${out.slice(-500)}`)), 15000);
    const on = (b: Buffer) => {
      out += b.toString();
      if (/Ready to accept connections|Sentinel ID is/.test(out)) {
        clearTimeout(timer);
        p.stdout!.resume();
        p.stderr!.resume();
        res(p);
      }
    };
    p.stdout!.on('data', on);
    p.stderr!.on('data', on);
    p.once('exit', (c) => rej(new Error(`redis exited ${c}: ${out.slice(-500)}`)));
  });
}

t.test('the store follows a Sentinel failover after the master is killed', { timeout: 60000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-sentinel-'));
  const procs: ChildProcess[] = [];
  t.teardown(() => {
    procs.forEach((p) => p.kill('SIGKILL'));
    rmSync(dir, { recursive: true, force: true });
  });
  const [mp, rp, sp] = [await freePort(), await freePort(), await freePort()];
  const base = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const master = await start(['--port', String(mp), ...base]);
  procs.push(master);
  procs.push(await start(['--port', String(rp), '--replicaof', '127.0.0.1', String(mp), ...base]));
  const cli = async (port: number, ...args: string[]) => (await run('redis-cli', ['-p', String(port), ...args])).stdout;
  const until = async (what: string, ok: () => Promise<boolean>) => {
    const end = Date.now() + 20000;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await until('the replica to sync', async () => (await cli(mp, 'INFO', 'replication')).includes('state=online'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${sp}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${mp} 1`,
      'sentinel down-after-milliseconds mymaster 1000',
      'sentinel failover-timeout mymaster 5000',
    ].join('\n'),
  );
  procs.push(await start([conf, '--sentinel']));
  await until('the sentinel to know the replica', async () => (await cli(sp, 'SENTINEL', 'REPLICAS', 'mymaster')).includes(String(rp)));

  const redis = createStoreClient({ sentinels: [`127.0.0.1:${sp}`], masterName: 'mymaster', keyPrefix: 'st:' });
  t.teardown(() => redis.disconnect());
  const q = new DialQueue(redis, 'sc');
  await q.enqueue(
    'L',
    Array.from({ length: 20 }, (_, i) => ({
      contactId: `k${i}`,
      phone: `+81310000${String(i).padStart(3, '0')}`,
      phoneType: 'landline',
      timeZone: '',
      score: i,
    })),
  );
  const first = await q.claim({ now: Date.now(), n: 5, leaseMs: 60000, owner: 'A', lists: ['L'], filters: { maxAttempts: 2 } });
  t.equal(first.length, 5);
  t.equal(await redis.wait(1, 2000), 1, 'the replica has it');

  master.kill('SIGKILL');
  const killed = Date.now();
  // Commands issued during the failover wait for the new master.
  const second = await q.claim({ now: Date.now(), n: 5, leaseMs: 60000, owner: 'A', lists: ['L'], filters: { maxAttempts: 2 } });
  t.equal(second.length, 5, `claims continue on the promoted replica (${Date.now() - killed} ms after the kill)`);
  t.same(new Set([...first, ...second].map((c) => c.ref)).size, 10, 'no contact claimed twice across the failover');
  t.equal(await q.inflightCount(), 10, 'claims made before the failure survived it');
  t.match(String(await redis.call('ROLE')), /^master/);
});
