/**
 * Crash safety: a dialer process driving a campaign is killed with SIGKILL
 * at random moments and restarted. Afterwards every contact has exactly the
 * attempts and results it should: none lost, none doubled, no attempt with
 * two results, no attempt dialled twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { getCampaign } from '../../../lib/store/campaigns';
import { freePort } from '../../../lib/store';
import { writeWav } from '../../../lib/media/audio-file';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { startTestRedis } from '../../helpers/redis';
import { makeList, numbersFor, runCampaign, runnerConfig } from '../../helpers/campaign-env';

const ROOT = resolve(__dirname, '../../..');
// Agentless (recorded message) campaign: a person hears the message (1).
const EXPECTED: Record<number, number> = { 0: 1, 1: 4, 2: 5, 3: 3, 4: 2, 5: 6, 6: 13, 7: 7, 8: 9, 9: 8 };
const MAX_ATTEMPTS = 3;

/** Deterministic pseudo-random moments (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('SIGKILL at random moments loses and doubles nothing', { timeout: 300000 }, async (t) => {
  const { redis, url } = await startTestRedis(t, 'crash:');
  const dir = mkdtempSync(join(tmpdir(), 'dialer-crash-'));
  const trace = join(dir, 'carrier.log');
  const carrier = await startSipp({
    scenario: 'carrier-simulator',
    calls: 100000,
    timeoutS: 900,
    keys: { hangup_ms: '1000' },
    args: ['-trace_msg', '-message_file', trace],
  });
  t.teardown(() => carrier.stop());
  const message = join(dir, 'message.wav');
  writeWav(
    message,
    new Int16Array(8000).map((_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000))),
  );

  const digits = Array.from({ length: 80 }, (_, i) => i % 10);
  const numbers = numbersFor(digits);
  await makeList(redis, 'L', numbers);
  await runCampaign(redis, 'crash', 'L', {
    mode: 'agentless',
    agentless: { message },
    maxConcurrentCalls: 12,
    ringTimeoutSec: 2,
    maxAttempts: MAX_ATTEMPTS,
    retryIntervalSec: 1,
  });

  let n = 0;
  const startDialer = async (): Promise<ChildProcess> => {
    n++;
    const cfgFile = join(dir, `dialer-${n}.json`);
    writeFileSync(
      cfgFile,
      JSON.stringify({
        api: { port: await freePort(), keys: [{ key: 'crash-test-admin-key-000', role: 'admin' }] },
        redis: { url, keyPrefix: 'crash:' },
        log: { level: 'warn' },
        telephony: {
          embedded: { sip: { host: '127.0.0.1', port: 0 } },
          trunks: [{ name: 'carrier', address: carrier.address, callsPerSecond: 1000, maxChannels: 1000 }],
        },
        media: { amd: { silenceTimeoutMs: 2500 } },
        dialer: {
          runner: runnerConfig({ ownerId: `dialer-${n}`, campaignLeaseMs: 1500, attemptLeaseMs: 3000 }),
          prompts: { dir: join(dir, 'prompts') },
        },
      }),
    );
    // node itself with tsx's loader: SIGKILL must hit the dialer, not a wrapper that would orphan it.
    const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'app/server.ts')], {
      cwd: dir,
      env: { ...process.env, DIALER_CONFIG: cfgFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.resume();
    return child;
  };

  const random = rng(20261121);
  let dialer = await startDialer();
  t.teardown(() => dialer.kill('SIGKILL'));
  let kills = 0;
  const end = Date.now() + 240000;
  while ((await getCampaign(redis, 'crash'))!.state !== 'completed' && Date.now() < end) {
    if (kills < 5) {
      await new Promise((r) => setTimeout(r, 3000 + random() * 5000));
      if ((await getCampaign(redis, 'crash'))!.state === 'completed') break;
      dialer.kill('SIGKILL');
      kills++;
      await new Promise((r) => setTimeout(r, random() * 500));
      dialer = await startDialer();
    } else {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  t.equal((await getCampaign(redis, 'crash'))!.state, 'completed', `the campaign completed after ${kills} kills`);
  t.ok(kills >= 3, `the dialer was killed ${kills} times mid-campaign`);

  const q = new DialQueue(redis, 'crash');
  const history = await q.history();
  const ids = history.map((h) => h.fields.attemptId);
  t.equal(new Set(ids).size, ids.length, 'no attempt has two results');
  const perContact = new Map<string, { no: number; code: number; interrupted: boolean }[]>();
  for (const h of history) {
    const id = h.fields.ref!.split(':')[1]!;
    const data = JSON.parse(h.fields.data!) as { interrupted?: boolean };
    perContact.set(id, [
      ...(perContact.get(id) ?? []),
      { no: Number(h.fields.attemptNo), code: Number(h.fields.code), interrupted: !!data.interrupted },
    ]);
  }
  const invites = readFileSync(trace, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.startsWith('INVITE sip:'));
  const callIds = new Map<string, Set<string>>();
  const text = readFileSync(trace, 'utf8');
  for (const m of text.matchAll(/INVITE sip:\+?(\d+)@[^\n]*\n(?:[^\n]+\n)*?Call-ID:\s*(\S+)/gi)) {
    (callIds.get(m[1]!) ?? callIds.set(m[1]!, new Set()).get(m[1]!)!).add(m[2]!);
  }
  t.ok(invites.length > 0, 'the carrier saw INVITEs');

  let problems = 0;
  let interrupted = 0;
  digits.forEach((d, i) => {
    const id = `c${i}`;
    const rec = perContact.get(id) ?? [];
    const seq = rec.map((r) => r.no);
    const fail = (msg: string) => {
      problems++;
      t.fail(`${id} (digit ${d}): ${msg}: ${JSON.stringify(rec)}`);
    };
    if (rec.length === 0) return fail('lost: no attempt at all');
    if (seq.join(',') !== rec.map((_, k) => k + 1).join(',')) fail('attempt numbers are not 1..n once each');
    for (const r of rec) if (!r.interrupted && r.code !== EXPECTED[d]) fail(`code ${r.code} where ${EXPECTED[d]} was due`);
    interrupted += rec.filter((r) => r.interrupted).length;
    const last = rec[rec.length - 1]!;
    const retryable = ![1, 5, 6].includes(last.code);
    if (retryable && rec.length < MAX_ATTEMPTS) fail('stopped before its attempts were used although its result retries');
    const national = numbers[i]!.replace(/-/g, '').slice(1);
    const dialled = [...callIds.entries()].filter(([num]) => num.endsWith(national)).reduce((a, [, s]) => a + s.size, 0);
    if (dialled > rec.length) fail(`dialled ${dialled} times for ${rec.length} attempts`);
  });
  t.equal(problems, 0, `every contact is whole (${history.length} attempts, ${interrupted} closed as interrupted by a kill)`);
  const c = await q.counters();
  t.equal(c.remaining, 0, 'nothing left in flight or queued');
  t.equal(c.attempts, history.length, 'counters agree with the history');
});
