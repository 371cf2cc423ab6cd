/**
 * Header row → contact fields. Known names (English, and the Japanese
 * headings of seeds 000 and 002: 管理ID, 名前, 電話番号, 受信番号 …) map to
 * fields; a caller-given mapping wins; every other column becomes an
 * attribute, at most `maxAttributes` of them.
 */
import { CONTACT_FIELDS, TEMPLATE_FIELDS, type ContactField, type ProfileName } from '../domain/contact';
import { ImportFileError } from './decode';

const ALIASES: Record<ContactField, string[]> = {
  id: ['id', 'contactid', 'contact_id', 'customerid', '管理id', '顧客id', 'id番号'],
  phone: [
    'phone',
    'phonenumber',
    'phone_number',
    'number',
    'tel',
    'telephone',
    'msisdn',
    '電話番号',
    '受信番号',
    '電話',
    '携帯番号',
    '電話番号(固定)',
  ],
  name: ['name', 'fullname', 'full_name', '名前', '氏名', '顧客名'],
  key1: ['key1', 'key_1', 'キー1'],
  key2: ['key2', 'key_2', 'キー2'],
  timeZone: ['timezone', 'time_zone', 'tz', 'タイムゾーン'],
};

const canon = (h: string) => h.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, '');

const LOOKUP = new Map<string, ContactField>();
for (const f of CONTACT_FIELDS) for (const a of ALIASES[f]) LOOKUP.set(canon(a), f);

export interface ColumnPlan {
  /** Column index of each mapped field. */
  fields: Partial<Record<ContactField, number>>;
  /** Header label of each mapped field (used in error reports). */
  labels: Partial<Record<ContactField, string>>;
  attributes: { name: string; index: number }[];
  width: number;
}

/**
 * Maps a header row. `mapping` is header label → field name (or "attribute").
 * Refuses headers that would lose data or be ambiguous, before any row is read.
 */
export function planColumns(header: string[], opts: { mapping?: Record<string, string>; maxAttributes: number }): ColumnPlan {
  const plan: ColumnPlan = { fields: {}, labels: {}, attributes: [], width: header.length };
  const seen = new Set<string>();
  const explicit = new Map<string, string>();
  for (const [k, v] of Object.entries(opts.mapping ?? {})) {
    if (!(CONTACT_FIELDS as readonly string[]).includes(v) && v !== 'attribute') {
      throw new ImportFileError(`mapping for column "${k}" names unknown field "${v}"; fields: ${CONTACT_FIELDS.join(', ')}, attribute`);
    }
    explicit.set(canon(k), v);
  }
  header.forEach((raw, index) => {
    // A BOM left by a tool that double-encoded, or stray spaces, must not hide "phone".
    const label = raw.replace(/^\ufeff/, '').trim();
    if (label === '') throw new ImportFileError(`header column ${index + 1} is empty; every column needs a name`);
    const c = canon(label);
    if (seen.has(c)) throw new ImportFileError(`header has column "${label}" twice`);
    seen.add(c);
    const target = explicit.get(c) ?? LOOKUP.get(c) ?? 'attribute';
    if (target === 'attribute') {
      plan.attributes.push({ name: label, index });
      return;
    }
    const f = target as ContactField;
    if (plan.fields[f] !== undefined)
      throw new ImportFileError(`columns "${plan.labels[f]}" and "${label}" both map to field ${f}; give a mapping`);
    plan.fields[f] = index;
    plan.labels[f] = label;
  });
  for (const k of explicit.keys())
    if (!seen.has(k)) throw new ImportFileError(`mapping names column "${k}", which the header does not have`);
  if (plan.fields.phone === undefined) {
    throw new ImportFileError(
      `no phone column: header has ${header.map((h) => `"${h}"`).join(', ')}; name one "phone" (or 電話番号) or give a mapping`,
    );
  }
  if (plan.attributes.length > opts.maxAttributes) {
    throw new ImportFileError(
      `file has ${plan.attributes.length} extra columns; at most ${opts.maxAttributes} are kept as attributes (import.maxAttributes)`,
    );
  }
  return plan;
}

/** Plan for a file without a header row: columns in the profile's template order. */
export function templatePlan(profile: ProfileName): ColumnPlan {
  const plan: ColumnPlan = { fields: {}, labels: {}, attributes: [], width: TEMPLATE_FIELDS[profile].length };
  TEMPLATE_FIELDS[profile].forEach((f, i) => {
    plan.fields[f] = i;
    plan.labels[f] = f;
  });
  return plan;
}
