/**
 * The campaign's call script with the contact's fields filled in (seed 001:
 * the agent reads it with the customer's record on screen). Placeholders:
 * {{name}}, {{phone}}, {{key1}}, {{key2}}, {{contactId}}, and any import
 * column as {{attr.<column>}} or plainly {{<column>}}. Unknown ones stay as
 * they are, so a typo is visible rather than silently empty. Pure.
 */
import type { ScreenPop } from '../dialer/ports';

export function fillScript(script: string, pop: Partial<ScreenPop>): string {
  return script.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (whole, name: string) => {
    const attrs = pop.attributes ?? {};
    const key = name.startsWith('attr.') ? name.slice(5) : name;
    const own: Record<string, unknown> = { name: pop.name, phone: pop.phone, key1: pop.key1, key2: pop.key2, contactId: pop.contactId };
    if (!name.startsWith('attr.') && key in own && own[key] !== undefined) return String(own[key]);
    if (Object.prototype.hasOwnProperty.call(attrs, key)) return attrs[key]!;
    return whole;
  });
}
