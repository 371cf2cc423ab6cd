/**
 * `npm run bench -- journal [calls (400)]`
 *
 * What writing the dialog journal's early entry before the INVITE leaves
 * (issue 14: no crash window between the two) costs a call: the time from
 * originate() to the INVITE reaching a far end on loopback, for the embedded
 * driver without a journal, and with one on a local redis-server (the INVITE
 * then waits for one Redis round trip). Calls are placed one after another;
 * the far end answers 486 to each. Prints one JSON line (milliseconds).
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { validateConfig } from '../lib/config';
import { createRedis, startEmbeddedRedis } from '../lib/store';
import { RedisDialogJournal } from '../lib/store/dialog-journal';
import { EmbeddedDriver } from '../lib/telephony/drivers/embedded/driver';
import { header, parseMessage, responseTo, serialize, type SipRequest } from '../lib/sip';

const log = pino({ level: 'silent' });

/** A far end that answers every INVITE 486 and reports when each arrived. */
async function farEnd(onInvite: (callId: string) => void) {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  s.on('message', (buf, rinfo) => {
    const m = parseMessage(buf);
    if (m.kind !== 'request' || m.method !== 'INVITE') return;
    onInvite(header(m, 'Call-ID')!);
    s.send(serialize(responseTo(m as SipRequest, 486, 'Busy Here', [], Buffer.alloc(0), 'b')), rinfo.port, rinfo.address);
  });
  return s;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 1000) / 1000;
}

async function measure(calls: number, journal?: RedisDialogJournal): Promise<number[]> {
  const arrived = new Map<string, number>();
  const s = await farEnd((id) => arrived.set(id, performance.now()));
  const tel = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'far', address: `127.0.0.1:${s.address().port}`, callsPerSecond: 100000, maxChannels: 100000 }],
    },
  }).telephony;
  const driver = new EmbeddedDriver({ embedded: tel.embedded, trunks: tel.trunks, journal });
  await driver.start();
  const out: number[] = [];
  const ended = new Set<string>();
  driver.onEvent((e) => e.type === 'end' && ended.add(e.legId));
  for (let i = 0; i < calls; i++) {
    const before = arrived.size;
    const t0 = performance.now();
    const leg = await driver.originate({ to: `03120${String(i).padStart(5, '0')}`, ringTimeoutMs: 10000 });
    while (arrived.size === before) await new Promise((r) => setImmediate(r));
    out.push([...arrived.values()].at(-1)! - t0);
    while (!ended.has(leg)) await new Promise((r) => setImmediate(r));
  }
  await driver.stop();
  s.close();
  return out;
}

export async function main(args: string[]): Promise<void> {
  const calls = Number(args[0] ?? 400);
  const dir = mkdtempSync(join(tmpdir(), 'bench-journal-'));
  const server = await startEmbeddedRedis({ dataDir: dir, persist: false });
  const redis = createRedis({ url: server.url, keyPrefix: 'bj:' });
  try {
    await measure(20); // warm-up (JIT, sockets)
    const without = await measure(calls);
    const journal = new RedisDialogJournal(redis, { owner: 'bench', leaseMs: 10000, sweepMs: 2000, log });
    const withJ = await measure(calls, journal);
    console.log(
      JSON.stringify({
        bench: 'journal',
        calls,
        inviteLatencyNoJournalP50Ms: pct(without, 50),
        inviteLatencyNoJournalP99Ms: pct(without, 99),
        inviteLatencyJournalP50Ms: pct(withJ, 50),
        inviteLatencyJournalP99Ms: pct(withJ, 99),
        costP50Ms: Math.round((pct(withJ, 50) - pct(without, 50)) * 1000) / 1000,
        loadavg1: Math.round(loadavg()[0]! * 10) / 10,
      }),
    );
  } finally {
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
