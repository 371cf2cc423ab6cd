/**
 * `dialer demo` as a newcomer runs it: a child process with nothing
 * configured, real redis-server and SIPp. Its JSON lines are checked against
 * the carrier simulator's digit mapping, its API answers while it runs, and
 * everything it started is gone afterwards (also after Ctrl-C).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DIGIT_CODES, lastDigit } from '../../../lib/demo/numbers';

const DIALER = join(__dirname, '..', '..', '..', 'bin', 'dialer');

type Ev = Record<string, unknown> & { event: string };

interface Run {
  events: Ev[];
  code: number | null;
  stderr: string;
}

/** Runs `dialer demo` and collects its JSON lines; `onEvent` sees each as it arrives. */
function runDemo(
  args: string[],
  onEvent: (e: Ev, kill: (sig: NodeJS.Signals) => void) => void | Promise<void> = () => undefined,
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(DIALER, ['demo', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: Ev[] = [];
    let buf = '';
    let stderr = '';
    const pending: Promise<void>[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as Ev;
        events.push(e);
        pending.push(Promise.resolve(onEvent(e, (sig) => child.kill(sig))));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-20000)));
    // 'close': after the child's stdout ended ('exit' can come before the last events are read from the pipe).
    child.once('close', (code) => void Promise.all(pending).then(() => resolve({ events, code, stderr })));
  });
}

const udpFree = (address: string) =>
  new Promise<boolean>((res) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      res(false);
    });
    s.bind(Number(address.split(':')[1]), '127.0.0.1', () => s.close(() => res(true)));
  });

const tcpRefused = (url: string) =>
  new Promise<boolean>((res) => {
    const u = new URL(url);
    const s = connect(Number(u.port), u.hostname);
    s.once('connect', () => {
      s.destroy();
      res(false);
    });
    s.once('error', () => res(true));
  });

/** Nothing the demo started is left: SIPp ports free, redis-server gone, temp folder removed. */
async function assertCleanedUp(t: Test, started: Ev): Promise<void> {
  const phones = started.agentPhones as { id: string; address: string }[];
  for (const address of [started.carrier as string, ...phones.map((p) => p.address)])
    t.ok(await udpFree(address), `SIPp at ${address} is stopped`);
  t.ok(await tcpRefused(started.redis as string), 'the demo redis-server is stopped');
  t.notOk(existsSync(started.dir as string), 'the temporary folder is removed');
}

t.test('dialer demo --contacts 30 --agents 3 runs a campaign to completion', { timeout: 240000 }, async (t) => {
  const live: { started?: Ev; dashboard?: number; campaign?: Record<string, unknown> } = {};
  const r = await runDemo(['--contacts', '30', '--agents', '3', '--talk-sec', '1'], async (e) => {
    if (e.event === 'started') live.started = e;
    // While it dials, the printed URL and key work.
    if (e.event === 'call' && live.started && !live.campaign) {
      live.campaign = {};
      const url = live.started.dashboard as string;
      live.dashboard = (await fetch(url)).status;
      const res = await fetch(`${new URL(url).origin}/campaigns/demo`, {
        headers: { authorization: `Bearer ${live.started.apiKey as string}` },
      });
      live.campaign = (await res.json()) as Record<string, unknown>;
    }
  });
  t.equal(r.code, 0, `exit code 0 (stderr: ${r.stderr.slice(-1000)})`);
  const started = r.events.find((e) => e.event === 'started')!;
  t.ok(started, 'a started event');
  t.match(started.dashboard, /^http:\/\/127\.0\.0\.1:\d+\/dashboard$/, 'the dashboard URL, with no key in it');

  const ready = r.events.find((e) => e.event === 'ready')!;
  const dnc = ready.dnc as string[];
  t.equal(dnc.length, 2, 'two contacts on the do-not-call list');

  const calls = r.events.filter((e) => e.event === 'call');
  t.equal(calls.length, 30, 'one call line per contact (one attempt each)');
  t.equal(new Set(calls.map((c) => c.contactId)).size, 30, 'every contact appears once');
  let wrong = 0;
  for (const c of calls) {
    const expected = dnc.includes(c.contactId as string) ? 10 : DIGIT_CODES[lastDigit(c.phone as string)!];
    if (c.code !== expected) {
      wrong++;
      t.equal(c.code, expected, `${c.contactId as string} ${c.phone as string}`);
    }
    if (c.code === 20) t.match(c.agentId, /^ag[123]$/, `${c.contactId as string} was bridged to an agent`);
    if (c.code === 10) t.match(c.skipped, /do-not-call/, 'a DNC contact says why it was not dialled');
  }
  t.equal(wrong, 0, 'every contact ended with the code its last digit implies (10 for DNC)');
  t.ok(
    r.events.some((e) => e.event === 'progress' && e.total === 30),
    'progress lines while dialling',
  );

  const summary = r.events.at(-1)!;
  t.equal(summary.event, 'summary', 'the last line is the summary');
  t.equal(summary.completed, true, 'the campaign completed');
  t.equal(summary.contacts, 30);
  t.equal(summary.finished, 30, 'every contact counted as finished');
  t.equal(summary.attempts, 30);
  const codes = summary.codes as { code: number; name: string; count: number }[];
  const tally = new Map<number, number>();
  for (const c of calls) tally.set(c.code as number, (tally.get(c.code as number) ?? 0) + 1);
  t.same(Object.fromEntries(codes.map((c) => [c.code, c.count])), Object.fromEntries(tally), 'summary counts match the call lines');
  t.equal(
    codes.reduce((n, c) => n + c.count, 0),
    30,
    'the counts add up to the contacts',
  );
  t.equal(codes.find((c) => c.code === 10)?.count, 2, 'the DNC numbers were excluded');
  // 30 numbers cycle through the ten digits: three each, minus the DNC ones.
  for (let d = 0; d <= 9; d++) {
    const code = DIGIT_CODES[d]!;
    const dncHere = calls.filter((c) => c.code === 10 && lastDigit(c.phone as string) === d).length;
    t.equal(codes.find((c) => c.code === code)?.count ?? 0, 3 - dncHere, `last digit ${d} → code ${code}`);
  }
  const agents = summary.agents as { agentId: string; calls: number; talkSec: number }[];
  t.equal(agents.length, 3, 'figures for each agent');
  t.equal(
    agents.reduce((n, a) => n + a.calls, 0),
    tally.get(20),
    'agent calls add up to the connected calls',
  );

  t.equal(live.dashboard, 200, 'the dashboard answered while the demo ran');
  t.equal(live.campaign?.state, 'running', 'the API with the printed key shows the running campaign');
  await assertCleanedUp(t, started);
});

t.test('Ctrl-C stops the demo and everything it started', { timeout: 120000 }, async (t) => {
  let signalled = false;
  const r = await runDemo(['--contacts', '200', '--agents', '2'], (e, kill) => {
    if (e.event === 'call' && !signalled) {
      signalled = true;
      kill('SIGINT');
    }
  });
  t.ok(signalled, 'the demo was dialling when interrupted');
  t.equal(r.code, 130, `exit code 130 after Ctrl-C (stderr: ${r.stderr.slice(-1000)})`);
  const summary = r.events.at(-1)!;
  t.equal(summary.event, 'summary');
  t.equal(summary.interrupted, true);
  t.equal(summary.completed, false);
  t.ok((summary.attempts as number) < 200, 'it stopped dialling');
  await assertCleanedUp(
    t,
    r.events.find((e) => e.event === 'started')!,
  );
});
