/**
 * The embedded driver's RTP ports (rtp/port-pool.ts): a pool with every port
 * in use refuses with NO_CAPACITY, which the runner takes as "nothing was
 * sent" (the attempt goes back uncounted), not as a dial error (13) against
 * the number: a crash test under load burnt attempts that way, with no
 * INVITE ever sent.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { PortPool } from '../../../lib/telephony/drivers/embedded/rtp/port-pool';
import { TelephonyError } from '../../../lib/telephony/contract';
import { freeUdpPort } from '../../../lib/telephony/testing/ports';

t.test('a full pool refuses with NO_CAPACITY; a released port is bound again', async (t) => {
  const base = await freeUdpPort(4);
  const min = base + (base % 2);
  const pool = new PortPool('127.0.0.1', min, min + 2);
  t.equal(pool.size, 2);
  const a = await pool.bind();
  const b = await pool.bind();
  t.same([a.port, b.port].sort(), [min, min + 2], 'the two even ports');
  const err = await pool.bind().catch((e: unknown) => e);
  t.ok(err instanceof TelephonyError, 'a TelephonyError');
  t.equal((err as TelephonyError).code, 'NO_CAPACITY', 'NO_CAPACITY: nothing was sent');
  t.match((err as Error).message, `no free RTP port in ${min}-${min + 2} (2 in use)`);
  a.socket.close();
  pool.release(a.port);
  const c = await pool.bind();
  t.equal(c.port, a.port, 'the freed port');
  b.socket.close();
  c.socket.close();
});

t.test('ports held by other programs are skipped, then the pool is full', async (t) => {
  const base = await freeUdpPort(4);
  const min = base + (base % 2);
  const other = createSocket('udp4');
  await new Promise<void>((r) => other.bind(min, '127.0.0.1', () => r()));
  t.teardown(() => other.close());
  const pool = new PortPool('127.0.0.1', min, min + 2);
  const a = await pool.bind();
  t.equal(a.port, min + 2, 'the port nobody holds');
  const err = await pool.bind().catch((e: unknown) => e);
  t.equal((err as TelephonyError).code, 'NO_CAPACITY', 'held elsewhere counts as full too');
  a.socket.close();
});
