/**
 * Server-Sent Events over a Fastify reply (WHATWG HTML §9.2): `id`, `event`
 * and `data` lines per event, a comment line as heartbeat, `retry` once.
 * The hub's sequence number is the event id, so a reconnecting EventSource
 * sends it back as `Last-Event-ID` and gets what it missed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Filter, MonitorEvent, MonitorHub } from './hub';

export const formatSse = (e: MonitorEvent): string =>
  `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ type: e.type, at: e.at, campaignId: e.campaignId, agentId: e.agentId, ...e.data })}\n\n`;

export interface SseOptions {
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** Open streams, ended when the server closes. */
  registry: Set<() => void>;
}

/** Takes over the reply and streams matching hub events until the client goes away. */
export function streamEvents(req: FastifyRequest, reply: FastifyReply, hub: MonitorHub, filter: Filter, opts: SseOptions): void {
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx buffers responses unless told not to.
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 2000\n\n');
  let closed = false;
  const end = () => {
    if (closed) return;
    closed = true;
    clearInterval(beat);
    sub.unsubscribe();
    opts.registry.delete(end);
    raw.end();
  };
  const send = (e: MonitorEvent) => {
    if (closed) return;
    // A client that does not read is dropped rather than buffered without bound; it reconnects with Last-Event-ID.
    if (raw.writableLength > opts.maxBufferedBytes) return end();
    raw.write(formatSse(e));
  };
  const header = req.headers['last-event-id'];
  const last = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
  const sub = hub.subscribe({ filter, send }, last);
  if (sub.gap) raw.write(`event: gap\ndata: ${JSON.stringify({ message: 'some events were missed; reload the snapshot' })}\n\n`);
  const beat = setInterval(() => !closed && raw.write(`: heartbeat ${Date.now()}\n\n`), opts.heartbeatMs);
  opts.registry.add(end);
  req.raw.on('close', end);
}
