/**
 * The number check of a contact row, by profile, with a fast path for imports.
 *
 * `normalizePhone` (phone.ts) also formats the national form and asks the
 * library both `isValid()` and `getType()`; contacts need only E.164 and the
 * type. With full ("max") metadata libphonenumber-js's `isValid()` is exactly
 * `getNumberType() !== undefined` (source/isValid.js), so for plain digit
 * strings one parse + `getType()` gives the same answer at about twice the
 * speed — the difference between meeting the import target or not. Anything
 * else (separators, full-width digits, invalid numbers, whose reason text
 * matters) goes through `normalizePhone` itself. In front of that, plain
 * national digits take `parseNationalDigits` (phone-national.ts): the same
 * library steps with the metadata compiled once, several times faster again. test/unit/import/phone-fast
 * checks both paths agree.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { checkClovaPhone, normalizePhone, TYPE_MAP as TYPES, type PhoneResult } from './phone';
import { parseNationalDigits } from './phone-national';

const PLAIN = /^\+?[0-9]{4,20}$/;

/** Same result as `normalizePhone(raw, region)` for the fields contacts keep (ok, e164, type, reason). */
export function normalizeContactPhone(raw: string, region: string): PhoneResult {
  // Plain national digits: the library's own steps, compiled (phone-national.ts).
  const n = parseNationalDigits(raw, region);
  if (n) {
    if (n.type) return { ok: true, e164: n.e164, national: raw, type: TYPES[n.type] ?? 'unknown', region: n.country };
  } else if (PLAIN.test(raw)) {
    const p = parsePhoneNumberFromString(raw, region as CountryCode);
    const t = p?.getType();
    if (p && t) return { ok: true, e164: p.number, national: raw, type: TYPES[t] ?? 'unknown', region: p.country };
  }
  return normalizePhone(raw, region);
}

/** Seed 000's rule for `clova`; the type is best effort (the seed keeps the number as typed). */
export function clovaContactPhone(raw: string, region: string): PhoneResult {
  const r = checkClovaPhone(raw);
  if (!r.ok) return r;
  const n = normalizeContactPhone(raw, region);
  return n.ok ? { ...r, type: n.type } : r;
}
