/**
 * Campaign definitions (seeds 000, 001, 002): the settings an operator writes,
 * their defaults and the checks JSON Schema cannot express. Pure.
 */
import { normalizePhone } from './phone';
import { ALL_RESULT_CODES, RESULT_CODES, isResultCode } from '../results';
import { validateHours, validatePeriod, type BusinessHours, type RunPeriod } from '../rules/hours';
import { RATIO_TABLE_PRESET, validateRatioTable, type RatioRow } from './ratio-table';
import type { CampaignState } from './campaign-state';
import type { NotSurePolicy } from '../config/sections/runner';

export { RATIO_TABLE_PRESET, ratioForIdleAgents, type RatioRow } from './ratio-table';
export * from './campaign-state';

export const CAMPAIGN_MODES = ['progressive', 'predictive', 'power', 'agentless'] as const;
export type CampaignMode = (typeof CAMPAIGN_MODES)[number];

/** Seed 000: letters of any script (incl. Japanese and Korean), digits and dash. */
export const CAMPAIGN_NAME = /^[\p{L}\p{M}\p{N}-]+$/u;
export const NAME_MAX = 100;
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

export interface RetryRule {
  retry: boolean;
  /** Overrides the campaign's retryIntervalSec for this result code. */
  intervalSec?: number;
}

/** Rows of a list handed to agent groups: absolute counts or relative weights, fixed once dialing starts (seed 001). */
export interface Allocation {
  by: 'count' | 'ratio';
  groups: Record<string, number>;
}

export interface CampaignList {
  listId: string;
  /** A stopped list is not dialled (seed 002: several lists, each with start/stop). */
  active: boolean;
  allocation: Allocation | null;
  attachedAt: string;
}

export interface CampaignSettings {
  name: string;
  description: string;
  period: RunPeriod | null;
  hours: BusinessHours;
  callerId: string | null;
  presentCallerId: boolean;
  mode: CampaignMode;
  /** Agentless mode: where an answered person goes — a bot/IVR SIP URI or a recorded message. */
  agentless: { botUri?: string; message?: string } | null;
  ringTimeoutSec: number;
  maxAttempts: number;
  retryIntervalSec: number;
  retryPolicy: Record<string, RetryRule>;
  maxConcurrentCalls: number;
  callsPerSecond: number;
  ratio: number;
  ratioTable: RatioRow[];
  abandonThresholdSec: number;
  abandonTargetPct: number;
  /** The window the abandon rate is held over: 24 h (Ofcom) to 720 h (30 days, FCC 64.1200(a)(7) / TSR). */
  abandonWindowHours: number;
  dispositions: { code: string; label: string }[];
  dispositionRequired: boolean;
  voicemail: { action: 'hangup' | 'leave-message'; message?: string };
  /** What a not-sure AMD verdict leads to for this campaign; null follows dialer.runner.notSure. */
  notSure: NotSurePolicy | null;
  agentGroups: string[];
  /**
   * A due callback is offered to its owner alone for this long, then to anyone
   * in the campaign's groups (owner still first). Seed 001 lets a supervisor
   * reassign a callback when its agent is absent; the grace does it unattended.
   */
  callbackOwnerGraceSec: number;
  filters: { phoneTypes?: ('landline' | 'mobile')[]; attempts?: { min?: number; max?: number } };
}

export interface Campaign extends CampaignSettings {
  id: string;
  state: CampaignState;
  /** Bumped by every write; a write based on an older version is refused. */
  version: number;
  lists: CampaignList[];
  createdAt: string;
  updatedAt: string;
  stateChangedAt: string;
  /** First start; from then on list allocation is fixed. */
  startedAt: string | null;
}

/** retry-by-default column of the result-code table (../shared/reference/result-codes.md). */
export function defaultRetryPolicy(): Record<string, RetryRule> {
  return Object.fromEntries(ALL_RESULT_CODES.map((c) => [String(c), { retry: RESULT_CODES[c].retry }]));
}

/** Defaults of every setting (what a new campaign gets for fields not given). */
export function campaignDefaults(): CampaignSettings {
  return {
    name: '',
    description: '',
    period: null,
    // Seed 001's example hours; the seeds are Japanese deployments.
    hours: {
      timeZone: 'Asia/Tokyo',
      days: {
        mon: [{ from: '09:00', to: '17:00' }],
        tue: [{ from: '09:00', to: '17:00' }],
        wed: [{ from: '09:00', to: '17:00' }],
        thu: [{ from: '09:00', to: '17:00' }],
        fri: [{ from: '09:00', to: '17:00' }],
      },
    },
    callerId: null,
    presentCallerId: true,
    mode: 'progressive', // seed 001: the recommended default
    agentless: null,
    ringTimeoutSec: 40, // seed 000: no answer within 40 s
    maxAttempts: 1, // seed 000: no-answer retry count defaults to 0
    retryIntervalSec: 3600,
    retryPolicy: defaultRetryPolicy(),
    maxConcurrentCalls: 0, // seed 002: 0 = unlimited
    callsPerSecond: 10,
    ratio: 1,
    ratioTable: RATIO_TABLE_PRESET.map((r) => ({ ...r })),
    abandonThresholdSec: 2,
    abandonTargetPct: 3,
    abandonWindowHours: 24,
    dispositions: [],
    dispositionRequired: false,
    voicemail: { action: 'hangup' },
    notSure: null,
    agentGroups: [],
    callbackOwnerGraceSec: 300,
    filters: {},
  };
}

export type CampaignInput = Partial<CampaignSettings>;

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
