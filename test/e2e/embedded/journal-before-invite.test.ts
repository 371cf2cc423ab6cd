/**
 * The crash window between an INVITE and its early journal entry (issue 14)
 * is closed: the entry is in Redis before the INVITE leaves, so a process
 * killed the moment its INVITE is out still has a CANCEL for it in the
 * journal. Redis writes are paused (CLIENT PAUSE … WRITE; reads still
 * answer) so that the order is observable: the INVITE must not reach the far
 * end while its entry is held up. The wait is bounded (journalAckWaitMs):
 * Redis away delays a call, never stops it. Real Redis, raw SIP peer.
 */
import t from 'tap';
import pino from 'pino';
import { validateConfig } from '../../../lib/config';
import { createRedis } from '../../../lib/store';
import { keys } from '../../../lib/store/keys';
import { RedisDialogJournal } from '../../../lib/store/dialog-journal';
import { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import { startTestRedis } from '../../helpers/redis';
import { callIdOf, startRawPeer } from './raw-peer';

const log = pino({ level: 'silent' });

async function startNode(url: string, trunk: string, journalAckWaitMs: number) {
  const redis = createRedis({ url, keyPrefix: 'jb:' });
  const journal = new RedisDialogJournal(redis, { owner: 'node-jb', leaseMs: 1500, sweepMs: 200, log });
  const tel = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'carrier', address: trunk, callsPerSecond: 1000, maxChannels: 1000 }],
    },
  }).telephony;
  const driver = new EmbeddedDriver({ embedded: tel.embedded, trunks: tel.trunks, journal, journalAckWaitMs });
  await driver.start();
  return { driver, journal, redis };
}

t.test(
  'the early entry is in Redis before the INVITE leaves; a Redis that does not answer only delays it',
  { timeout: 90000 },
  async (t) => {
    const { redis, url } = await startTestRedis(t, 'jb:');
    const peer = await startRawPeer();
    t.teardown(() => peer.close());

    await t.test('writes held up for 3 s (bound 30 s): the INVITE waits for its entry', async (t) => {
      const a = await startNode(url, peer.address, 30000);
      t.teardown(async () => {
        await a.driver.stop().catch(() => undefined);
        a.redis.disconnect();
      });
      const dialogs = keys.dialogs(a.journal.id, 'dialogs');
      await redis.call('CLIENT', 'PAUSE', '3000', 'WRITE');
      const placed = a.driver.originate({ to: '0312000031', ringTimeoutMs: 20000 });
      const inv = await peer.nextRequest('INVITE', 30000);
      const entry = await redis.hget(dialogs, callIdOf(inv));
      t.ok(entry, 'its early entry was already in the journal when the INVITE arrived');
      t.match(JSON.parse(entry ?? '{}'), { kind: 'early', inviteVia: /branch=/ }, 'with what a CANCEL needs');
      const leg = await placed;
      peer.respond(inv, 486, 'Busy Here');
      await peer.nextRequest('ACK');
      t.ok(leg);
    });

    await t.test('writes held up for 30 s (bound 1 s): the INVITE leaves after the bound', async (t) => {
      const a = await startNode(url, peer.address, 1000);
      t.teardown(async () => {
        await redis.call('CLIENT', 'UNPAUSE');
        await a.driver.stop().catch(() => undefined);
        a.redis.disconnect();
      });
      const dialogs = keys.dialogs(a.journal.id, 'dialogs');
      await redis.call('CLIENT', 'PAUSE', '30000', 'WRITE');
      const placed = a.driver.originate({ to: '0312000032', ringTimeoutMs: 20000 });
      const inv = await peer.nextRequest('INVITE', 25000);
      t.notOk(await redis.hget(dialogs, callIdOf(inv)), 'sent while its entry was still held up: Redis away does not stop calls');
      await redis.call('CLIENT', 'UNPAUSE');
      await placed;
      peer.respond(inv, 486, 'Busy Here');
      await peer.nextRequest('ACK');
    });
  },
);
