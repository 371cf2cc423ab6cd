/**
 * starvedMs (test/helpers/starved.ts) reads how long a process waited for a
 * CPU, which the live harness leaves out of its start-up bounds: real busy
 * processes crowded onto one CPU read most of their life as waiting (never
 * more), and a process that has gone reads 0.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { runQueueNs, starvedMs } from '../../helpers/starved';
import { sleep } from '../../helpers/wait';

t.test('one schedstat line: the second field, the run-queue delay', async (t) => {
  t.equal(runQueueNs('5900251 550152816 7\n'), 550152816);
  t.equal(runQueueNs(''), 0, 'unreadable: 0');
});

t.test('four busy processes on one CPU: each waited for it most of the time, never more than it lived', async (t) => {
  const started = Date.now();
  const busy = Array.from({ length: 4 }, () => spawn('taskset', ['-c', '0', 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' }));
  t.teardown(() => busy.forEach((p) => p.kill('SIGKILL')));
  await sleep(2000);
  const lived = Date.now() - started;
  for (const p of busy) {
    const starved = starvedMs(p.pid);
    // Each gets at most a quarter of CPU 0 (less beside other work), so it waits at least three quarters of its life
    // less its start; half is the bound asserted. The CPU time (the first field) would be at most a quarter.
    t.ok(starved >= lived / 2, `${Math.round(starved)} ms of ${lived} ms waiting`);
    t.ok(starved <= lived, 'no more than it lived');
  }
  busy.forEach((p) => p.kill('SIGKILL'));
  await Promise.all(busy.map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(0) : p.once('exit', r)))));
  t.equal(starvedMs(busy[0]!.pid), 0, 'gone: 0');
  t.equal(starvedMs(undefined), 0, 'never started: 0');
});
