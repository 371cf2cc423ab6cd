/**
 * `dialer serve` stops in order on SIGTERM: telephony runs in the API's telephony plugin
 * (lib/api/plugins/app/telephony.ts), so `app.close()` closes the HTTP server, then stops dialling (the
 * runner claims no more contacts), drains (the call in progress is hung up and its attempt closed), stops
 * the desk and the driver, and only then is Redis closed. A real server process (app/server.ts), a real
 * redis-server and the SIPp carrier simulator: a person (digit 0) answers an agentless campaign whose
 * message is far longer than the test, and the process is told to stop mid-call. And a server whose API
 * port is taken stops the dialer services it had started before it exits 1 with the key named.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DialQueue } from '../../../lib/store/dial-queue';
import { writeWav } from '../../../lib/media/audio-file';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { startTestRedis } from '../../helpers/redis';
import { workDir } from '../../helpers/work-dir';
import { makeList, numbersFor, runCampaign, runnerConfig } from '../../helpers/campaign-env';

const ROOT = resolve(__dirname, '../../..');
const ADMIN = 'stop-test-admin-key-00000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `cond` (polled every 100 ms) up to `ms`; false if it never held. */
async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(100);
  }
  return cond();
}

/**
 * `dialer serve` (app/server.ts) as a process of its own on `config` (written to dir/dialer.json): node itself
 * with tsx's loader, so a signal reaches the dialer and not a wrapper. Killed at teardown if still running.
 */
