/**
 * SIP message parsing and serialisation (RFC 3261 §7, §20). Deliberately
 * small: one datagram in, one message out; header values are kept as text and
 * interpreted by the helpers in headers.ts where needed.
 */

export interface SipHeader {
  /** Canonical (long-form) name, e.g. `Call-ID`. */
  name: string;
  value: string;
}

interface Base {
  headers: SipHeader[];
  body: Buffer;
}
export interface SipRequest extends Base {
  kind: 'request';
  method: string;
  uri: string;
}
export interface SipResponse extends Base {
  kind: 'response';
  status: number;
  reason: string;
}
export type SipMessage = SipRequest | SipResponse;

/** A datagram that is not a well-formed SIP message (logged and dropped, or answered 400). */
export class SipParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SipParseError';
  }
}

// RFC 3261 §7.3.3 compact forms, plus canonical spelling of the common headers.
const COMPACT: Record<string, string> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  o: 'Event',
  r: 'Refer-To',
  u: 'Allow-Events',
  x: 'Session-Expires',
};
const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'max-forwards': 'Max-Forwards',
  'record-route': 'Record-Route',
  'content-length': 'Content-Length',
  'content-type': 'Content-Type',
  'proxy-authenticate': 'Proxy-Authenticate',
  'proxy-authorization': 'Proxy-Authorization',
  'p-asserted-identity': 'P-Asserted-Identity',
  rseq: 'RSeq',
  rack: 'RAck',
  'min-se': 'Min-SE',
};

export function canonicalName(raw: string): string {
  const lower = raw.toLowerCase();
  if (lower.length === 1 && COMPACT[lower]) return COMPACT[lower]!;
  if (CANONICAL[lower]) return CANONICAL[lower]!;
  return lower.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

// Headers whose values may be comma-joined lists (RFC 3261 §7.3.1) and that we need one by one.
const LIST_HEADERS = new Set(['Via', 'Route', 'Record-Route', 'Contact']);

/** Splits a header value on commas that are outside quotes and <…>. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth--;
    else if (!quoted && depth === 0 && ch === ',') {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((s) => s.length > 0);
}

const REQUIRED = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];

/** Parses one UDP datagram. Throws SipParseError on anything malformed or truncated. */
export function parseMessage(buf: Buffer): SipMessage {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new SipParseError('no end of headers (truncated datagram?)');
  const head = buf.toString('utf8', 0, headEnd);
  const lines = head.split('\r\n');
  // Header folding (RFC 3261 §7.3.1): a line starting with white space continues the previous one.
  const unfolded: string[] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && unfolded.length > 1) unfolded[unfolded.length - 1] += ' ' + line.trim();
    else unfolded.push(line);
  }
  const start = unfolded[0]!;
  const headers: SipHeader[] = [];
  for (const line of unfolded.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`malformed header line: ${line.slice(0, 40)}`);
    const name = canonicalName(line.slice(0, colon).trim());
    const value = line.slice(colon + 1).trim();
    if (LIST_HEADERS.has(name)) for (const v of splitList(value)) headers.push({ name, value: v });
    else headers.push({ name, value });
  }
  for (const h of REQUIRED) if (!headers.some((x) => x.name === h)) throw new SipParseError(`missing ${h} header`);
  let body = buf.subarray(headEnd + 4);
  const cl = headers.find((h) => h.name === 'Content-Length');
  if (cl) {
    const n = Number(cl.value);
    if (!Number.isInteger(n) || n < 0) throw new SipParseError(`bad Content-Length: ${cl.value}`);
    if (body.length < n) throw new SipParseError(`body shorter than Content-Length (${body.length} < ${n}): truncated`);
    body = body.subarray(0, n);
  }
  const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  if (m) return { kind: 'response', status: Number(m[1]), reason: m[2] ?? '', headers, body };
  const r = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (r) return { kind: 'request', method: r[1]!.toUpperCase(), uri: r[2]!, headers, body };
  throw new SipParseError(`bad start line: ${start.slice(0, 60)}`);
}

/** Serialises a message; Content-Length is always written from the body. */
export function serialize(msg: SipMessage): Buffer {
  const start = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  let head = start + '\r\n';
  for (const h of msg.headers) if (h.name !== 'Content-Length') head += `${h.name}: ${h.value}\r\n`;
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  return msg.body.length ? Buffer.concat([Buffer.from(head), msg.body]) : Buffer.from(head);
}

export function header(msg: { headers: SipHeader[] }, name: string): string | undefined {
  for (const h of msg.headers) if (h.name === name) return h.value;
  return undefined;
}

export function headers(msg: { headers: SipHeader[] }, name: string): string[] {
  const out: string[] = [];
  for (const h of msg.headers) if (h.name === name) out.push(h.value);
  return out;
}
