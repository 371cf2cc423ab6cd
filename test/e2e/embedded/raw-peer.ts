/**
 * A hand-driven SIP peer on a raw UDP socket, for what SIPp cannot do on cue:
 * garbage datagrams, retransmitted 200 OKs, a BYE racing a CANCEL, RFC 4733
 * DTMF, and counting exactly what arrives.
 */
import { createSocket, type Socket } from 'node:dgram';
import { header, parseMessage, serialize, type SipMessage, type SipRequest } from '../../../lib/sip';
import { responseTo } from '../../../lib/sip';

export interface RawPeer {
  socket: Socket;
  port: number;
  address: string;
  /** Every SIP message received, in order. */
  received: SipMessage[];
  /** Resolves with the next (or an already received, not yet taken) request of this method. */
  nextRequest(method: string, timeoutMs?: number): Promise<SipRequest>;
  /** Answers a request; `sdpPort` adds an SDP body pointing to that RTP port on this host. */
  respond(req: SipRequest, status: number, reason: string, o?: { sdpPort?: number; toTag?: string }): Buffer;
  sendRaw(buf: Buffer | string, to: { address: string; port: number }): void;
  close(): void;
}

export async function startRawPeer(host = '127.0.0.1'): Promise<RawPeer> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, host, () => r()));
  const received: SipMessage[] = [];
  const taken = new Set<SipMessage>();
  const waiters: Array<{ method: string; res: (r: SipRequest) => void }> = [];
  let last: { address: string; port: number } | undefined;
  socket.on('message', (buf, rinfo) => {
    let m: SipMessage;
    try {
      m = parseMessage(buf);
    } catch {
      return;
    }
    last = { address: rinfo.address, port: rinfo.port };
    received.push(m);
    if (m.kind === 'request') {
      const i = waiters.findIndex((w) => w.method === m.method);
      if (i >= 0) {
        taken.add(m);
        waiters.splice(i, 1)[0]!.res(m);
      }
    }
  });
  const port = (socket.address() as { port: number }).port;
  return {
    socket,
    port,
    address: `${host}:${port}`,
    received,
    nextRequest(method, timeoutMs = 5000) {
      const have = received.find((m): m is SipRequest => m.kind === 'request' && m.method === method && !taken.has(m));
      if (have) {
        taken.add(have);
        return Promise.resolve(have);
      }
      return new Promise((res, rej) => {
        const w = { method, res: (r: SipRequest) => (clearTimeout(timer), res(r)) };
        waiters.push(w);
        const timer = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            rej(new Error(`no ${method} within ${timeoutMs} ms`));
          }
        }, timeoutMs);
      });
    },
    respond(req, status, reason, o = {}) {
      const extra = [{ name: 'Contact', value: `<sip:peer@${host}:${port}>` }];
      let body = Buffer.alloc(0);
      if (o.sdpPort) {
        extra.push({ name: 'Content-Type', value: 'application/sdp' });
        body = Buffer.from(
          `v=0\r\no=peer 1 1 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio ${o.sdpPort} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n`,
        );
      }
      const buf = serialize(responseTo(req, status, reason, extra, body, o.toTag ?? 'peertag'));
      socket.send(buf, last!.port, last!.address);
      return buf;
    },
    sendRaw(buf, to) {
      socket.send(typeof buf === 'string' ? Buffer.from(buf) : buf, to.port, to.address);
    },
    close() {
      socket.close();
    },
  };
}

export function callIdOf(m: SipMessage): string {
  return header(m, 'Call-ID')!;
}
