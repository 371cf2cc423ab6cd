/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the
 * subscription's secret, sent as `X-Dialer-Signature: t=<unix s>,v1=<hex>`.
 * The timestamp inside the signed text lets a receiver refuse old replays
 * (compare it with its clock) — the scheme Stripe and Slack use.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-dialer-signature';
export const TIMESTAMP_HEADER = 'x-dialer-timestamp';

export function sign(secret: string, body: string, nowMs: number): { header: string; timestamp: number } {
  const timestamp = Math.floor(nowMs / 1000);
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { header: `t=${timestamp},v1=${mac}`, timestamp };
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: string };

/** What a receiver does: checks the MAC and that the timestamp is within `toleranceSec` of now. */
export function verifySignature(secret: string, header: string | undefined, body: string, nowMs: number, toleranceSec = 300): VerifyResult {
  if (!header) return { ok: false, reason: 'no signature header' };
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return { ok: false, reason: 'malformed signature header' };
  if (Math.abs(nowMs / 1000 - t) > toleranceSec) return { ok: false, reason: `timestamp ${t} outside ${toleranceSec} s of now` };
  const want = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const got = Buffer.from(parts.v1, 'hex');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true, timestamp: t };
}
