import pino, { type Logger } from 'pino';
import type { Config } from './config';

/** Replaces runs of 6+ digits (phone numbers) with a masked form keeping the last 3. */
export function maskDigits(s: string): string {
  return s.replace(/\+?\d{3,}(\d{3})/g, (_m, last: string) => `***${last}`);
}

/**
 * The root logger. Child loggers carry `{ campaignId, callId }`; phone numbers
 * are masked in the fields named below when `log.redactPhoneNumbers` is set.
 */
export function createLogger(cfg: Pick<Config, 'log'>): Logger {
  const redact = cfg.log.redactPhoneNumbers
    ? { paths: ['phone', 'number', 'to', 'from', '*.phone', '*.number', 'contact.phone'], censor: (v: unknown) => (typeof v === 'string' ? maskDigits(v) : v) }
    : undefined;
  return pino({ level: cfg.log.level, redact, base: { svc: 'dialer' } });
}

export type { Logger };
