/**
 * A loopback DNS server for tests of RFC 3263 trunk resolution: answers
 * NAPTR, SRV, A and AAAA from a zone given by the test (wire format by the
 * dns-packet package), NXDOMAIN for names it does not hold, NODATA for types
 * a name lacks. It records every question so a test can check what was asked.
 */
import { createSocket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';

export type ZoneRecord =
  | { type: 'A'; data: string }
  | { type: 'AAAA'; data: string }
  | { type: 'SRV'; data: { priority: number; weight: number; port: number; target: string } }
  | {
      type: 'NAPTR';
      data: { order: number; preference: number; flags: string; services: string; regexp: string; replacement: string };
    };

export type Zone = Record<string, ZoneRecord[]>;

export interface TestDns {
  /** "127.0.0.1:port" for telephony.embedded.sip.dnsServers. */
  server: string;
  questions: Array<{ name: string; type: string }>;
  close(): Promise<void>;
}

const NXDOMAIN = 3;

export async function startTestDns(zone: Zone): Promise<TestDns> {
  const sock = createSocket('udp4');
  const questions: TestDns['questions'] = [];
  const lower = new Map(Object.entries(zone).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), v]));
  sock.on('message', (buf, rinfo) => {
    let q: dnsPacket.DecodedPacket;
    try {
      q = dnsPacket.decode(buf);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    questions.push({ name: question.name, type: question.type });
    const records = lower.get(question.name.toLowerCase());
    const answers = (records ?? [])
      .filter((r) => r.type === question.type)
      .map((r) => ({ ...r, name: question.name, ttl: 60, class: 'IN' as const }) as dnsPacket.Answer);
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | (records ? 0 : NXDOMAIN),
      questions: [question],
      answers,
    });
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
  return {
    server: `127.0.0.1:${sock.address().port}`,
    questions,
    close: () => new Promise<void>((res) => sock.close(() => res())),
  };
}
