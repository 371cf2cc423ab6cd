/**
 * The shape of a campaign, once: TypeBox schemas of its settings (one per group) and of the stored record.
 * The domain's types are derived from them (`Static`), the API validates requests and states its replies
 * with them (lib/api/routes/campaigns.schema.ts), and /openapi.json shows them. The defaults of every
 * setting are here too (`campaignDefaults`), in one place: the create body's schema states the scalar ones
 * from it. Rules JSON Schema cannot express (name script classes, hours overlaps, ratio table order…) are
 * in ./campaign.ts. Pure data.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, StringEnum } from '../config/typebox';
import { NOT_SURE_POLICIES } from '../config/sections/runner';
import { ALL_RESULT_CODES, RESULT_CODES } from '../results';
import { WEEKDAYS, type Weekday } from '../rules/hours';
import { RATIO_TABLE_PRESET } from './ratio-table';
import { CAMPAIGN_STATES } from './campaign-state';

export const CAMPAIGN_MODES = ['progressive', 'predictive', 'power', 'agentless'] as const;
export type CampaignMode = (typeof CAMPAIGN_MODES)[number];
export const NAME_MAX = 100;
const MAX_INTERVAL_SEC = 30 * 86400;

const hhmm = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$',
  description: 'local wall-clock time HH:MM (24:00 = end of day)',
});
const range = Type.Object({ from: hhmm, to: hhmm }, { additionalProperties: false });
/** A missing or empty day is closed. */
const day = Type.Optional(Type.Array(range, { maxItems: 12 }));

/** What the campaign is called. */
export const identitySettings = {
  name: Type.String({ minLength: 1, maxLength: NAME_MAX, description: 'letters of any script (Japanese, Korean…), digits and "-"' }),
  description: Type.String({ maxLength: 2000 }),
};

/** When it dials: the run period and the business hours (seed 000). */
export const scheduleSettings = {
  period: Nullable(
    Type.Object(
      {
        start: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
        end: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
      },
      { additionalProperties: false, description: 'run period: dial from start (inclusive) to end (exclusive); null = no limit' },
    ),
  ),
  hours: Type.Object(
    {
      timeZone: Type.String({ minLength: 1, description: 'IANA zone, e.g. Asia/Tokyo' }),
      days: Type.Object(Object.fromEntries(WEEKDAYS.map((d) => [d, day])) as Record<Weekday, typeof day>, {
        additionalProperties: false,
      }),
    },
    {
      additionalProperties: false,
      // campaignDefaults().hours, in words (test/unit/domain/campaign-settings.test.ts keeps them the same).
      description: 'business hours per weekday in an IANA time zone; a missing day is closed. Default: Mon–Fri 09:00–17:00 Asia/Tokyo',
    },
  ),
};

/** The number the called party sees. */
export const callerIdSettings = {
  callerId: Nullable(Type.String({ maxLength: 32, description: 'number presented to the called party (stored E.164)' })),
  presentCallerId: Type.Boolean(),
};

/** How answered calls are handled (seed 001). */
export const modeSettings = {
  mode: StringEnum(CAMPAIGN_MODES),
  agentless: Nullable(
    Type.Object(
      { botUri: Type.Optional(Type.String({ maxLength: 512 })), message: Type.Optional(Type.String({ maxLength: 512 })) },
      {
        additionalProperties: false,
        description: 'mode agentless: an answered person goes to a bot/IVR (botUri) or hears a recorded message',
      },
    ),
  ),
};

const retryRule = Type.Object(
  {
    retry: Type.Boolean(),
    /** Overrides the campaign's retryIntervalSec for this result code. */
    intervalSec: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INTERVAL_SEC })),
  },
  { additionalProperties: false },
);
export type RetryRule = Static<typeof retryRule>;

/** Ringing, attempts and retries (seed 000). */
export const attemptSettings = {
  ringTimeoutSec: Type.Integer({ minimum: 1, maximum: 300, description: 'no answer after this → result code 2' }),
  maxAttempts: Type.Integer({ minimum: 1, maximum: 100 }),
  retryIntervalSec: Type.Integer({ minimum: 0, maximum: MAX_INTERVAL_SEC }),
  // An object of result codes (`propertyNames`), which TypeBox's Record would state as patternProperties.
  retryPolicy: Type.Unsafe<Record<string, RetryRule>>({
    type: 'object',
    description: 'per result code: retry or not, optional own interval; merged over the defaults of the result-code table',
    propertyNames: { enum: Object.keys(RESULT_CODES) },
    additionalProperties: retryRule,
  }),
};

/** "unlimited", the spelled-out form of 0 (seed 002). */
const UNLIMITED = StringEnum(['unlimited']);

/** How fast it dials, and the abandon budget it keeps to. */
export const pacingSettings = {
  // "unlimited" is spelled out (or 0, seed 002's spelling); null is refused, never read as 0 (issue 14).
  maxConcurrentCalls: Type.Union([Type.Integer({ minimum: 0 }), UNLIMITED], {
    description: 'calls at once; "unlimited" or 0 = no limit (stored and shown as 0)',
  }),
  callsPerSecond: Type.Union([Type.Number({ minimum: 0, maximum: 1000 }), UNLIMITED], {
    description: 'calls started per second; "unlimited" or 0 = no limit (stored and shown as 0)',
  }),
  ratio: Type.Number({ minimum: 0.1, maximum: 20, description: 'power mode: calls per idle agent' }),
  ratioTable: Type.Array(
    Type.Object(
      { upToIdleAgents: Nullable(Type.Integer({ minimum: 1 })), ratio: Type.Number({ minimum: 0.1, maximum: 20 }) },
      { additionalProperties: false },
    ),
    { minItems: 1, maxItems: 50, description: 'dial ratio by idle agents; default is the preset table' },
  ),
  abandonThresholdSec: Type.Number({ minimum: 0.5, maximum: 60 }),
  abandonTargetPct: Type.Number({ minimum: 0, maximum: 100 }),
  /** The window the abandon rate is held over: 24 h (Ofcom) to 720 h (30 days, FCC 64.1200(a)(7) / TSR). */
  abandonWindowHours: Type.Integer({
    minimum: 1,
    maximum: 720,
    description: 'window the abandon rate is held over: 24 (Ofcom) … 720 (30 days, FCC/TSR)',
  }),
};

