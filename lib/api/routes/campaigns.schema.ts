/**
 * JSON Schemas of the campaign resource: they validate requests and produce
 * the OpenAPI document. Rules JSON Schema cannot express (name script classes,
 * hours overlaps, ratio table order…) are in lib/domain/campaign.
 */
import { ReqObject } from '../typebox';
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import { CAMPAIGN_MODES, CAMPAIGN_STATES, ID_PATTERN, campaignDefaults } from '../../domain/campaign';
import { RESULT_CODES } from '../../results';
import { WEEKDAYS } from '../../rules/hours';
import { NOT_SURE_POLICIES } from '../../config/sections/runner';

/** The defaults live once, in lib/domain/campaign.ts; the schema (and so /openapi.json) shows them. */
const D = campaignDefaults();

const hhmm = {
  type: 'string',
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$',
  description: 'local wall-clock time HH:MM (24:00 = end of day)',
};
const range = { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: hhmm, to: hhmm } };

const groupWeights = Type.Record(Type.String(), Type.Number({ minimum: 0 }), {
  description: 'agent group id → row count (by=count) or weight (by=ratio)',
});
export const allocationSchema = ReqObject(
  { by: StringEnum(['count', 'ratio']), groups: groupWeights },
  {
    additionalProperties: false,
    description: 'How the list rows are shared among agent groups; fixed once the campaign starts dialing (seed 001)',
  },
);

const UNLIMITED = { type: 'string', enum: ['unlimited'] } as const;

/** Settings given as "unlimited" → 0, the stored form (seed 002). */
export function unlimitedToZero<T extends object>(body: T): T {
  const b = body as Record<string, unknown>;
  if (b.maxConcurrentCalls !== 'unlimited' && b.callsPerSecond !== 'unlimited') return body;
  const out = { ...b };
  if (out.maxConcurrentCalls === 'unlimited') out.maxConcurrentCalls = 0;
  if (out.callsPerSecond === 'unlimited') out.callsPerSecond = 0;
  return out as T;
}

/** Settings with their defaults (POST). `patchSettings` strips defaults for PATCH. */
const settings = {
  name: { type: 'string', minLength: 1, maxLength: 100, description: 'letters of any script (Japanese, Korean…), digits and "-"' },
  description: { type: 'string', maxLength: 2000, default: '' },
  period: {
    type: ['object', 'null'],
    additionalProperties: false,
    description: 'run period: dial from start (inclusive) to end (exclusive); null = no limit',
    properties: { start: { type: ['string', 'null'], format: 'date-time' }, end: { type: ['string', 'null'], format: 'date-time' } },
  },
  hours: {
    type: 'object',
    additionalProperties: false,
    required: ['timeZone', 'days'],
    description: 'business hours per weekday in an IANA time zone; a missing day is closed. Default: Mon–Fri 09:00–17:00 Asia/Tokyo',
    properties: {
      timeZone: { type: 'string', minLength: 1, description: 'IANA zone, e.g. Asia/Tokyo' },
      days: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(WEEKDAYS.map((d) => [d, { type: 'array', maxItems: 12, items: range }])),
      },
    },
  },
  callerId: { type: ['string', 'null'], maxLength: 32, description: 'number presented to the called party (stored E.164)' },
  presentCallerId: { type: 'boolean', default: D.presentCallerId },
  mode: { type: 'string', enum: [...CAMPAIGN_MODES], default: D.mode },
  agentless: {
    type: ['object', 'null'],
    additionalProperties: false,
    description: 'mode agentless: an answered person goes to a bot/IVR (botUri) or hears a recorded message',
    properties: { botUri: { type: 'string', maxLength: 512 }, message: { type: 'string', maxLength: 512 } },
  },
  ringTimeoutSec: {
    type: 'integer',
    minimum: 1,
    maximum: 300,
    default: D.ringTimeoutSec,
    description: 'no answer after this → result code 2',
  },
  maxAttempts: { type: 'integer', minimum: 1, maximum: 100, default: D.maxAttempts },
  retryIntervalSec: { type: 'integer', minimum: 0, maximum: 30 * 86400, default: D.retryIntervalSec },
  retryPolicy: {
    type: 'object',
    description: 'per result code: retry or not, optional own interval; merged over the defaults of the result-code table',
    propertyNames: { enum: Object.keys(RESULT_CODES) },
    additionalProperties: {
      type: 'object',
      additionalProperties: false,
      required: ['retry'],
      properties: { retry: { type: 'boolean' }, intervalSec: { type: 'integer', minimum: 0, maximum: 30 * 86400 } },
    },
  },
  // "unlimited" is spelled out (or 0, seed 002's spelling); null is refused, never read as 0 (issue 14).
  maxConcurrentCalls: {
    anyOf: [{ type: 'integer', minimum: 0 }, UNLIMITED],
    default: D.maxConcurrentCalls,
    description: 'calls at once; "unlimited" or 0 = no limit (stored and shown as 0)',
  },
  callsPerSecond: {
    anyOf: [{ type: 'number', minimum: 0, maximum: 1000 }, UNLIMITED],
    default: D.callsPerSecond,
    description: 'calls started per second; "unlimited" or 0 = no limit (stored and shown as 0)',
  },
  ratio: { type: 'number', minimum: 0.1, maximum: 20, default: D.ratio, description: 'power mode: calls per idle agent' },
  ratioTable: {
    type: 'array',
    minItems: 1,
    maxItems: 50,
    description: 'dial ratio by idle agents; default is the preset table',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['upToIdleAgents', 'ratio'],
      properties: { upToIdleAgents: { type: ['integer', 'null'], minimum: 1 }, ratio: { type: 'number', minimum: 0.1, maximum: 20 } },
    },
  },
  abandonThresholdSec: { type: 'number', minimum: 0.5, maximum: 60, default: D.abandonThresholdSec },
  abandonTargetPct: { type: 'number', minimum: 0, maximum: 100, default: D.abandonTargetPct },
  abandonWindowHours: {
    type: 'integer',
    minimum: 1,
    maximum: 720,
    default: D.abandonWindowHours,
    description: 'window the abandon rate is held over: 24 (Ofcom) … 720 (30 days, FCC/TSR)',
  },
  dispositions: {
    type: 'array',
    maxItems: 200,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'label'],
      properties: { code: { type: 'string', minLength: 1, maxLength: 64 }, label: { type: 'string', minLength: 1, maxLength: 200 } },
    },
  },
  dispositionRequired: { type: 'boolean', default: D.dispositionRequired },
  voicemail: {
    type: 'object',
    additionalProperties: false,
    required: ['action'],
    properties: { action: { type: 'string', enum: ['hangup', 'leave-message'] }, message: { type: 'string', maxLength: 512 } },
  },
  notSure: {
    type: ['string', 'null'],
    enum: [...NOT_SURE_POLICIES, null],
    default: D.notSure,
    description:
      'a not-sure AMD verdict: "person" (to an agent), "machine" (hang up, or the voicemail drop) or "agent-decides" (to an agent flagged not sure; a machine/fax/silence disposition sets the code); null = dialer.runner.notSure',
  },
  agentGroups: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 64 } },
  callbackOwnerGraceSec: {
    type: 'integer',
    minimum: 0,
    maximum: 7 * 86400,
    default: D.callbackOwnerGraceSec,
    description: 'a due callback goes to its owner alone for this long, then to anyone in the groups (owner first)',
  },
  filters: {
    type: 'object',
    additionalProperties: false,
    properties: {
      phoneTypes: { type: 'array', items: { type: 'string', enum: ['landline', 'mobile'] }, uniqueItems: true },
      attempts: {
        type: 'object',
        additionalProperties: false,
        properties: { min: { type: 'integer', minimum: 0 }, max: { type: 'integer', minimum: 0 } },
      },
    },
  },
} as const;

