import { createSocket } from 'node:dgram';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
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

/**
 * Who holds a loopback UDP port, from Linux's socket table: 'mine' when process `pid` has the socket bound to
 * 127.0.0.1:`port` open, 'other' when another process does, 'free' when nobody; undefined where /proc cannot say
 * (not Linux). A probe that can only bind (udpFree) cannot tell a SIPp that has bound its port from another
 * process's socket on the same number: files running side by side each pick ports probed free, and once a far end
 * that lost that race was taken for started, its calls went to the other file's SIPp (CI: a digest-auth call
 * declined with the other file's carrier simulator's 603).
 */
export function udpPortHolder(pid: number, port: number): 'mine' | 'other' | 'free' | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return undefined;
  }
  // Rows: "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …"; 127.0.0.1 is 0100007F.
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = table
    .split('\n')
    .slice(1)
    .map((row) => row.trim().split(/\s+/))
    .filter((f) => f[1] === local)
    .map((f) => f[9]);
  if (inodes.length === 0) return 'free';
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 'other';
  }
  const wanted = new Set(inodes.map((i) => `socket:[${i}]`));
  for (const fd of fds) {
    try {
      if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return 'mine';
    } catch {
      // closed meanwhile
    }
  }
  return 'other';
}
