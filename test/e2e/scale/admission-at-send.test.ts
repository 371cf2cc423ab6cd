/**
 * The over-admission the fault test once caught (13 INVITEs in one second on a
 * 12/s trunk, seconds after a Redis master was killed), reproduced on cue: a
 * dialer's calls are admitted under the shared calls-per-second window, then
 * its Redis writes stall (CLIENT PAUSE … WRITE stands in for a failover: the
 * runner's and the journal's writes wait) for longer than the window. The
 * window lets those admissions go; another process admits and dials a full
 * second's worth as soon as Redis answers. The held-up calls must not then
 * reach the carrier on their stale admissions: the admission is confirmed by
 * the driver just before each INVITE leaves (OriginateRequest.beforeSend ->
 * SharedLimits.ready), where a held-up call is admitted afresh or not sent.
 * Checked before the hold-up instead (as it was), A's calls leave when the
 * journal's bound runs out and the carrier sees both processes' calls in one
 * second. Real Redis, real embedded drivers, the carrier a raw UDP peer that
 * timestamps every INVITE and answers 486.
 */
import { createSocket } from 'node:dgram';
import t from 'tap';
import pino from 'pino';
import { validateConfig } from '../../../lib/config';
import { createRedis } from '../../../lib/store';
import { RedisDialogJournal } from '../../../lib/store/dialog-journal';
import { SharedLimits } from '../../../lib/scale/shared-limits';
import { header, parseMessage, responseTo, serialize } from '../../../lib/sip';
import { TelephonyError } from '../../../lib/telephony/contract';
import { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import { startTestRedis } from '../../helpers/redis';

const log = pino({ level: 'silent' });
const CPS = 4;
// Window 1 s + 400 ms; half of it (200 ms) from admission to the send, so a loaded host's lag does not refuse fresh calls.
const GUARD_MS = 400;
const STALL_MS = 1800;
const JOURNAL_BOUND_MS = 1000;

t.test('a call held up past its admission window is admitted afresh at the wire, or not sent', { timeout: 90000 }, async (t) => {
  const { redis, url } = await startTestRedis(t, 'as:');
  t.teardown(() => redis.call('CLIENT', 'UNPAUSE').catch(() => undefined));

  // The carrier: every INVITE's arrival time; each is refused 486 (its ACK absorbed).
  const carrier = createSocket('udp4');
  await new Promise<void>((r) => carrier.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => carrier.close());
  const invites = new Map<string, number>();
  carrier.on('message', (buf, rinfo) => {
    const m = parseMessage(buf);
    if (m.kind !== 'request' || m.method !== 'INVITE') return;
    const callId = header(m, 'Call-ID')!;
    if (!invites.has(callId)) invites.set(callId, Date.now());
    carrier.send(serialize(responseTo(m, 486, 'Busy Here', [], Buffer.alloc(0), 'carrier')), rinfo.port, rinfo.address);
  });
  const carrierAddress = `127.0.0.1:${(carrier.address() as { port: number }).port}`;

  const tel = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      // The drivers' own pacing is left out of this (1000/s): the shared window is what holds the trunk here.
      trunks: [{ name: 'carrier', address: carrierAddress, callsPerSecond: 1000, maxChannels: 1000 }],
    },
  }).telephony;
  const node = async (owner: string) => {
    const r = createRedis({ url, keyPrefix: 'as:' });
    const journal = new RedisDialogJournal(r, { owner, leaseMs: 5000, sweepMs: 1000, log });
    const driver = new EmbeddedDriver({ embedded: tel.embedded, trunks: tel.trunks, journal, journalAckWaitMs: JOURNAL_BOUND_MS });
    await driver.start();
    const limits = new SharedLimits(r, {
      owner,
      trunk: { name: 'carrier', channels: 0, callsPerSecond: CPS },
      leaseMs: 30000,
      guardMs: GUARD_MS,
    });
    t.teardown(async () => {
      await driver.stop().catch(() => undefined);
      r.disconnect();
    });
    return { driver, limits, redis: r };
  };
  const a = await node('A');
  const b = await node('B');
  const campaign = (id: string) => ({ id, callsPerSecond: 0, maxConcurrentCalls: 0 });
  /** Dials one admitted attempt as the runner does: the admission is confirmed at the wire. */
  const dial = async (n: typeof a, cid: string, attemptId: string, to: string): Promise<'sent' | 'refused'> => {
    n.limits.bind(cid, attemptId);
    try {
      await n.driver.originate({ to, ringTimeoutMs: 20000, beforeSend: () => n.limits.ready(attemptId, campaign(cid)) });
      n.limits.sent(cid, attemptId);
      return 'sent';
    } catch (err) {
      if (err instanceof TelephonyError && err.code === 'NO_CAPACITY') return 'refused';
      throw err;
    } finally {
      // The calls end at once (486): their channels are given back as the runner would.
      await n.limits.release(cid, attemptId);
    }
  };

  // A is admitted a full second's worth, then its writes stall for longer than the window.
  t.equal(await a.limits.admit(campaign('ca'), CPS), CPS, `A admitted ${CPS}`);
  const stalledAt = Date.now();
  await redis.call('CLIENT', 'PAUSE', String(STALL_MS), 'WRITE');
  const aCalls = Array.from({ length: CPS }, (_, i) => dial(a, 'ca', `a${i}`, `031200010${i}`));

  // B admits and dials once Redis takes writes again (its first write waits out the stall).
  await b.redis.set('probe', '1');
  t.ok(Date.now() - stalledAt >= STALL_MS - 50, 'B went on after the stall');
  // As its runner would tick: A's held-up calls may hold the room a moment while they are turned away.
  let bAdmitted = 0;
  for (const until = Date.now() + 15000; bAdmitted === 0 && Date.now() < until;) {
    bAdmitted = await b.limits.admit(campaign('cb'), CPS);
    if (bAdmitted === 0) await new Promise((r) => setTimeout(r, 50));
  }
  const bCalls = Array.from({ length: bAdmitted }, (_, i) => dial(b, 'cb', `b${i}`, `031200020${i}`));
  const aOut = await Promise.all(aCalls);
  const bOut = await Promise.all(bCalls);
  const sent = [...aOut, ...bOut].filter((o) => o === 'sent').length;

  // Every sent INVITE reaches the carrier (waited for, bounded).
  const by = Date.now() + 15000;
  while (invites.size < sent && Date.now() < by) await new Promise((r) => setTimeout(r, 50));
  t.equal(invites.size, sent, `the carrier saw the ${sent} INVITEs the drivers sent (A: ${aOut.join(' ')}; B: ${bOut.join(' ')})`);
  t.ok(sent >= 1, 'calls were dialled: the check is not vacuous');
  t.equal(a.driver.health().activeLegs, 0, 'a call refused at the wire leaves no leg behind');
  // The carrier's count: at most CPS new INVITEs in any second.
  const times = [...invites.values()].sort((x, y) => x - y);
  let worst = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j]! <= times[i]! - 1000) j++;
    worst = Math.max(worst, i - j + 1);
  }
  t.ok(worst <= CPS, `at most ${CPS} INVITEs in any second at the carrier (worst ${worst})`);
});
