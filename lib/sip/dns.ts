/**
 * Locating SIP servers (RFC 3263 §4): from a trunk's host name to an ordered
 * list of (transport, address, port) targets. NAPTR picks the transport
 * (§4.1), SRV the servers and their order (§4.2, RFC 2782 priorities and
 * weights), A/AAAA the addresses. The choices are pure functions; the lookups
 * come through the small `DnsLookup` port (node:dns below, a test's loopback
 * server in tests — never an external resolver in the suite).
 */
import { isIP } from 'node:net';
import { lookup, Resolver } from 'node:dns/promises';
import type { TransportProtocol } from './transport';

export interface SipTarget {
  address: string;
  port: number;
  transport: TransportProtocol;
  /** The SRV target (or host) name the address came from, for logs. */
  name: string;
}

export interface NaptrRecord {
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
  order: number;
  preference: number;
}

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** Each lookup resolves to [] when the name has no such records (NXDOMAIN, NODATA). */
export interface DnsLookup {
  naptr(name: string): Promise<NaptrRecord[]>;
  srv(name: string): Promise<SrvRecord[]>;
  addresses(name: string, family: 4 | 6): Promise<string[]>;
}

export interface TargetSpec {
  host: string;
  /** An explicit port means no NAPTR/SRV: A/AAAA only (§4.2). */
  port?: number;
  /** An explicit transport skips NAPTR (§4.1, as a URI's transport parameter). */
  transport?: TransportProtocol;
}

/** NAPTR services we can use (RFC 3263 §4.1; SIPS/TLS and SCTP are not supported). */
const NAPTR_SERVICES: Record<string, TransportProtocol> = { 'SIP+D2U': 'udp', 'SIP+D2T': 'tcp' };

/** §4.1: NAPTR records with flag "S" and a service we support, by order then preference. */
export function orderNaptr(records: readonly NaptrRecord[], supported: readonly TransportProtocol[]) {
  return records
    .filter((r) => r.flags.toLowerCase() === 's' && supported.includes(NAPTR_SERVICES[r.service.toUpperCase()]!))
    .sort((a, b) => a.order - b.order || a.preference - b.preference)
    .map((r) => ({ transport: NAPTR_SERVICES[r.service.toUpperCase()]!, srvName: r.replacement }));
}

/**
 * RFC 2782 target selection: lowest priority first; inside one priority a
 * weighted random order (weight 0 records placed first, then each pick with
 * probability weight / remaining sum). A single "." target means the service
 * is decidedly not available here.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const usable = records.filter((r) => r.name !== '' && r.name !== '.');
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b);
  const out: SrvRecord[] = [];
  for (const p of priorities) {
    const group = usable.filter((r) => r.priority === p).sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
    while (group.length) {
      const total = group.reduce((s, r) => s + r.weight, 0);
      const pick = random() * total;
      let sum = 0;
      // The first record whose running sum reaches the pick (RFC 2782: "greater than or equal to").
      const i = Math.max(
        0,
        group.findIndex((r) => (sum += r.weight) >= pick),
      );
      out.push(group.splice(i, 1)[0]!);
    }
  }
  return out;
}

export interface ResolveOptions {
  /** Transports this client speaks, in order of preference when DNS does not choose. */
  supported: readonly TransportProtocol[];
  /** Address family our SIP socket can reach. */
  family: 4 | 6;
  random?: () => number;
}

/**
 * §4.1/§4.2: an IP literal is used as it is; a name with a port resolves by
 * A/AAAA; otherwise NAPTR (unless the transport is fixed), then SRV for the
 * chosen (or each supported) transport, then A/AAAA on port 5060. All targets
 * are returned in order: §4.3 failover walks down the list.
 */
export async function resolveSipTargets(spec: TargetSpec, dns: DnsLookup, o: ResolveOptions): Promise<SipTarget[]> {
  const host = spec.host.replace(/\.$/, '');
  const fallbackTransport = spec.transport ?? o.supported[0] ?? 'udp';
  if (isIP(host)) return [{ address: host, port: spec.port ?? 5060, transport: fallbackTransport, name: host }];
  if (spec.port !== undefined) return hostTargets(host, spec.port, fallbackTransport, dns, o.family);

  const srvNames: Array<{ transport: TransportProtocol; srvName: string }> = [];
  if (!spec.transport) srvNames.push(...orderNaptr(await dns.naptr(host), o.supported));
  if (!srvNames.length)
    for (const t of spec.transport ? [spec.transport] : o.supported) srvNames.push({ transport: t, srvName: `_sip._${t}.${host}` });

  const out: SipTarget[] = [];
  for (const { transport, srvName } of srvNames) {
    for (const srv of orderSrv(await dns.srv(srvName), o.random)) {
      for (const t of await hostTargets(srv.name.replace(/\.$/, ''), srv.port, transport, dns, o.family))
        if (!out.some((x) => sameTarget(x, t))) out.push(t);
    }
  }
  if (out.length) return out;
  // §4.2: no SRV records — the host's own addresses on the default port.
  return hostTargets(host, 5060, fallbackTransport, dns, o.family);
}

async function hostTargets(name: string, port: number, transport: TransportProtocol, dns: DnsLookup, family: 4 | 6) {
  if (isIP(name)) return [{ address: name, port, transport, name }];
  return (await dns.addresses(name, family)).map((address) => ({ address, port, transport, name }));
}

export const sameTarget = (a: Omit<SipTarget, 'name'>, b: Omit<SipTarget, 'name'>) =>
  a.address === b.address && a.port === b.port && a.transport === b.transport;

const EMPTY = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

/**
 * DnsLookup over node:dns. `servers`: "ip" or "ip:port" entries for NAPTR/SRV
 * and A/AAAA; empty = the system's resolvers for NAPTR/SRV and getaddrinfo for
 * addresses (so /etc/hosts names such as localhost work as elsewhere).
 */
export function nodeDnsLookup(servers: readonly string[] = [], timeoutMs = 2000): DnsLookup {
  const r = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length) r.setServers([...servers]);
  const empty = <T>(p: Promise<T[]>): Promise<T[]> =>
    p.catch((err: NodeJS.ErrnoException) => {
      if (err.code && EMPTY.has(err.code)) return [];
      throw err;
    });
  return {
    naptr: (name) => empty(r.resolveNaptr(name)),
    srv: (name) => empty(r.resolveSrv(name)),
    addresses: (name, family) =>
      servers.length
        ? empty(family === 6 ? r.resolve6(name) : r.resolve4(name))
        : empty(lookup(name, { all: true, family }).then((xs) => xs.map((x) => x.address))),
  };
}
