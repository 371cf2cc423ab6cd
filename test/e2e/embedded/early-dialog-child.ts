/**
 * The process early-dialog-crash.test.ts SIGKILLs: an embedded driver that journals into the test's Redis
 * (argv: redis url, key prefix, owner, trunk) and places one call. Prints JSON lines: its journal id at
 * start, and "confirmed" the moment the 2xx is in hand (its confirmed journal write is issued; the ACK
 * waits for that write, which the test holds up by pausing Redis writes).
 */
import pino from 'pino';
import { validateConfig } from '../../../lib/config';
import { createRedis } from '../../../lib/store';
import { RedisDialogJournal } from '../../../lib/store/dialog-journal';
import { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import type { JournalEntry } from '../../../lib/telephony/drivers/embedded/journal';

async function main(): Promise<void> {
  const [url, prefix, owner, trunk] = process.argv.slice(2);
  const log = pino({ level: 'silent' });
  const redis = createRedis({ url: url!, keyPrefix: prefix! });
  const journal = new RedisDialogJournal(redis, { owner: owner!, leaseMs: 1500, sweepMs: 200, log });
  const put = journal.put.bind(journal);
  journal.put = (e: JournalEntry) => {
    if (e.kind === 'confirmed') process.stdout.write(`${JSON.stringify({ confirmed: e.dialog.callId })}\n`);
    return put(e);
  };
  const tel = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'carrier', address: trunk!, callsPerSecond: 1000, maxChannels: 1000 }],
    },
  }).telephony;
  // A long bound on the journal wait: the test holds the confirmed write (and so the ACK) until the kill.
  const driver = new EmbeddedDriver({ embedded: tel.embedded, trunks: tel.trunks, journal, journalAckWaitMs: 60000 });
  await driver.start();
  process.stdout.write(`${JSON.stringify({ journal: journal.id })}\n`);
  await driver.originate({ to: '0312000041', ringTimeoutMs: 30000 });
  setInterval(() => undefined, 60000);
}

void main();
