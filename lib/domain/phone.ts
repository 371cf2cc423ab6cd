/**
 * Phone number normalisation. The default profile uses libphonenumber-js (the
 * port of Google's libphonenumber) with full metadata so that the number type
 * (landline / mobile / …) is known for the phone-type filter of seed 001. The
 * `clova` profile applies seed 000's rules exactly and nothing more.
 */
import { parsePhoneNumberFromString, type CountryCode, type NumberType } from 'libphonenumber-js/max';

export type PhoneType = 'landline' | 'mobile' | 'landline_or_mobile' | 'tollfree' | 'voip' | 'premium' | 'shared' | 'other' | 'unknown';

export type PhoneResult = { ok: true; e164: string; national: string; type: PhoneType; region?: string } | { ok: false; reason: string };

/** libphonenumber-js number types → ours. */
export const TYPE_MAP: Partial<Record<NonNullable<NumberType>, PhoneType>> = {
  FIXED_LINE: 'landline',
  MOBILE: 'mobile',
  FIXED_LINE_OR_MOBILE: 'landline_or_mobile',
  TOLL_FREE: 'tollfree',
  VOIP: 'voip',
  PREMIUM_RATE: 'premium',
  SHARED_COST: 'shared',
};

/** Separators people type in numbers: spaces, dashes (incl. Japanese full-width), dots, parentheses. */
const SEPARATORS = /[\s\-‐‑‒–—―ー－().．（）]/g;

/** Full-width digits and plus (common in Japanese spreadsheets) to ASCII. */
function toAsciiDigits(s: string): string {
  return s.replace(/[０-９＋]/g, (c) => (c === '＋' ? '+' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

/**
 * Normalises a number typed in `region` (ISO 3166, e.g. 'JP') to E.164 and
 * national digits, and tells its type. Invalid numbers are refused with a reason.
 */
export function normalizePhone(raw: string, region: string): PhoneResult {
  const text = toAsciiDigits(raw.trim());
  if (text === '') return { ok: false, reason: 'phone number is empty' };
  if (/[^0-9+\s\-‐‑‒–—―ー－().．（）]/.test(text))
    return { ok: false, reason: 'phone number has characters other than digits, +, spaces, dashes and parentheses' };
  const compact = text.replace(SEPARATORS, '');
  if (compact.length > 20) return { ok: false, reason: 'phone number is longer than 20 digits' };
  const parsed = parsePhoneNumberFromString(compact, region as CountryCode);
  if (!parsed) return { ok: false, reason: `not a phone number of region ${region}` };
  if (!parsed.isValid()) return { ok: false, reason: `not a valid number in region ${parsed.country ?? region}` };
  const t = parsed.getType();
  return {
    ok: true,
    e164: parsed.number,
    national: String(parsed.nationalNumber).length > 0 ? parsed.formatNational().replace(SEPARATORS, '') : compact,
    type: (t && TYPE_MAP[t]) ?? 'unknown',
    region: parsed.country,
  };
}

/** Seed 000 (CLOVA): digits only, starting with 0 or 1, 4–20 digits. Returned unchanged. */
export function checkClovaPhone(raw: string): PhoneResult {
  if (!/^[0-9]+$/.test(raw)) return { ok: false, reason: 'phone number must be digits only' };
  if (!/^[01]/.test(raw)) return { ok: false, reason: 'phone number must start with 0 or 1' };
  if (raw.length < 4 || raw.length > 20) return { ok: false, reason: 'phone number must have 4 to 20 digits' };
  return { ok: true, e164: raw, national: raw, type: 'unknown' };
}

/** Seed 000 Key 1: alphanumeric, at most 10 characters (empty allowed). */
export function checkClovaKey1(v: string): string | undefined {
  if (v === '') return undefined;
  if (!/^[A-Za-z0-9]+$/.test(v)) return 'Key 1 must be letters A–Z and digits only';
  if (v.length > 10) return 'Key 1 must be at most 10 characters';
  return undefined;
}

/** Seed 000 Key 2: alphanumeric, at most 2 characters (empty allowed). */
export function checkClovaKey2(v: string): string | undefined {
  if (v === '') return undefined;
  if (!/^[A-Za-z0-9]+$/.test(v)) return 'Key 2 must be letters A–Z and digits only';
  if (v.length > 2) return 'Key 2 must be at most 2 characters';
  return undefined;
}
