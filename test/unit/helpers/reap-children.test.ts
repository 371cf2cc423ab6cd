/**
 * A test process leaves no child behind (test/helpers/reap-children.ts, loaded by `.taprc`): SIGTERM or SIGINT
 * to it, or its exit, kills what it started, grandchildren too, and it still dies of the signal. Without the
 * helper the same child outlives its parent, the fault round 21 found (a SIGTERMed e2e test left its
 * redis-server and SIPp processes running under init).
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { descendants, parseChildren } from '../../helpers/reap-children';
import { until } from '../../helpers/wait';

const ROOT = join(__dirname, '..', '..', '..');

/** Running: /proc has it and it is not a zombie (an orphan's zombie waits for init to reap it). */
function running(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

interface Child {
  proc: ChildProcess;
  /** The pids the script printed (its own children), once it has printed them. */
  pids: Promise<number[]>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node -e script`, with the reaper loaded as `.taprc` loads it when `reap`. The script prints one JSON line
 * of pids, then stays alive (or exits, if it says so).
 */
function run(t: { teardown(fn: () => unknown): void }, script: string, reap: boolean): Child {
  const args = reap ? ['--import=tsx', '--import=./test/helpers/reap-children.ts'] : ['--import=tsx'];
  const proc = spawn(process.execPath, [...args, '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const pids = new Promise<number[]>((res, rej) => {
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('PIDS '));
      if (line) res(JSON.parse(line.slice(5)) as number[]);
    });
    proc.once('exit', () => rej(new Error(`script exited before printing its pids: ${err.slice(-2000)}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    proc.once('exit', (code, signal) => res({ code, signal })),
  );
  t.teardown(async () => {
    // Whatever the outcome, nothing of this test outlives it.
    for (const pid of await pids.catch(() => [])) if (running(pid)) process.kill(pid, 'SIGKILL');
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return { proc, pids, exited };
}

/** A child `sleep` and a grandchild `sleep` (under sh), both plain processes as lib/ spawns its servers. */
const SLEEPERS = `
  const { spawn } = require('node:child_process');
  const a = spawn('sleep', ['300'], { stdio: 'ignore' });
  const sh = spawn('sh', ['-c', 'sleep 300 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
  sh.stdout.once('data', (b) => {
    console.log('PIDS ' + JSON.stringify([a.pid, sh.pid, Number(String(b).trim())]));
    if (process.env.EXIT_AFTER) process.exit(0);
  });
  setInterval(() => {}, 1000);
`;

t.test('descendants: breadth first, children before theirs, a repeated pid read once', async (t) => {
  const tree: Record<number, number[]> = { 1: [2, 3], 2: [4], 3: [5, 1], 4: [], 5: [2] };
  t.same(
    descendants(1, (p) => tree[p] ?? []),
    [2, 3, 4, 5],
  );
  t.same(
    descendants(9, () => []),
    [],
    'a leaf has none',
  );
  t.same(parseChildren('123 456 \n'), [123, 456], 'a children file');
  t.same(parseChildren(''), [], 'an empty one');
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal}: the child and the grandchild die with the test process, which dies of the signal`, async (t) => {
    const c = run(t, SLEEPERS, true);
    const pids = await c.pids;
    t.equal(pids.length, 3, 'three processes started');
    t.ok(pids.every(running), 'all running before the signal');
    c.proc.kill(signal);
    t.same(await c.exited, { code: null, signal }, `died of ${signal}`);
    await until(() => !pids.some(running), 'every child gone', 5000);
    t.same(pids.filter(running), [], 'none left running');
  });
}

t.test('exit: a child still running when the process exits is killed', async (t) => {
  const c = run(t, `process.env.EXIT_AFTER = '1'; ${SLEEPERS}`, true);
  const pids = await c.pids;
  t.same(await c.exited, { code: 0, signal: null }, 'exited normally');
  await until(() => !pids.some(running), 'every child gone', 5000);
  t.same(pids.filter(running), [], 'none left running');
});

t.test('under tap, with a real redis-server from the harness: SIGTERM stops it too', async (t) => {
  // The e2e case: tap's root (signal-exit) is loaded and the server comes from test/helpers/redis.ts.
  const script = `
    const t = require('tap');
    const { startTestRedis } = require('./test/helpers/redis');
    t.test('holds a redis-server', async (t) => {
      const { server } = await startTestRedis(t);
      console.log('PIDS ' + JSON.stringify([server.pid]));
      await new Promise(() => {});
    });
  `;
  const c = run(t, script, true);
  const pids = await c.pids;
  t.ok(running(pids[0]!), 'redis-server running');
  c.proc.kill('SIGTERM');
  t.same((await c.exited).signal, 'SIGTERM', 'died of SIGTERM');
  await until(() => !running(pids[0]!), 'redis-server gone', 5000);
  t.notOk(running(pids[0]!), 'redis-server not left behind');
});

t.test('without the helper the child outlives its parent (what the helper is for)', async (t) => {
  const c = run(t, SLEEPERS, false);
  const pids = await c.pids;
  c.proc.kill('SIGTERM');
  t.same(await c.exited, { code: null, signal: 'SIGTERM' }, 'died of SIGTERM');
  t.ok(running(pids[0]!), 'its sleep is still running, now an orphan (the teardown kills it)');
});

t.test('every test process has it: .taprc loads it before the test file', async (t) => {
  t.ok(
    process.listeners('SIGTERM').some((f) => f.name === 'onSignal'),
    'this process listens for SIGTERM with the reaper',
  );
});