/** What a call's end is recorded as: agents' dispositions, the voicemail action, not-sure AMD verdicts. */
export const outcomeSettings = {
  dispositions: Type.Array(
    Type.Object(
      { code: Type.String({ minLength: 1, maxLength: 64 }), label: Type.String({ minLength: 1, maxLength: 200 }) },
      { additionalProperties: false },
    ),
    { maxItems: 200 },
  ),
  dispositionRequired: Type.Boolean(),
  voicemail: Type.Object(
    { action: StringEnum(['hangup', 'leave-message']), message: Type.Optional(Type.String({ maxLength: 512 })) },
    { additionalProperties: false },
  ),
  /** What a not-sure AMD verdict leads to for this campaign; null follows dialer.runner.notSure. */
  notSure: Type.Unsafe<(typeof NOT_SURE_POLICIES)[number] | null>({
    type: ['string', 'null'],
    enum: [...NOT_SURE_POLICIES, null],
    description:
      'a not-sure AMD verdict: "person" (to an agent), "machine" (hang up, or the voicemail drop) or "agent-decides" (to an agent flagged not sure; a machine/fax/silence disposition sets the code); null = dialer.runner.notSure',
  }),
};

/** Who gets the calls, and which contacts are dialled. */
export const routingSettings = {
  agentGroups: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 }),
  /**
   * A due callback is offered to its owner alone for this long, then to anyone in the campaign's groups
   * (owner still first). Seed 001 lets a supervisor reassign a callback when its agent is absent; the grace
   * does it unattended.
   */
  callbackOwnerGraceSec: Type.Integer({
    minimum: 0,
    maximum: 7 * 86400,
    description: 'a due callback goes to its owner alone for this long, then to anyone in the groups (owner first)',
  }),
  filters: Type.Object(
    {
      phoneTypes: Type.Optional(Type.Array(StringEnum(['landline', 'mobile']), { uniqueItems: true })),
      attempts: Type.Optional(
        Type.Object(
          { min: Type.Optional(Type.Integer({ minimum: 0 })), max: Type.Optional(Type.Integer({ minimum: 0 })) },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
};

/** Every setting an operator writes, in the order the API documents them. */
export const CAMPAIGN_SETTINGS = {
  ...identitySettings,
  ...scheduleSettings,
  ...callerIdSettings,
  ...modeSettings,
  ...attemptSettings,
  ...pacingSettings,
  ...outcomeSettings,
  ...routingSettings,
};
export const CampaignSettingsSchema = Type.Object(CAMPAIGN_SETTINGS);

/** The settings as they are stored and read: "unlimited" is stored as 0 (seed 002), so both caps are numbers. */
type Stored<T> = Omit<T, 'maxConcurrentCalls' | 'callsPerSecond'> & { maxConcurrentCalls: number; callsPerSecond: number };
export type CampaignSettings = Stored<Static<typeof CampaignSettingsSchema>>;
/** Settings given on create (with `id`) or PATCH, in the stored form; absent ones keep their value or default. */
export type CampaignInput = Partial<CampaignSettings>;

/** Rows of a list handed to agent groups: absolute counts or relative weights, fixed once dialing starts (seed 001). */
export const AllocationSchema = Type.Object(
  {
    by: StringEnum(['count', 'ratio']),
    groups: Type.Record(Type.String(), Type.Number({ minimum: 0 }), {
      description: 'agent group id → row count (by=count) or weight (by=ratio)',
    }),
  },
  {
    additionalProperties: false,
    description: 'How the list rows are shared among agent groups; fixed once the campaign starts dialing (seed 001)',
  },
);
export type Allocation = Static<typeof AllocationSchema>;

export const CampaignListSchema = Type.Object({
  listId: Type.String(),
  /** A stopped list is not dialled (seed 002: several lists, each with start/stop). */
  active: Type.Boolean(),
  allocation: Nullable(AllocationSchema),
  attachedAt: Type.String(),
});
export type CampaignList = Static<typeof CampaignListSchema>;

/** A stored campaign: its settings and its record. */
export const CAMPAIGN_RECORD = {
  id: Type.String(),
  state: StringEnum(CAMPAIGN_STATES),
  /** Bumped by every write; a write based on an older version is refused. */
  version: Type.Integer(),
  ...CAMPAIGN_SETTINGS,
  lists: Type.Array(CampaignListSchema),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  stateChangedAt: Type.String(),
  /** First start; from then on list allocation is fixed. */
  startedAt: Nullable(Type.String()),
};
export const CampaignRecordSchema = Type.Object(CAMPAIGN_RECORD);
export type Campaign = Stored<Static<typeof CampaignRecordSchema>>;

/** retry-by-default column of the result-code table (../shared/reference/result-codes.md). */
export function defaultRetryPolicy(): Record<string, RetryRule> {
  return Object.fromEntries(ALL_RESULT_CODES.map((c) => [String(c), { retry: RESULT_CODES[c].retry }]));
}

/** Defaults of every setting (what a new campaign gets for fields not given): the one place they are written. */
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
