/**
 * Queued messages survive their process (issue 14): a process accepts five
 * SMS (202) and sends one at a time to a trunk that never answers; it is
 * SIGKILLed with the first handed to the channel and four still waiting.
 * Another process (here, this one, with a SIPp trunk) takes the four over
 * once the dead one's claims go stale and sends each exactly once; the first
 * — which may have left — is never sent again and is closed as rejected
 * (at most once per message, hence per idempotency key). Real Redis, real
 * SIGKILL, SIPp as the mobile network.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTestRedis } from '../../helpers/redis';
import { getMessage, messageKeys, ADHOC_SCOPE } from '../../../lib/store/messages';
import { receivedBodies, sipChannel, startMessageCarrier, startWithChannels, until } from './fixture';

const ROOT = resolve(__dirname, '../../..');

t.test('a SIGKILLed process’s queued messages are sent once by another; the one in the channel is not re-sent', async (t) => {
  const { redis, url } = await startTestRedis(t);
  const hole = createSocket('udp4'); // a trunk that never answers: the first MESSAGE stays in the channel
  await new Promise<void>((r) => hole.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => hole.close());
  const bodies = ['crash msg 0', 'crash msg 1', 'crash msg 2', 'crash msg 3', 'crash msg 4'];
  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(
    process.execPath,
    ['--import', loader, join(__dirname, 'crash-sender.ts'), url, `127.0.0.1:${hole.address().port}`, ...bodies],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const ids = (await until('the five accepted', () => /accepted (.*)\n/.exec(out)?.[1], 60000)).split(' ');
  t.equal(ids.length, 5);
  // Killed once the first is in the channel ('sending') and the other four wait their turn ('claimed').
  const claims = messageKeys(ADHOC_SCOPE).claims;
  await until(
    'one sending, four waiting',
    async () => {
      const c = await redis.hgetall(claims);
      return c[ids[0]!]?.includes('|sending|') && ids.slice(1).every((id) => c[id]?.includes('|claimed|'));
    },
    30000,
  );
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  for (const id of ids) t.equal((await getMessage(redis, id))?.status, 'queued', `${id} left queued by the dead process`);

  const carrier = await startMessageCarrier(t);
  await startWithChannels(t, redis, { sms: sipChannel(carrier.sipp.address) }, { leaseMs: 1000 });
  const done = await until(
    'every message closed',
    async () => {
      const recs = await Promise.all(ids.map((id) => getMessage(redis, id)));
      return recs.every((r) => r && r.status !== 'queued') ? recs : null;
    },
    60000,
  );
  t.equal(done[0]!.status, 'rejected', 'the one that was in the channel is closed, not re-sent');
  t.match(done[0]!.error, /at most once/);
  for (const r of done.slice(1)) t.equal(r!.status, 'accepted', `${r!.id} sent by the survivor`);
  const got = await until('four at SIPp', () => {
    const b = receivedBodies(carrier.trace()).filter((x) => x.startsWith('crash msg'));
    return b.length >= 4 ? b : null;
  });
  t.same([...got].sort(), bodies.slice(1), 'each waiting message reached the network exactly once; the first never did');
  await until('no claim left behind (each dropped after its send was recorded)', async () => (await redis.hlen(claims)) === 0, 30000);
  t.pass('no claim left behind');
});