function stripDefaults<T>(o: T): T {
  if (Array.isArray(o)) return o.map(stripDefaults) as T;
  if (o && typeof o === 'object')
    return Object.fromEntries(
      Object.entries(o)
        .filter(([k]) => k !== 'default')
        .map(([k, v]) => [k, stripDefaults(v)]),
    ) as T;
  return o;
}

export const createCampaignBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { id: { type: 'string', pattern: ID_PATTERN, description: 'optional; generated when absent' }, ...settings },
} as const;

export const patchCampaignBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: stripDefaults(settings),
} as const;

const campaignList = {
  type: 'object',
  properties: {
    listId: { type: 'string' },
    active: { type: 'boolean' },
    allocation: { ...allocationSchema, type: ['object', 'null'] },
    attachedAt: { type: 'string' },
  },
};

export const campaignSchema = {
  $id: 'Campaign',
  type: 'object',
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: [...CAMPAIGN_STATES] },
    version: { type: 'integer' },
    ...stripDefaults(settings),
    lists: { type: 'array', items: campaignList },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    stateChangedAt: { type: 'string' },
    startedAt: { type: ['string', 'null'] },
    dialing: {
      type: 'object',
      description:
        'running campaigns: whether the dialer places calls, and if not why (reason: outside_hours, before_period, after_period, no_agents, no_ready_agents, campaign_cap, trunk_full, calls_per_second, running_campaign_limit, no_eligible_contacts, waiting_for_callbacks, abandon_budget), until when if known, since when',
      properties: {
        state: { type: 'string', enum: ['dialing', 'idle'] },
        reason: { type: 'string' },
        detail: { type: 'string' },
        until: { type: ['string', 'null'] },
        since: { type: 'string' },
      },
    },
  },
} as const;

export const idParams = ReqObject({ id: Type.String({ pattern: ID_PATTERN }) });
export const listParams = ReqObject({ id: Type.String({ pattern: ID_PATTERN }), listId: Type.String({ minLength: 1, maxLength: 128 }) });
