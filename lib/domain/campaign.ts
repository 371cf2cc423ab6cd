/**
 * Campaign definitions (seeds 000, 001, 002): the checks JSON Schema cannot
 * express, merging an update, and whether a campaign may start. The settings'
 * shapes, types and defaults are in ./campaign-settings (re-exported). Pure.
 */
import { normalizePhone } from './phone';
import { isResultCode } from '../results';
import { validateHours, validatePeriod } from '../rules/hours';
import { validateRatioTable } from './ratio-table';
import { NAME_MAX, type Allocation, type Campaign, type CampaignInput, type CampaignSettings } from './campaign-settings';

export { RATIO_TABLE_PRESET, ratioForIdleAgents, type RatioRow } from './ratio-table';
export * from './campaign-state';
// The settings' and the record's shapes (TypeBox), the types derived from them, and the defaults.
export * from './campaign-settings';

/** Seed 000: letters of any script (incl. Japanese and Korean), digits and dash. */
export const CAMPAIGN_NAME = /^[\p{L}\p{M}\p{N}-]+$/u;
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

/** Merges a partial update into settings (retryPolicy merges per code; other objects are replaced). */
export function mergeSettings(base: CampaignSettings, patch: CampaignInput): CampaignSettings {
  const out: CampaignSettings = { ...base, ...stripUndefined(patch) };
  if (patch.retryPolicy) out.retryPolicy = { ...base.retryPolicy, ...patch.retryPolicy };
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Checks beyond the JSON Schema; returns sentences naming the field, empty when
 * valid. Normalises the caller ID to E.164 in `s` when it is valid.
 */
export function validateSettings(s: CampaignSettings, region: string): string[] {
  const errors: string[] = [];
  if (!s.name || !CAMPAIGN_NAME.test(s.name))
    errors.push('name may contain only letters (any script), digits and "-", and must not be empty');
  else if ([...s.name].length > NAME_MAX) errors.push(`name must be at most ${NAME_MAX} characters`);
  if (s.period) errors.push(...validatePeriod(s.period));
  errors.push(...validateHours(s.hours));
  if (s.callerId !== null && s.callerId !== undefined) {
    const p = normalizePhone(s.callerId, region);
    if (!p.ok) errors.push(`callerId "${s.callerId}": ${p.reason}`);
    else s.callerId = p.e164;
  }
  if (s.mode === 'agentless') {
    const a = s.agentless ?? {};
    if (!a.botUri === !a.message)
      errors.push('agentless mode needs exactly one of agentless.botUri (bot/IVR SIP URI) or agentless.message (recorded message)');
    if (a.botUri && !/^sips?:[^\s@]+@[^\s]+$|^sips?:[^\s@]+$/.test(a.botUri))
      errors.push(`agentless.botUri "${a.botUri}" is not a SIP URI (sip:user@host)`);
  } else if (s.agentless) {
    errors.push(`agentless settings are only for mode agentless (mode is ${s.mode})`);
  }
  errors.push(...validateRatioTable(s.ratioTable));
  for (const code of Object.keys(s.retryPolicy)) {
    if (!isResultCode(Number(code))) errors.push(`retryPolicy has unknown result code ${code}`);
  }
  const codes = new Set<string>();
  for (const d of s.dispositions) {
    if (codes.has(d.code)) errors.push(`dispositions has duplicate code "${d.code}"`);
    codes.add(d.code);
  }
  if (s.dispositionRequired && s.dispositions.length === 0) errors.push('dispositionRequired needs at least one disposition');
  if (s.voicemail.action === 'leave-message' && !s.voicemail.message)
    errors.push('voicemail.message is required when voicemail.action is leave-message');
  const at = s.filters.attempts;
  if (at && at.min !== undefined && at.max !== undefined && at.min > at.max)
    errors.push('filters.attempts.min must not exceed filters.attempts.max');
  if (new Set(s.agentGroups).size !== s.agentGroups.length) errors.push('agentGroups has duplicates');
  return errors;
}

/** Problems with a list allocation against the campaign's groups; empty when valid. */
export function validateAllocation(a: Allocation, agentGroups: readonly string[]): string[] {
  const errors: string[] = [];
  const entries = Object.entries(a.groups);
  if (entries.length === 0) errors.push('allocation.groups must name at least one agent group');
  for (const [g, n] of entries) {
    if (!agentGroups.includes(g)) errors.push(`allocation names group "${g}", which is not one of the campaign's agentGroups`);
    if (!(n >= 0) || (a.by === 'count' && !Number.isInteger(n)))
      errors.push(`allocation.groups.${g} must be a ${a.by === 'count' ? 'non-negative integer' : 'non-negative number'}`);
  }
  if (entries.length && entries.every(([, n]) => n === 0)) errors.push('allocation must give rows to at least one group');
  return errors;
}

/** Why the campaign cannot start now (beyond the state machine), or undefined. */
export function startRefusal(c: Campaign, now: Date): string | undefined {
  if (c.lists.length === 0) return 'the campaign has no contact list attached';
  if (!c.lists.some((l) => l.active)) return 'every attached list is stopped; start at least one list';
  if (c.mode === 'agentless') {
    if (!c.agentless?.botUri && !c.agentless?.message) return 'agentless mode needs agentless.botUri or agentless.message';
  } else if (c.agentGroups.length === 0) return `mode ${c.mode} needs at least one agent group`;
  if (c.period?.end && Date.parse(c.period.end) <= now.getTime()) return `the run period ended at ${c.period.end}`;
  return undefined;
}
