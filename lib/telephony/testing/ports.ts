import { createSocket } from 'node:dgram';
import { freePort } from '../../store/redis-server';

/** True when `port` can be bound for UDP on loopback right now. */
export function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      res(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/**
 * A loopback port free for TCP and for UDP on `span` consecutive ports. freePort()
 * probes TCP only, but SIPp's SIP (-p) and media (-mp: RTP, RTCP, video RTP/RTCP)
 * sockets are UDP: a port free for TCP may still be held by a live call's RTP
 * (seen as "Unable to bind audio RTP socket … Address already in use").
 */
/** Ports this process handed out lately: concurrent callers (cases run in parallel) get disjoint spans. */
const handedOut = new Map<number, number>();
const HOLD_MS = 60_000;

function recentlyHandedOut(p: number, span: number, now: number): boolean {
  for (const [port, until] of handedOut) {
    if (until < now) handedOut.delete(port);
    else if (port >= p && port < p + span) return true;
  }
  return false;
}

export async function freeUdpPort(span = 1): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (p + span > 65535 || recentlyHandedOut(p, span, Date.now())) continue;
    const probes = Array.from({ length: span }, (_, k) => udpFree(p + k));
    if (!(await Promise.all(probes)).every(Boolean)) continue;
    if (recentlyHandedOut(p, span, Date.now())) continue;
    for (let k = 0; k < span; k++) handedOut.set(p + k, Date.now() + HOLD_MS);
    return p;
  }
  throw new Error(`no loopback port with ${span} free UDP port(s) after 50 tries`);
}
