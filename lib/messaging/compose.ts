/**
 * Turning a contact (or trigger data) into one message: recipient address,
 * body from the per-contact message column or the template, subject, size
 * checks and the link-length warning. Pure; every refusal says why.
 */
import type { Contact } from '../domain/contact';
import { checkAddress } from './address';
import { contactValues, render, TemplateError, type TemplateValues } from './template';
import { linkLengthWarning, smsInfo } from './text';

export interface ComposeInput {
  kind: 'sms' | 'email';
  template: string;
  subject?: string;
  messageField?: string | null;
  emailField?: string;
  region: string;
  maxBodyChars: number;
}

export type Composed =
  { ok: true; to: string; body: string; subject?: string; warning?: string } | { ok: false; reason: string; field?: string };

/** Values for a template: the contact's fields, then explicit data (data wins). */
export function valuesFor(contact: Contact | null, data: Record<string, string> = {}): TemplateValues {
  return { ...(contact ? contactValues(contact) : {}), ...data };
}

export function compose(i: ComposeInput, rawTo: string | undefined, values: TemplateValues): Composed {
  if (!rawTo)
    return {
      ok: false,
      reason: i.kind === 'email' ? `no e-mail address (field "${i.emailField ?? 'email'}")` : 'no phone number',
      field: 'to',
    };
  const addr = checkAddress(i.kind, rawTo, i.region);
  if (!addr.ok) return { ok: false, reason: addr.reason, field: 'to' };
  let body: string;
  let subject: string | undefined;
  try {
    const own = i.messageField ? (values[i.messageField] ?? values[`attributes.${i.messageField}`]) : undefined;
    body = own && own.trim() ? own : render(i.template, values);
    if (i.kind === 'email') subject = render(i.subject ?? '', values);
  } catch (err) {
    if (err instanceof TemplateError) return { ok: false, reason: err.message, field: 'template' };
    throw err;
  }
  if (!body.trim()) return { ok: false, reason: 'message body is empty', field: 'body' };
  if (body.length > i.maxBodyChars)
    return {
      ok: false,
      reason: `message is ${body.length} characters; at most ${i.maxBodyChars} are sent (messaging.maxBodyChars)`,
      field: 'body',
    };
  if (i.kind === 'email' && !subject?.trim()) return { ok: false, reason: 'e-mail subject is empty', field: 'subject' };
  if (subject && /[\r\n]/.test(subject)) return { ok: false, reason: 'e-mail subject has a line break', field: 'subject' };
  const warning = i.kind === 'sms' ? linkLengthWarning(body) : undefined;
  return { ok: true, to: addr.address, body, subject, warning };
}

export { smsInfo };
