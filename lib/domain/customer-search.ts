/**
 * Customer search (issue 18, seed 001's 顧客検索): what a typed query means
 * and whether a contact matches it. Pure: the store walks the lists
 * (lib/store/customer-search.ts), this decides.
 *
 * A query of digits and the separators people type in numbers is a phone
 * number: it is looked up through each list's phone index under every form a
 * list may have stored it in — E.164 for the default profile, the national
 * digits as typed for seed 000's `clova` profile. Anything else is text,
 * matched case- and width-insensitively (NFKC: ｻﾄｳ and サトウ, ＡＢＣ and abc
 * are the same) as a substring of the name, key fields, attribute values and
 * the number as imported.
 */
import type { Contact } from './contact';
import { normalizePhone } from './phone';

/** Digits, +, and the separators of lib/domain/phone.ts (incl. full-width forms). */
const PHONE_LIKE = /^[0-9０-９+＋\s\-‐‑‒–—―ー－().．（）]+$/;

/** True when the query reads as a phone number rather than a name or key. */
export function looksLikePhone(q: string): boolean {
  const t = q.trim();
  return PHONE_LIKE.test(t) && (t.normalize('NFKC').match(/[0-9]/g)?.length ?? 0) >= 4;
}

/**
 * The keys a number may have in a list's phone index: E.164 and the national
 * digits when the phone library parses it in `region`, else the bare digits
 * (a clova list keeps numbers as typed, a number foreign to the region too).
 * Empty when the text holds no digits.
 */
export function phoneKeys(raw: string, region: string): string[] {
  const digits = raw.normalize('NFKC').replace(/[^0-9+]/g, '');
  if (!/[0-9]/.test(digits)) return [];
  const out = new Set<string>();
  const p = normalizePhone(raw, region);
  if (p.ok) {
    out.add(p.e164);
    out.add(p.national);
  }
  out.add(digits);
  if (digits.startsWith('+')) out.add(digits.slice(1));
  return [...out];
}

/** The text form of a needle or a field: NFKC, lower case, no surrounding space. */
export const foldText = (s: string): string => s.normalize('NFKC').toLowerCase().trim();

/** Whether a contact's name, keys, attribute values, id or number contain the (folded) needle. */
export function contactMatches(c: Contact, needle: string): boolean {
  if (needle === '') return true;
  const fields = [c.id, c.name, c.key1, c.key2, c.phone, c.rawPhone, ...Object.values(c.attributes)];
  return fields.some((f) => f !== undefined && foldText(f).includes(needle));
}
