/**
 * Contacts: the rows of a contact list, and their validation by profile.
 *
 * Profiles (seed 000 for `clova`, the rest is what a contact centre expects):
 * - `default`: the number is normalised with libphonenumber-js for the
 *   configured region (JP by default) to E.164 and its type (landline /
 *   mobile …) is recorded for the phone-type filter of seed 001.
 * - `clova`: seed 000 exactly — number digits only, starting with 0 or 1,
 *   4–20 digits, kept as typed; Key 1 alphanumeric ≤10; Key 2 alphanumeric ≤2.
 *
 * Pure: no I/O. Used by the API (single/bulk adds) and by the importer.
 */
import { IANAZone } from 'luxon';
import { checkClovaKey1, checkClovaKey2, type PhoneResult, type PhoneType } from './phone';
import { clovaContactPhone, normalizeContactPhone } from './contact-phone';

export const PROFILES = ['default', 'clova'] as const;
export type ProfileName = (typeof PROFILES)[number];

/** Fields a contact row may carry, in template (column) order per profile. */
export const CONTACT_FIELDS = ['id', 'phone', 'name', 'key1', 'key2', 'timeZone'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export const TEMPLATE_FIELDS: Record<ProfileName, readonly ContactField[]> = {
  default: ['id', 'phone', 'name', 'key1', 'key2', 'timeZone'],
  // Seed 000's upload template: 受信番号, Key 1, Key 2 (plus our optional ID).
  clova: ['id', 'phone', 'key1', 'key2'],
};

/** What a caller gives: API body or one imported row. */
export interface ContactInput {
  id?: string;
  phone: string;
  name?: string;
  key1?: string;
  key2?: string;
  timeZone?: string;
  attributes?: Record<string, string>;
}

/** The validated, stored part of a contact (without its id). */
export interface ContactRecord {
  phone: string;
  rawPhone: string;
  phoneType: PhoneType;
  name?: string;
  key1?: string;
  key2?: string;
  timeZone?: string;
  attributes: Record<string, string>;
}

/** Outcome fields, maintained by the dialer runtime through `recordContactOutcome`. */
export interface ContactOutcome {
  attempts: number;
  lastResult: number | null;
  /** ISO 8601 timestamps. */
  lastAttemptAt: string | null;
  firstAttemptAt: string | null;
}

export interface Contact extends ContactRecord, ContactOutcome {
  id: string;
}

export interface FieldError {
  /** Field name (API) or the file's column header (imports). */
  column: string;
  value: string;
  reason: string;
}

export interface ValidationOptions {
  profile: ProfileName;
  region: string;
  maxFieldLength: number;
  maxAttributes: number;
}

export type Validated = { ok: true; id: string; record: ContactRecord } | { ok: false; errors: FieldError[] };

export const MAX_ID_LENGTH = 64;
// Control characters would break CSV reports and logs; everything else (Japanese IDs such as 管理ID values) is allowed.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A shortened copy of a bad value for error reports (an oversize field must not bloat the report). */
export function preview(v: string, max = 100): string {
  return v.length > max ? `${v.slice(0, max)}…` : v;
}

export function validateId(id: string): string | undefined {
  if (id.length > MAX_ID_LENGTH) return `contact ID is longer than ${MAX_ID_LENGTH} characters`;
  if (CONTROL.test(id)) return 'contact ID has control characters';
  return undefined;
}

export function isTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

function checkPhone(raw: string, opts: ValidationOptions): PhoneResult {
  return opts.profile === 'clova' ? clovaContactPhone(raw, opts.region) : normalizeContactPhone(raw, opts.region);
}

const OPTIONAL_FIELDS = ['name', 'key1', 'key2', 'timeZone'] as const;

function tooLongError(column: string, v: string, opts: ValidationOptions): FieldError {
  return { column, value: preview(v), reason: `longer than ${opts.maxFieldLength} characters (import.maxFieldLength)` };
}

/**
 * Validates one contact for a profile. Every problem of the row is reported
 * (not just the first) so that a row-level report tells the whole story.
 * `names` maps field names to the column labels used in errors.
 * (Runs once per imported row: no closures or throwaway objects here.)
 */
export function validateContact(input: ContactInput, opts: ValidationOptions, names?: Partial<Record<ContactField, string>>): Validated {
  const errors: FieldError[] = [];
  const max = opts.maxFieldLength;

  const id = (input.id ?? '').trim();
  if (id !== '') {
    const bad = validateId(id);
    if (bad) errors.push({ column: names?.id ?? 'id', value: preview(id), reason: bad });
  }

  const rawPhone = (input.phone ?? '').trim();
  let phone = '';
  let phoneType: PhoneType = 'unknown';
  if (rawPhone === '') {
    errors.push({ column: names?.phone ?? 'phone', value: '', reason: 'phone number is missing' });
  } else if (rawPhone.length > max) {
    errors.push(tooLongError(names?.phone ?? 'phone', rawPhone, opts));
  } else {
    const r = checkPhone(rawPhone, opts);
    if (r.ok) {
      phone = r.e164;
      phoneType = r.type;
    } else errors.push({ column: names?.phone ?? 'phone', value: preview(rawPhone), reason: r.reason });
  }

  const record: ContactRecord = { phone, rawPhone, phoneType, attributes: {} };
  for (let i = 0; i < OPTIONAL_FIELDS.length; i++) {
    const f = OPTIONAL_FIELDS[i]!;
    const raw = input[f];
    if (raw === undefined || raw === null) continue;
    const v = raw.trim();
    if (v === '') continue;
    if (v.length > max) {
      errors.push(tooLongError(names?.[f] ?? f, v, opts));
      continue;
    }
    let bad: string | undefined;
    if (opts.profile === 'clova' && f === 'key1') bad = checkClovaKey1(v);
    else if (opts.profile === 'clova' && f === 'key2') bad = checkClovaKey2(v);
    else if (f === 'timeZone' && !isTimeZone(v)) bad = 'not an IANA time zone (e.g. Asia/Tokyo)';
    if (bad) errors.push({ column: names?.[f] ?? f, value: preview(v), reason: bad });
    else record[f] = v;
  }

  const attrs = input.attributes;
  if (attrs) {
    const keys = Object.keys(attrs);
    if (keys.length > opts.maxAttributes) {
      errors.push({
        column: 'attributes',
        value: String(keys.length),
        reason: `more than ${opts.maxAttributes} attributes (import.maxAttributes)`,
      });
    } else {
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const v = attrs[k];
        if (typeof v !== 'string') {
          errors.push({ column: k, value: String(v), reason: 'attribute values must be strings' });
          continue;
        }
        if (v.length > max) errors.push(tooLongError(k, v, opts));
        else if (v !== '') record.attributes[k] = v;
      }
    }
  }

  return errors.length ? { ok: false, errors } : { ok: true, id, record };
}

