/**
 * Host names in an in-dialog Contact or Record-Route (RFC 3261 §8.1.2, §16.12) are located per RFC 3263
 * (SRV, then A) through the driver's locator, against a DNS server on loopback
 * (test/helpers/dns-server.ts) over node:dns. The SIP side is the real driver on an in-memory transport
 * (it records where each message went); the trunk itself is an IP literal, so every name comes from the
 * far end's 2xx. Waits are for the condition (DNS answers arrive when they do), bounded.
 */
import t from 'tap';
import { validateConfig } from '../../../lib/config';
import { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import type { LegEvent } from '../../../lib/telephony/contract';
import { responseTo, VirtualClock, header, type SipHeader, type SipRequest } from '../../../lib/sip';
import { MemoryTransport } from '../../helpers/sip-memory';
import { startTestDns, type Zone } from '../../helpers/dns-server';
import { FAR_SDP } from '../../helpers/embedded-virtual';

const ZONE: Zone = {
  '_sip._udp.proxy.test': [{ type: 'SRV', data: { priority: 10, weight: 0, port: 5099, target: 'sbc.proxy.test' } }],
  'sbc.proxy.test': [{ type: 'A', data: '127.0.0.7' }],
  'gw.test': [{ type: 'A', data: '127.0.0.8' }],
};

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const dns = await startTestDns(ZONE);
  t.teardown(() => dns.close());
  const clock = new VirtualClock();
  const net = new MemoryTransport(() => clock.now());
  const cfg = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0, dnsServers: [dns.server] } },
      trunks: [{ name: 'far', address: '127.0.0.1:5070', callsPerSecond: 1000 }],
    },
  });
  const driver = new EmbeddedDriver({ embedded: cfg.telephony.embedded, trunks: cfg.telephony.trunks, sipClock: clock, transports: [net] });
  await driver.start();
  t.teardown(() => driver.stop());
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const legId = await driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  const invite = net.requests('INVITE')[0]!.msg;
  const answer = (extra: SipHeader[]) =>
    net.deliver(
      responseTo(invite, 200, 'OK', [{ name: 'Content-Type', value: 'application/sdp' }, ...extra], Buffer.from(FAR_SDP), 'farTag'),
    );
  const where = (method: string) => net.requests(method).map((r) => `${r.dest.address}:${r.dest.port}`);
  const end = () => events.find((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end')?.cause;
  /** Our BYE, answered 200 once it is out; resolves when the leg has ended. */
  const hangUp = async () => {
    const done = driver.hangup(legId);
    await until('BYE', () => net.requests('BYE').length > 0);
    const bye = net.requests('BYE')[0]!.msg as SipRequest;
    net.deliver(responseTo(bye, 200, 'OK', [], Buffer.alloc(0)));
    await done;
    return bye;
  };
  return { dns, net, answer, where, end, hangUp };
}

t.test('a Contact host name (no Record-Route): ACK and BYE go to its A record, looked up once', async (t) => {
  const s = await setup(t);
  s.answer([{ name: 'Contact', value: '<sip:far@gw.test:5090>' }]);
  await until('ACK', () => s.net.requests('ACK').length > 0);
  t.same(s.where('ACK'), ['127.0.0.8:5090'], 'remote target gw.test:5090 → 127.0.0.8 (a port: A only, RFC 3263 §4.2)');
  const bye = await s.hangUp();
  t.equal(bye.uri, 'sip:far@gw.test:5090', 'the Request-URI keeps the name');
  t.same(s.where('BYE'), ['127.0.0.8:5090']);
  t.match(s.end(), { by: 'local', answered: true });
  t.equal(s.dns.questions.filter((q) => q.name.toLowerCase() === 'gw.test').length, 1, 'one lookup for the dialog');
});

t.test('a Record-Route host name: the loose router is located by SRV (_sip._udp), the Contact name is not used', async (t) => {
  const s = await setup(t);
  s.answer([
    { name: 'Record-Route', value: '<sip:proxy.test;lr>' },
    { name: 'Contact', value: '<sip:far@gw.test:5090>' },
  ]);
  await until('ACK', () => s.net.requests('ACK').length > 0);
  t.same(s.where('ACK'), ['127.0.0.7:5099'], 'proxy.test → SRV sbc.proxy.test:5099 → 127.0.0.7');
  const ack = s.net.requests('ACK')[0]!.msg;
  t.equal(header(ack, 'Route'), '<sip:proxy.test;lr>');
  t.equal(ack.uri, 'sip:far@gw.test:5090');
  await s.hangUp();
  t.same(s.where('BYE'), ['127.0.0.7:5099']);
  t.notOk(
    s.dns.questions.some((q) => q.name.toLowerCase() === 'gw.test'),
    'the remote target behind a loose router is its business',
  );
});

t.test('a Contact name that does not resolve: the ACK goes where the INVITE went, the call is not lost', async (t) => {
  const s = await setup(t);
  s.answer([{ name: 'Contact', value: '<sip:far@nowhere.test:5090>' }]);
  await until('ACK', () => s.net.requests('ACK').length > 0);
  t.same(s.where('ACK'), ['127.0.0.1:5070']);
  await s.hangUp();
  t.same(s.where('BYE'), ['127.0.0.1:5070']);
  t.match(s.end(), { by: 'local', answered: true });
});