function startServer(t: Test, dir: string, config: object) {
  const cfgFile = join(dir, 'dialer.json');
  writeFileSync(cfgFile, JSON.stringify(config));
  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'app/server.ts')], {
    cwd: dir,
    env: { ...process.env, DIALER_CONFIG: cfgFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const logs = { out: '', err: '' };
  child.stdout.setEncoding('utf8').on('data', (s: string) => (logs.out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (logs.err += s));
  // 'close', not 'exit': Node emits 'exit' when the process has ended, possibly before the parent has read the last
  // of its stdout from the pipe ("stdio streams might still be open"). At load 38 (-j 6 e2e run) 'stopped', the last
  // line the server logs before it exits, was missing at 'exit' once; 'close' comes after stdout and stderr ended.
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return { child, exited, logs };
}

t.test('SIGTERM: stop dialling, hang up and close the call in progress, then Redis; exit 0', { timeout: 150000 }, async (t) => {
  const { redis, url } = await startTestRedis(t, 'stop:');
  const dir = workDir(t, 'dialer-stop-');
  const trace = join(dir, 'carrier.log');
  const carrier = await startSipp({
    scenario: 'carrier-simulator',
    calls: 1000,
    timeoutS: 300,
    args: ['-trace_msg', '-message_file', trace],
  });
  t.teardown(() => carrier.stop());
  // Ten minutes of message: the call lasts until the dialer hangs up.
  const message = join(dir, 'message.wav');
  writeWav(
    message,
    new Int16Array(8000 * 600).map((_, i) => Math.round(4000 * Math.sin((2 * Math.PI * 440 * i) / 8000))),
  );
  // Persons (digit 0), one call at a time: while the first is up, the other four wait in the queue.
  const numbers = numbersFor([0, 0, 0, 0, 0]);
  await makeList(redis, 'L', numbers);
  await runCampaign(redis, 'stop', 'L', { mode: 'agentless', agentless: { message }, maxConcurrentCalls: 1, maxAttempts: 1 });

  // Port 0: the server takes any free port and its log says which (no race with other test processes).
  const { child, exited, logs } = startServer(t, dir, {
    api: { host: '127.0.0.1', port: 0, keys: [{ key: ADMIN, role: 'admin' }] },
    redis: { url, keyPrefix: 'stop:' },
    log: { level: 'info' },
    messaging: { enabled: false },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'carrier', address: carrier.address, callsPerSecond: 100, maxChannels: 10 }],
    },
    dialer: { runner: runnerConfig({ ownerId: 'stop-dialer' }), prompts: { dir: join(dir, 'prompts') } },
  });

  const listening = () =>
    logs.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; port?: number })
      .find((l) => l.msg === 'dialer API listening');
  t.ok(await until(() => Boolean(listening()), 60000), 'the server logs where it listens');
  const apiPort = listening()!.port!;
  t.ok(apiPort > 0, `the port bound, not 0 (${apiPort})`);
  const health = async () => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/health`).catch(() => undefined);
    if (!res || res.status !== 200) return undefined;
    return (await res.json()) as { ok: boolean; telephony?: { driver: string } };
  };
  t.ok(await until(async () => (await health())?.ok === true, 60000), 'the server answers /health');
  t.equal((await health())?.telephony?.driver, 'embedded', 'with telephony started by its plugin');

  // The first call answered and ACKed: the carrier's trace has the ACK for its 200.
  const acked = () => /^ACK sip:/m.test(readFileSync(trace, 'utf8'));
  t.ok(await until(acked, 60000), 'a person answered and the call is up');
  const q = new DialQueue(redis, 'stop');
  t.equal((await q.history()).length, 0, 'no attempt closed yet (the message lasts ten minutes)');

  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 60000)))]);
  clearTimeout(timer);
  t.equal(code, 0, 'exits 0 after SIGTERM');
  if (code !== 0) t.comment(logs.err.slice(-2000));

  const lines = logs.out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string; level: number });
  const at = (msg: string) => lines.findIndex((l) => l.msg === msg);
  t.ok(at('dialer services started') >= 0, 'telephony started');
  t.ok(at('shutting down') > at('dialer services started'), 'shutdown began after');
  t.ok(at('dialer services stopped') > at('shutting down'), 'telephony stopped during app.close()');
  t.ok(at('stopped') > at('dialer services stopped'), 'and the process ended after it (Redis closed last)');
  t.same(
    lines.filter((l) => l.level >= 50).map((l) => l.msg),
    [],
    'nothing logged at error level while stopping (Redis was still open for the runner and the desk)',
  );

  // Drained: the call was hung up by the dialer and its attempt closed by it; nothing else dialled.
  const text = readFileSync(trace, 'utf8');
  const invites = text.split(/\r?\n/).filter((l) => l.startsWith('INVITE sip:'));
  t.equal(invites.length, 1, 'one INVITE: no contact was claimed after the stop');
  t.match(text, /^BYE sip:/m, 'the dialer sent BYE for the call in progress');
  const history = await q.history();
  t.equal(history.length, 1, "the call's attempt is closed");
  t.equal(history[0]?.fields.code, '13', "closed as interrupted (runner.interruptedCode), by this process, not a successor's reaper");
  t.notMatch(history[0]?.fields.data ?? '', /"interrupted":true/, 'not as a crash');
  const c = await q.counters();
  t.equal(c.remaining, 4, 'the four other contacts wait for the next start, none lost');
});

t.test('api.port taken: exits 1 naming the key, after stopping the dialer services it had started', { timeout: 120000 }, async (t) => {
  const { url } = await startTestRedis(t, 'busy:');
  const dir = workDir(t, 'dialer-busy-port-');
  // Something else holds the API port.
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => holder.close(() => r())));
  const apiPort = (holder.address() as AddressInfo).port;
  const { exited, logs } = startServer(t, dir, {
    api: { host: '127.0.0.1', port: apiPort, keys: [{ key: ADMIN, role: 'admin' }] },
    redis: { url, keyPrefix: 'busy:' },
    log: { level: 'info' },
    messaging: { enabled: false },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'carrier', address: '127.0.0.1:9', callsPerSecond: 1, maxChannels: 1 }],
    },
    dialer: { runner: runnerConfig({ ownerId: 'busy-dialer' }), prompts: { dir: join(dir, 'prompts') } },
  });
  const code = await exited;
  t.equal(code, 1, 'exits 1');
  t.match(
    logs.err,
    new RegExp(`api\\.host/api\\.port 127\\.0\\.0\\.1:${apiPort}: cannot listen`),
    'the error names the key and the address',
  );
  const msgs = logs.out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { msg?: string }).msg);
  t.ok(
    msgs.indexOf('dialer services stopped') > msgs.indexOf('dialer services started'),
    'the dialer services it had started were stopped first',
  );
});