/**
 * Compact stored form (one Redis hash field per contact; short keys matter at
 * a million rows). `encodeRecord` ↔ `decodeRecord` round-trip. Written by hand
 * (same text as JSON.stringify of {p, r, t, n?, k1?, k2?, tz?, a?}): it runs
 * once per imported row, and building the object first costs as much again.
 */
export function encodeRecord(r: ContactRecord): string {
  let s = '{"p":' + JSON.stringify(r.phone) + ',"r":' + JSON.stringify(r.rawPhone) + ',"t":' + JSON.stringify(r.phoneType);
  if (r.name !== undefined) s += ',"n":' + JSON.stringify(r.name);
  if (r.key1 !== undefined) s += ',"k1":' + JSON.stringify(r.key1);
  if (r.key2 !== undefined) s += ',"k2":' + JSON.stringify(r.key2);
  if (r.timeZone !== undefined) s += ',"tz":' + JSON.stringify(r.timeZone);
  for (const _ in r.attributes) {
    s += ',"a":' + JSON.stringify(r.attributes);
    break;
  }
  return s + '}';
}

export function decodeRecord(json: string): ContactRecord {
  const o = JSON.parse(json) as {
    p: string;
    r: string;
    t: PhoneType;
    n?: string;
    k1?: string;
    k2?: string;
    tz?: string;
    a?: Record<string, string>;
  };
  const rec: ContactRecord = { phone: o.p, rawPhone: o.r, phoneType: o.t, attributes: o.a ?? {} };
  if (o.n !== undefined) rec.name = o.n;
  if (o.k1 !== undefined) rec.key1 = o.k1;
  if (o.k2 !== undefined) rec.key2 = o.k2;
  if (o.tz !== undefined) rec.timeZone = o.tz;
  return rec;
}

/** Outcome stored as "attempts,lastResult,lastAttemptMs,firstAttemptMs" (empty = unset). */
export function decodeOutcome(s: string | null | undefined): ContactOutcome {
  if (!s) return { attempts: 0, lastResult: null, lastAttemptAt: null, firstAttemptAt: null };
  const [a, r, l, f] = s.split(',');
  const iso = (x: string | undefined) => (x ? new Date(Number(x)).toISOString() : null);
  return { attempts: Number(a) || 0, lastResult: r ? Number(r) : null, lastAttemptAt: iso(l), firstAttemptAt: iso(f) };
}
