/**
 * The ring timeout, Timer B and Timer C on the embedded driver, in virtual time
 * (the real default 40 s and the real 3 min, with no waiting). The driver runs
 * on a VirtualClock and an in-memory SIP transport; its RTP sockets are real.
 */
import t from 'tap';
import { validateConfig } from '../../../lib/config';
import { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import type { EndCause, LegEvent } from '../../../lib/telephony/contract';
import { decideResult } from '../../../lib/results';
import { responseTo, VirtualClock, type SipRequest } from '../../../lib/sip';
import { MemoryTransport } from '../../helpers/sip-memory';

async function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new VirtualClock();
  const net = new MemoryTransport(() => clock.now());
  const cfg = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'far', address: '127.0.0.1:5070', callsPerSecond: 1000 }],
    },
  });
  const driver = new EmbeddedDriver({ embedded: cfg.telephony.embedded, trunks: cfg.telephony.trunks, sipClock: clock, transports: [net] });
  await driver.start();
  t.teardown(() => driver.stop());
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const t0 = clock.now();
  const invite = () => net.requests('INVITE')[0]!.msg;
  const reply = (req: SipRequest, status: number, reason: string, cseqMethod?: string) => {
    const r = responseTo(req, status, reason, [], Buffer.alloc(0), 'farTag');
    if (cseqMethod) r.headers = r.headers.map((h) => (h.name === 'CSeq' ? { ...h, value: h.value.replace(/\w+$/, cseqMethod) } : h));
    net.deliver(r);
  };
  const end = () => events.find((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end')?.cause;
  const result = (c: EndCause) => decideResult({ end: c, verdicts: [], connected: false });
  return { clock, net, driver, events, t0, invite, reply, end, result };
}

t.test('a call ringing past 32 s is CANCELled at the default 40 s ring timeout and records 2 (RFC 3261 §17.1.1.2, §9.1)', async (t) => {
  const s = await setup(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  s.clock.advance(150);
  s.reply(s.invite(), 100, 'Trying');
  s.clock.advance(850);
  s.reply(s.invite(), 180, 'Ringing');
  s.clock.advance(35_000);
  t.equal(s.end(), undefined, 'still ringing at 36 s: Timer B does not end a call that rang');
  t.equal(s.net.requests('CANCEL').length, 0, 'no CANCEL before the ring timeout');
  s.clock.advance(3_999);
  t.equal(s.net.requests('CANCEL').length, 0, 'no CANCEL at 39.999 s');
  s.clock.advance(1);
  const cancels = s.net.requests('CANCEL');
  t.equal(cancels.length, 1, 'CANCEL at 40 s');
  t.equal(cancels[0]!.at - s.t0, 40_000);
  const cancel = cancels[0]!.msg;
  t.equal(
    cancel.headers.find((h) => h.name === 'Via')!.value,
    s.invite().headers.find((h) => h.name === 'Via')!.value,
    'CANCEL carries the INVITE top Via (§9.1)',
  );
  s.clock.advance(20);
  s.reply(cancel, 200, 'OK');
  s.reply(s.invite(), 487, 'Request Terminated');
  const c = s.end();
  t.match(c, { sipStatus: 487, by: 'timeout', answered: false });
  t.equal(s.result(c!), 2, 'result 2 (no answer)');
  t.equal(s.net.requests('ACK').length, 1, '487 ACKed');
  t.same(
    s.net.requests('INVITE').map((x) => x.at - s.t0),
    [0],
    'the 100 at 150 ms came before Timer A: no retransmission',
  );
});

t.test('an INVITE with no response at all ends at Timer B (64·T1) as 408', async (t) => {
  const s = await setup(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  s.clock.advance(31_999);
  t.equal(s.end(), undefined);
  s.clock.advance(1);
  t.match(s.end(), { sipStatus: 408, detail: /Timer B/ });
  t.equal(s.net.requests('CANCEL').length, 0, 'nothing to CANCEL without a provisional (§9.1)');
});

t.test('Timer C CANCELs a call whose far end went quiet after a provisional for over 3 minutes', async (t) => {
  const s = await setup(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 300_000 });
  s.clock.advance(1000);
  s.reply(s.invite(), 180, 'Ringing');
  s.clock.advance(60_000);
  s.reply(s.invite(), 183, 'Session Progress');
  s.clock.advance(180_999);
  t.equal(s.net.requests('CANCEL').length, 0, 'Timer C restarts at each provisional; not yet');
  s.clock.advance(2);
  const cancels = s.net.requests('CANCEL');
  t.equal(cancels.length, 1, 'Timer C (> 3 min after the last provisional) sends CANCEL');
  t.equal(cancels[0]!.at - s.t0, 1000 + 60_000 + 181_000);
  s.reply(cancels[0]!.msg, 200, 'OK');
  s.reply(s.invite(), 487, 'Request Terminated');
  t.match(s.end(), { sipStatus: 487, by: 'timeout' });
});

t.test('a far end that never answers our CANCEL: the INVITE counts as cancelled 64·T1 later (§9.1), still result 2', async (t) => {
  const s = await setup(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  s.reply(s.invite(), 180, 'Ringing');
  s.clock.advance(40_000);
  t.equal(s.net.requests('CANCEL').length, 1);
  s.clock.advance(31_999);
  t.equal(s.end(), undefined);
  s.clock.advance(1);
  const c = s.end();
  t.match(c, { by: 'timeout', answered: false });
  t.equal(s.result(c!), 2);
});

t.test('a 200 OK crossing our CANCEL is ACKed and hung up at once', async (t) => {
  const s = await setup(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  s.reply(s.invite(), 180, 'Ringing');
  s.clock.advance(40_000);
  const cancel = s.net.requests('CANCEL')[0]!.msg;
  s.reply(s.invite(), 200, 'OK');
  s.reply(cancel, 200, 'OK');
  t.equal(s.net.requests('ACK').length, 1, '2xx ACKed');
  const bye = s.net.requests('BYE');
  t.equal(bye.length, 1, 'BYE at once');
  s.reply(bye[0]!.msg, 200, 'OK');
  const c = s.end();
  t.match(c, { by: 'timeout', answered: false });
  t.equal(s.result(c!), 2);
});

t.test('the ring timeout counts from the INVITE on the wire, not from an admission that held it up (beforeSend)', async (t) => {
  // Found in test/e2e/scale/fault.test.ts: the shared admission (a Redis round trip, slow while a master fails over)
  // held the INVITE up after the ring timer had started, so a far end playing a SIT (about 1 s of tones before the
  // dialer can tell) was cancelled as "no answer" at a 2 s ring timeout that had mostly passed before the INVITE left.
  const s = await setup(t);
  let admit!: (ok: boolean) => void;
  const originated = s.driver.originate({
    to: '0312345678',
    ringTimeoutMs: 2000,
    beforeSend: () => new Promise<boolean>((r) => (admit = r)),
  });
  while (!admit) await new Promise((r) => setImmediate(r));
  s.clock.advance(1500);
  t.equal(s.net.requests('INVITE').length, 0, 'held up by the admission');
  admit(true);
  await originated;
  const sentAt = s.net.requests('INVITE')[0]!.at;
  t.equal(sentAt - s.t0, 1500, 'the INVITE left when admitted');
  s.reply(s.invite(), 183, 'Session Progress');
  s.clock.advance(1999);
  t.equal(s.net.requests('CANCEL').length, 0, 'no CANCEL before 2 s of ringing');
  s.clock.advance(1);
  const cancels = s.net.requests('CANCEL');
  t.equal(cancels.length, 1, 'CANCEL 2 s after the INVITE');
  t.equal(cancels[0]!.at - sentAt, 2000);
  s.reply(cancels[0]!.msg, 200, 'OK');
  s.reply(s.invite(), 487, 'Request Terminated');
  t.match(s.end(), { sipStatus: 487, by: 'timeout', answered: false });
});
