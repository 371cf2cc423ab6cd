/**
 * RFC 3263 server location: the pure orderings (NAPTR §4.1, SRV per RFC 2782)
 * and the whole lookup chain against a loopback DNS server through node:dns.
 */
import t from 'tap';
import { nodeDnsLookup, orderNaptr, orderSrv, resolveSipTargets, ServerLocator, type SipTarget, type SrvRecord } from '../../../lib/sip';
import { startTestDns, type Zone } from '../../helpers/dns-server';

const srv = (name: string, priority: number, weight: number, port = 5060): SrvRecord => ({ name, priority, weight, port });

t.test('SRV order: priority first, weighted choice inside a priority (RFC 2782)', async (t) => {
  const recs = [srv('c', 20, 0), srv('a', 10, 60), srv('b', 10, 40), srv('z', 10, 0)];
  // Deterministic picks: random 0 selects the first record whose running sum is ≥ 0 — the weight-0 one placed first.
  t.same(
    orderSrv(recs, () => 0).map((r) => r.name),
    ['z', 'a', 'b', 'c'],
  );
  // A pick above 60 of 100 lands on b (running sums z 0, a 60, b 100).
  t.same(
    orderSrv(recs, () => 0.7).map((r) => r.name),
    ['b', 'a', 'z', 'c'],
  );
  // Over many draws the first choice follows the weights 60:40 (weight 0 almost never first).
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const first: Record<string, number> = { a: 0, b: 0, z: 0 };
  for (let i = 0; i < 10_000; i++) first[orderSrv(recs, rnd)[0]!.name]!++;
  t.ok(first.a! > 5600 && first.a! < 6400, `a first ≈ 60 % (${first.a})`);
  t.ok(first.b! > 3600 && first.b! < 4400, `b first ≈ 40 % (${first.b})`);
  t.ok(first.z! < 50, `weight 0 rarely first (${first.z})`);
  t.same(orderSrv([srv('.', 0, 0)]), [], 'target "." = service not offered here');
});

t.test('NAPTR: flag S, supported services only, by order then preference (RFC 3263 §4.1)', async (t) => {
  const n = (order: number, preference: number, service: string, replacement: string, flags = 's') => ({
    order,
    preference,
    service,
    flags,
    regexp: '',
    replacement,
  });
  const recs = [
    n(20, 10, 'SIP+D2U', '_sip._udp.x'),
    n(10, 20, 'SIP+D2U', '_sip._udp.y'),
    n(10, 10, 'SIP+D2T', '_sip._tcp.x'),
    n(5, 10, 'SIPS+D2T', '_sips._tcp.x'),
    n(1, 10, 'SIP+D2U', 'a.x', 'a'),
  ];
  t.same(orderNaptr(recs, ['udp', 'tcp']), [
    { transport: 'tcp', srvName: '_sip._tcp.x' },
    { transport: 'udp', srvName: '_sip._udp.y' },
    { transport: 'udp', srvName: '_sip._udp.x' },
  ]);
  t.same(orderNaptr(recs, ['udp']), [
    { transport: 'udp', srvName: '_sip._udp.y' },
    { transport: 'udp', srvName: '_sip._udp.x' },
  ]);
});

const ZONE: Zone = {
  'carrier.test': [
    {
      type: 'NAPTR',
      data: { order: 10, preference: 10, flags: 'S', services: 'SIP+D2T', regexp: '', replacement: '_sip._tcp.carrier.test' },
    },
    {
      type: 'NAPTR',
      data: { order: 20, preference: 10, flags: 'S', services: 'SIP+D2U', regexp: '', replacement: '_sip._udp.carrier.test' },
    },
  ],
  '_sip._tcp.carrier.test': [
    { type: 'SRV', data: { priority: 10, weight: 0, port: 5070, target: 'sbc1.carrier.test' } },
    { type: 'SRV', data: { priority: 20, weight: 0, port: 5080, target: 'sbc2.carrier.test' } },
  ],
  '_sip._udp.carrier.test': [{ type: 'SRV', data: { priority: 10, weight: 0, port: 5090, target: 'sbc1.carrier.test' } }],
  'sbc1.carrier.test': [{ type: 'A', data: '127.0.0.11' }],
  'sbc2.carrier.test': [
    { type: 'A', data: '127.0.0.12' },
    { type: 'A', data: '127.0.0.13' },
  ],
  'srvonly.test': [],
  '_sip._udp.srvonly.test': [{ type: 'SRV', data: { priority: 1, weight: 0, port: 5062, target: 'sbc1.carrier.test' } }],
  'plain.test': [{ type: 'A', data: '127.0.0.20' }],
};

