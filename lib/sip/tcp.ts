/**
 * TCP transport (RFC 3261 §18): a listening socket for connections the far
 * end opens, and connections we open on demand, reused per remote
 * address:port (§18.1.1; responses go back on the connection the request came
 * in on, §18.2.2). Messages are framed out of the byte stream by
 * Content-Length, which is mandatory over TCP (§18.3, §20.14).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Endpoint, Transport, TransportLogger } from './transport';

/** The longest message we take from a stream before giving up on the connection (headers + body). */
export const TCP_MAX_MESSAGE_BYTES = 64 * 1024;

/** Splits a byte stream into SIP messages. Returns the complete messages and keeps the rest. */
export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      // RFC 5626 keep-alive CRLFs between messages are skipped.
      let start = 0;
      while (start + 1 < this.buf.length && this.buf[start] === 0x0d && this.buf[start + 1] === 0x0a) start += 2;
      if (start) this.buf = this.buf.subarray(start);
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buf.length > TCP_MAX_MESSAGE_BYTES) throw new Error(`no end of headers within ${TCP_MAX_MESSAGE_BYTES} bytes`);
        return out;
      }
      const head = this.buf.toString('latin1', 0, end);
      const m = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im.exec(head);
      if (!m) throw new Error('message without Content-Length on a stream transport (RFC 3261 §18.3)');
      const total = end + 4 + Number(m[1]);
      if (total > TCP_MAX_MESSAGE_BYTES) throw new Error(`message of ${total} bytes exceeds ${TCP_MAX_MESSAGE_BYTES}`);
      if (this.buf.length < total) return out;
      out.push(Buffer.from(this.buf.subarray(0, total)));
      this.buf = this.buf.subarray(total);
    }
  }
}

interface Conn {
  socket: Socket;
  ready: boolean;
  queue: Buffer[];
}

export class TcpTransport implements Transport {
  readonly protocol = 'tcp' as const;
  readonly reliable = true;
  private conns = new Map<string, Conn>();
  private handler?: (m: Buffer, s: Endpoint) => void;
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly log?: TransportLogger,
  ) {
    server.on('connection', (socket) => {
      const key = `${socket.remoteAddress}:${socket.remotePort}`;
      this.adopt(key, { socket, ready: true, queue: [] }, { address: socket.remoteAddress!, port: socket.remotePort!, transport: 'tcp' });
    });
  }

  /** Listens on host:port (0 = any free port). */
  static async listen(host: string, port: number, log?: TransportLogger): Promise<TcpTransport> {
    const server = createServer();
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(port, host, () => {
        server.off('error', rej);
        res();
      });
    });
    return new TcpTransport(server, log);
  }

  get local(): Endpoint {
    const a = this.server.address();
    return typeof a === 'object' && a ? { address: a.address, port: a.port, transport: 'tcp' } : { address: '', port: 0, transport: 'tcp' };
  }

  onMessage(handler: (m: Buffer, s: Endpoint) => void): void {
    this.handler = handler;
  }

  send(message: Buffer, dest: Endpoint): void {
    if (this.closed) return;
    const key = `${dest.address}:${dest.port}`;
    let c = this.conns.get(key);
    if (!c) {
      const socket = connect({ host: dest.address, port: dest.port });
      c = { socket, ready: false, queue: [] };
      const conn = c;
      socket.once('connect', () => {
        conn.ready = true;
        for (const b of conn.queue.splice(0)) socket.write(b);
      });
      this.adopt(key, c, { address: dest.address, port: dest.port, transport: 'tcp' });
    }
    if (c.ready) c.socket.write(message);
    else c.queue.push(message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.conns.values()) c.socket.destroy();
    this.conns.clear();
    this.server.close();
  }

  /** Number of open connections (tests, /metrics). */
  get connections(): number {
    return this.conns.size;
  }

  private adopt(key: string, c: Conn, source: Endpoint): void {
    this.conns.set(key, c);
    const framer = new StreamFramer();
    c.socket.setNoDelay(true);
    c.socket.on('data', (chunk: Buffer) => {
      let msgs: Buffer[];
      try {
        msgs = framer.push(chunk);
      } catch (err) {
        // A stream we cannot frame cannot be resynchronised: drop the connection (§18.3).
        this.log?.warn({ source, err: (err as Error).message }, 'SIP TCP stream unframeable; closing the connection');
        c.socket.destroy();
        return;
      }
      for (const m of msgs) this.handler?.(m, source);
    });
    const forget = () => {
      if (this.conns.get(key) === c) this.conns.delete(key);
    };
    c.socket.on('error', (err) => {
      this.log?.warn({ source, err: err.message }, 'SIP TCP connection error');
      forget();
    });
    c.socket.on('close', forget);
  }
}
