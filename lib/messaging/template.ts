/**
 * Message templates: `{{field}}` placeholders filled from a contact (seed 003:
 * templates from contact columns, or a per-contact message column). Strict on
 * purpose — a placeholder with no value is an error naming it, never an empty
 * gap in a message a customer reads; that is why this is not mustache (which
 * renders missing fields as empty and HTML-escapes). Pure.
 *
 * Fields: id, phone, name, key1, key2, timeZone, email, and any attribute
 * column by name (`{{amount}}` or `{{attributes.amount}}`).
 */
import type { Contact } from '../domain/contact';

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly missing: string[] = [],
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Field names a template refers to, in order of first use. */
export function templateFields(template: string): string[] {
  const out = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) out.add(m[1]!);
  return [...out];
}

/** Checks a template's syntax: unbalanced braces are refused. */
export function checkTemplate(template: string): string | undefined {
  const stripped = template.replace(PLACEHOLDER, '');
  if (/\{\{|\}\}/.test(stripped)) return 'template has an unbalanced "{{" or "}}"';
  return undefined;
}

export type TemplateValues = Record<string, string | undefined>;

/** The values a contact offers to templates. */
export function contactValues(c: Pick<Contact, 'id' | 'phone' | 'name' | 'key1' | 'key2' | 'timeZone' | 'attributes'>): TemplateValues {
  const v: TemplateValues = { id: c.id, phone: c.phone, name: c.name, key1: c.key1, key2: c.key2, timeZone: c.timeZone };
  for (const [k, val] of Object.entries(c.attributes ?? {})) {
    v[`attributes.${k}`] = val;
    if (!(k in v) || v[k] === undefined) v[k] = val;
  }
  return v;
}

/** Fills a template; throws TemplateError listing every placeholder without a value. */
export function render(template: string, values: TemplateValues): string {
  const bad = checkTemplate(template);
  if (bad) throw new TemplateError(bad);
  const missing = templateFields(template).filter((f) => values[f] === undefined || values[f] === '');
  if (missing.length) throw new TemplateError(`template refers to field(s) without a value: ${missing.join(', ')}`, missing);
  return template.replace(PLACEHOLDER, (_m, f: string) => values[f]!);
}