t.test('resolution chain over a loopback DNS server (node:dns with setServers)', async (t) => {
  const dns = await startTestDns(ZONE);
  t.teardown(() => dns.close());
  const lookup = nodeDnsLookup([dns.server]);
  const both = { supported: ['udp', 'tcp'] as const, family: 4 as const };
  const show = (ts: SipTarget[]) => ts.map((x) => `${x.transport}:${x.address}:${x.port}`);

  t.same(
    show(await resolveSipTargets({ host: 'carrier.test' }, lookup, both)),
    ['tcp:127.0.0.11:5070', 'tcp:127.0.0.12:5080', 'tcp:127.0.0.13:5080', 'udp:127.0.0.11:5090'],
    'NAPTR chose TCP first; SRV priorities; every A of each target; then the UDP NAPTR',
  );
  t.same(
    show(await resolveSipTargets({ host: 'carrier.test' }, lookup, { ...both, supported: ['udp'] })),
    ['udp:127.0.0.11:5090'],
    'a UDP-only client skips SIP+D2T',
  );
  t.same(
    show(await resolveSipTargets({ host: 'carrier.test', transport: 'udp' }, lookup, both)),
    ['udp:127.0.0.11:5090'],
    'a fixed transport skips NAPTR: _sip._udp SRV',
  );
  t.same(show(await resolveSipTargets({ host: 'srvonly.test' }, lookup, both)), ['udp:127.0.0.11:5062'], 'no NAPTR: SRV per transport');
  t.same(show(await resolveSipTargets({ host: 'plain.test' }, lookup, both)), ['udp:127.0.0.20:5060'], 'no SRV: A on 5060');
  const before = dns.questions.length;
  t.same(show(await resolveSipTargets({ host: 'plain.test', port: 5099 }, lookup, both)), ['udp:127.0.0.20:5099'], 'a port: A only');
  t.same(
    dns.questions.slice(before).map((q) => q.type),
    ['A'],
    'with a port no NAPTR/SRV is asked (§4.2)',
  );
  t.same(await resolveSipTargets({ host: 'missing.test' }, lookup, both), [], 'NXDOMAIN: no targets');
  t.same(show(await resolveSipTargets({ host: '127.0.0.5' }, lookup, both)), ['udp:127.0.0.5:5060'], 'an IP literal needs no DNS');
});

t.test('locator: cached answers, one lookup for concurrent calls, failed servers tried last', async (t) => {
  const dns = await startTestDns(ZONE);
  t.teardown(() => dns.close());
  let now = 0;
  const loc = new ServerLocator(nodeDnsLookup([dns.server]), {
    supported: ['udp'],
    family: 4,
    cacheMs: 60_000,
    downMs: 30_000,
    now: () => now,
  });
  const spec = { host: '_sip._udp.carrier.test'.replace('_sip._udp.', ''), transport: 'tcp' as const };
  const all = await Promise.all([loc.targets(spec), loc.targets(spec), loc.targets(spec)]);
  const asked = dns.questions.filter((q) => q.type === 'SRV').length;
  t.equal(asked, 1, 'three concurrent calls, one SRV query');
  t.same(
    all[0]!.map((x) => x.address),
    ['127.0.0.11', '127.0.0.12', '127.0.0.13'],
  );
  loc.markDown(all[0]![0]!);
  t.same(
    (await loc.targets(spec)).map((x) => x.address),
    ['127.0.0.12', '127.0.0.13', '127.0.0.11'],
    'a server that timed out goes last',
  );
  now += 30_000;
  t.same(
    (await loc.targets(spec)).map((x) => x.address),
    ['127.0.0.11', '127.0.0.12', '127.0.0.13'],
    'and comes back after serverDownS',
  );
  t.equal(dns.questions.filter((q) => q.type === 'SRV').length, 1, 'still cached');
  now += 30_001;
  await loc.targets(spec);
  t.equal(dns.questions.filter((q) => q.type === 'SRV').length, 2, 'looked up again after dnsCacheS');
});
