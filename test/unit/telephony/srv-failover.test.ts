/**
 * RFC 3263 §4.3 failover on the embedded driver in virtual time: a trunk name
 * with two SRV targets; the first never answers, so the INVITE goes to the
 * second exactly at Timer B (64·T1 = 32 s) and not a millisecond before; a
 * 503 moves on at once; after a 180 nothing moves on. The DNS answers come
 * through the driver's DnsLookup port (the real node:dns path is tested
 * against a loopback DNS server in test/unit/sip/dns.test.ts).
 */
import t from 'tap';
import { validateConfig } from '../../../lib/config';
import { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import type { LegEvent } from '../../../lib/telephony/contract';
import { header, responseTo, VirtualClock, type DnsLookup, type SipRequest } from '../../../lib/sip';
import { MemoryTransport } from '../../helpers/sip-memory';

const dns: DnsLookup = {
  naptr: async () => [],
  srv: async (name) =>
    name === '_sip._udp.trunk.test'
      ? [
          { name: 'sbc2.trunk.test', port: 5080, priority: 20, weight: 0 },
          { name: 'sbc1.trunk.test', port: 5070, priority: 10, weight: 0 },
        ]
      : [],
  addresses: async (name) => ({ 'sbc1.trunk.test': ['127.0.0.11'], 'sbc2.trunk.test': ['127.0.0.12'] })[name] ?? [],
};

async function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new VirtualClock();
  const net = new MemoryTransport(() => clock.now());
  const cfg = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'carrier', address: 'trunk.test', transport: 'udp', callsPerSecond: 1000 }],
    },
  });
  const driver = new EmbeddedDriver({
    embedded: cfg.telephony.embedded,
    trunks: cfg.telephony.trunks,
    sipClock: clock,
    transports: [net],
    dns,
  });
  await driver.start();
  t.teardown(() => driver.stop());
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const invites = () => net.requests('INVITE');
  const reply = (req: SipRequest, status: number, reason: string, from: { address: string; port: number }) =>
    net.deliver(responseTo(req, status, reason, [], Buffer.alloc(0), 'farTag'), from);
  const end = () => events.find((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end')?.cause;
  return { clock, net, driver, invites, reply, end, t0: clock.now() };
}

const at = (s: { address: string; port: number }) => `${s.address}:${s.port}`;

t.test('a silent first SRV target: the next one gets the INVITE at Timer B, same Call-ID, CSeq + 1, new branch', async (t) => {
  const s = await setup(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  const first = s.invites()[0]!;
  t.equal(at(first.dest), '127.0.0.11:5070', 'priority 10 first');
  t.equal(first.msg.uri, 'sip:0312345678@trunk.test', 'the Request-URI keeps the name');
  s.clock.advance(31_999);
  t.ok(
    s.invites().every((i) => at(i.dest) === '127.0.0.11:5070'),
    `only Timer A retransmissions to the first until 31.999 s (${s.invites().length})`,
  );
  s.clock.advance(1);
  const second = s.invites().find((i) => at(i.dest) === '127.0.0.12:5080');
  t.ok(second, 'the INVITE goes to the priority-20 target at 32 s');
  t.equal(second!.at - s.t0, 32_000);
  t.equal(header(second!.msg, 'Call-ID'), header(first.msg, 'Call-ID'));
  t.equal(parseInt(header(second!.msg, 'CSeq')!), parseInt(header(first.msg, 'CSeq')!) + 1);
  t.not(header(second!.msg, 'Via'), header(first.msg, 'Via'), 'a new transaction');
  t.equal(s.end(), undefined, 'the call goes on');
  s.reply(second!.msg, 486, 'Busy Here', { address: '127.0.0.12', port: 5080 });
  t.match(s.end(), { sipStatus: 486, by: 'remote' }, 'the second server decides the call');

  // The next call starts with the server that answered: the silent one is tried last for serverDownS.
  await s.driver.originate({ to: '0312345679', ringTimeoutMs: 40_000 });
  t.equal(at(s.invites().at(-1)!.dest), '127.0.0.12:5080', 'next call: the silent server is tried last');
});

t.test('503 from the first target moves on at once; a 180 then 503 does not (the phone rang)', async (t) => {
  const s = await setup(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  s.clock.advance(100);
  s.reply(s.invites()[0]!.msg, 503, 'Service Unavailable', { address: '127.0.0.11', port: 5070 });
  const next = s.invites().at(-1)!;
  t.equal(at(next.dest), '127.0.0.12:5080', '503 → next target');
  t.equal(next.at - s.t0, 100, 'at once');
  t.equal(s.net.requests('ACK').length, 1, 'the 503 was ACKed');

  const s2 = await setup(t);
  await s2.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  const inv = s2.invites()[0]!.msg;
  s2.reply(inv, 180, 'Ringing', { address: '127.0.0.11', port: 5070 });
  s2.reply(inv, 503, 'Service Unavailable', { address: '127.0.0.11', port: 5070 });
  t.equal(new Set(s2.invites().map((i) => at(i.dest))).size, 1, 'no INVITE to another server');
  t.match(s2.end(), { sipStatus: 503, by: 'remote' });
});
