/**
 * Recipient addresses: E.164 numbers for SMS (normalised like contacts, in the
 * configured region) and e-mail addresses (a pragmatic RFC 5322 addr-spec
 * subset: what MTAs accept in practice, no quoted local parts). Pure.
 */
import { normalizePhone } from '../domain/phone';
import type { MessageKind } from './channel';

export type AddressResult = { ok: true; address: string } | { ok: false; reason: string };

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function checkEmail(raw: string): AddressResult {
  const v = raw.trim();
  if (v === '') return { ok: false, reason: 'e-mail address is empty' };
  if (v.length > 254) return { ok: false, reason: 'e-mail address is longer than 254 characters' };
  if (!EMAIL.test(v) || v.split('@')[0]!.length > 64 || /\.\./.test(v) || v.startsWith('.') || v.includes('.@')) {
    return { ok: false, reason: `"${v.slice(0, 80)}" is not an e-mail address` };
  }
  return { ok: true, address: v };
}

export function checkNumber(raw: string, region: string): AddressResult {
  const p = normalizePhone(raw, region);
  return p.ok ? { ok: true, address: p.e164 } : { ok: false, reason: `phone "${raw.slice(0, 40)}": ${p.reason}` };
}

export function checkAddress(kind: MessageKind, raw: string, region: string): AddressResult {
  return kind === 'email' ? checkEmail(raw) : checkNumber(raw, region);
}
