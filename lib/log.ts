import pino, { type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config';

/**
 * A phone number as it appears in text and URLs: an optional + (or %2B),
 * then 7+ digits (ASCII or full-width) that may be split by spaces, dashes or
 * brackets, raw or percent-encoded (`090-1234-5678`, `%2B81%2090%201234%205678`).
 * Dots and colons are not separators (addresses, times).
 */
const PHONE = /(?:\+|%2B)?[0-9０-９](?:(?:[-\s()（）－]|%20|%2D|%28|%29)*[0-9０-９]){6,}/gi;
/** ISO dates and date-times are not phone numbers. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** Percent-encoded UTF-8 (full-width digits in a URL) decoded where it decodes; left as is elsewhere. */
function decodePercent(s: string): string {
  if (!/%[EeCc][0-9A-Fa-f]/.test(s)) return s;
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return m;
    }
  });
}

/** Replaces phone numbers (runs of 6+ digits, and formatted or URL-encoded numbers) with a masked form keeping the last 3 digits. */
export function maskDigits(s: string): string {
  return decodePercent(s)
    .replace(PHONE, (m) => {
      if (ISO_DATE.test(m)) return m;
      const digits = m.replace(/[^0-9０-９]/g, '');
      return `***${digits.slice(-3)}`;
    })
    .replace(/\+?\d{3,}(\d{3})/g, (_m, last: string) => `***${last}`);
}

/** Masks phone numbers in every string of a parsed log line (numbers such as `time` stay). */
function maskStrings(v: unknown): unknown {
  if (typeof v === 'string') return maskDigits(v);
  if (Array.isArray(v)) return v.map(maskStrings);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = maskStrings(x);
  return out;
}

/**
 * A destination that masks numbers in each finished line. Done on the line,
 * not per field, so that nothing escapes: fields, messages, child bindings,
 * serialized errors and SIP URIs alike.
 */
function maskingDestination(dest: pino.DestinationStream): pino.DestinationStream {
  return {
    write(line: string) {
      let out = line;
      try {
        out = JSON.stringify(maskStrings(JSON.parse(line))) + '\n';
      } catch {
        out = maskDigits(line);
      }
      dest.write(out);
    },
  };
}

interface RequestLike {
  method?: string;
  url?: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * How a request appears in the log: no query string (it may hold secrets an
 * old client put there) and no headers (Authorization, cookies).
 */
export function serializeRequest(req: RequestLike) {
  const [path = '', query] = (req.url ?? '').split('?', 2);
  return {
    method: req.method,
    url: path + (query !== undefined ? '?[redacted]' : ''),
    hostname: req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * The root logger. Child loggers carry `{ campaignId, callId }`. Request lines
 * never carry query strings or headers; with `log.redactPhoneNumbers` every
 * string of every line has its phone numbers masked to the last three digits.
 */
export function createLogger(cfg: Pick<Config, 'log'>, destination?: pino.DestinationStream): Logger {
  const opts: LoggerOptions = {
    level: cfg.log.level,
    base: { svc: 'dialer' },
    serializers: {
      req: serializeRequest,
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
  };
  const dest = destination ?? pino.destination(1);
  return pino(opts, cfg.log.redactPhoneNumbers ? maskingDestination(dest) : dest);
}

export type { Logger };
