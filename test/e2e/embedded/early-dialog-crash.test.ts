/**
 * The crash window "2xx in hand, no ACK yet" (issue 14), with a real SIGKILL:
 * the process dies after the far end's 200 arrived and before its "confirmed"
 * journal entry and its ACK (the test holds that write with CLIENT PAUSE …
 * WRITE; the ACK waits for it). Its claimer knows the call only as ringing,
 * and a CANCEL has no effect after a 2xx (RFC 3261 §9.2). But the 180 before
 * it carried a To tag: that early dialog was journalled, and the caller may
 * BYE an early dialog (§15). So the claimer sends CANCEL and a BYE in that
 * dialog, and the answered call ends at once rather than after the far end's
 * 64·T1 without ACK (§13.3.1.4). SIPp (uas-180-200-bye-before-ack.xml) exits
 * 0 only when the BYE came before its 2xx retransmissions ran out and no ACK
 * came at all.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import pino from 'pino';
import { validateConfig } from '../../../lib/config';
import { createRedis } from '../../../lib/store';
import { keys } from '../../../lib/store/keys';
import { RedisDialogJournal } from '../../../lib/store/dialog-journal';
import { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import { UdpTransport } from '../../../lib/sip';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { workDir } from '../../helpers/work-dir';
import { startTestRedis } from '../../helpers/redis';

const ROOT = resolve(__dirname, '../../..');
const PREFIX = 'edc:';
const OWNER = 'early-crash';
const log = pino({ level: 'silent' });

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('killed with the 2xx in hand before its ACK: the claimer BYEs the early dialog at once', { timeout: 120000 }, async (t) => {
  const { redis, url } = await startTestRedis(t, PREFIX);
  const trace = join(workDir(t, 'dialer-edc-'), 'sipp.log');
  const sipp = await startSipp({
    scenario: 'uas-180-200-bye-before-ack',
    calls: 1,
    timeoutS: 90,
    args: ['-trace_msg', '-message_file', trace],
  });
  t.teardown(() => sipp.stop());
  t.teardown(() => redis.call('CLIENT', 'UNPAUSE').catch(() => undefined));

  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, join(__dirname, 'early-dialog-child.ts'), url, PREFIX, OWNER, sipp.address], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let journalId = '';
  let confirmed = '';
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as { journal?: string; confirmed?: string };
    if (m.journal) journalId = m.journal;
    if (m.confirmed) confirmed = m.confirmed;
  });
  await until('the child process to start', () => journalId !== '', 60000);

  // The 180's early dialog reaches the journal; then writes are held, so the 200 (4 s after the 180) finds
  // the confirmed write, and with it the ACK, waiting.
  const dialogs = keys.dialogs(journalId, 'dialogs');
  let callId = '';
  await until('the early dialog in the journal', async () => {
    const all = await redis.hgetall(dialogs);
    const hit = Object.entries(all).find(([, v]) => (JSON.parse(v) as { early?: unknown }).early);
    if (hit) callId = hit[0];
    return !!hit;
  });
  await redis.call('CLIENT', 'PAUSE', '60000', 'WRITE');
  await until('the 2xx in the process’s hand (its confirmed write issued)', () => confirmed !== '');
  t.equal(confirmed, callId, 'the 200 of the journalled call');
  const entry = JSON.parse((await redis.hget(dialogs, callId))!) as { kind: string; early?: { remoteTag: string } };
  t.equal(entry.kind, 'early', 'the journal still knows the call only as ringing');
  t.match(entry.early?.remoteTag, /Early/, 'with the 180’s To tag');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  await redis.call('CLIENT', 'UNPAUSE');

  // The successor: same owner, so it claims its dead predecessor's journal as it starts.
  const nodeRedis = createRedis({ url, keyPrefix: PREFIX });
  const udp = await UdpTransport.bind('127.0.0.1', 0, log);
  const journal = new RedisDialogJournal(nodeRedis, { owner: OWNER, leaseMs: 1500, sweepMs: 200, log });
  const tel = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'carrier', address: sipp.address, callsPerSecond: 1000, maxChannels: 1000 }],
    },
  }).telephony;
  const successor = new EmbeddedDriver({ embedded: tel.embedded, trunks: tel.trunks, transports: [udp], journal, journalAckWaitMs: 1000 });
  t.teardown(async () => {
    await successor.stop().catch(() => undefined);
    nodeRedis.disconnect();
  });
  await successor.start();

  const r = await sipp.done;
  t.equal(r.code, 0, `SIPp got the BYE before its 2xx retransmissions ran out, and no ACK (${r.stderr.slice(-400)})`);
  const received = readFileSync(trace, 'utf8')
    .split(/^-{40,}.*$/m)
    .filter((b) => /UDP message received/.test(b));
  const bye = received.find((b) => /^BYE /m.test(b)) ?? '';
  t.match(bye, /^To:.*;tag=\S*Early/im, 'the BYE is in the early dialog (the 180’s and the 200’s To tag)');
  t.match(bye, /^BYE sip:callee@/m, 'sent to the 180’s Contact');
  t.match(bye, new RegExp(`^Via:[^\\n]*:${udp.local.port}[;\\s]`, 'im'), 'by the successor');
  t.notOk(
    received.some((b) => /^ACK /m.test(b)),
    'no ACK ever reached the far end',
  );
});
