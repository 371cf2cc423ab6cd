/**
 * Request and reply schemas of the campaign resource, built from the domain's TypeBox schemas
 * (lib/domain/campaign-settings.ts): they validate requests, type the handlers (`Static`) and produce the
 * OpenAPI document. Rules JSON Schema cannot express (name script classes, hours overlaps, ratio table
 * order…) are in lib/domain/campaign.
 */
import { Type, type TOptional, type TProperties, type TSchema } from '@sinclair/typebox';
import { ReqObject } from '../typebox';
import { Nullable, RefTo, StringEnum } from '../../config/typebox';
import { errorResponses } from '../errors';
import {
  AllocationSchema,
  CAMPAIGN_RECORD,
  CAMPAIGN_SETTINGS,
  CampaignListSchema,
  ID_PATTERN,
  campaignDefaults,
  type CampaignInput,
  type CampaignSettings,
} from '../../domain/campaign';

/**
 * Settings whose default the create body states (ajv fills them in, and /openapi.json shows them). The
 * others' defaults (null, objects, lists) are applied by the store from the same `campaignDefaults()`.
 */
const STATED_DEFAULTS = [
  'description',
  'presentCallerId',
  'mode',
  'ringTimeoutSec',
  'maxAttempts',
  'retryIntervalSec',
  'maxConcurrentCalls',
  'callsPerSecond',
  'ratio',
  'abandonThresholdSec',
  'abandonTargetPct',
  'abandonWindowHours',
  'dispositionRequired',
  'notSure',
  'callbackOwnerGraceSec',
] as const satisfies readonly (keyof CampaignSettings)[];
type Stated = (typeof STATED_DEFAULTS)[number];

/** The create body's settings: `name` required, the stated defaults filled in, every other setting optional. */
type CreateSettings<P extends TProperties> = { [K in keyof P]: K extends 'name' | Stated ? P[K] : TOptional<P[K]> };
function createSettings<P extends TProperties>(props: P): CreateSettings<P> {
  const defaults: Record<string, unknown> = campaignDefaults();
  const stated = new Set<string>(STATED_DEFAULTS);
  return Object.fromEntries(
    Object.entries(props).map(([k, s]) => [
      k,
      k === 'name' ? s : stated.has(k) ? ({ ...s, default: defaults[k] } as TSchema) : Type.Optional(s),
    ]),
  ) as CreateSettings<P>;
}

export const createCampaignBody = ReqObject(
  {
    id: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'optional; generated when absent' })),
    ...createSettings(CAMPAIGN_SETTINGS),
  },
  { additionalProperties: false },
);

/** PATCH: any settings, at least one, no defaults (an absent setting keeps its value). */
export const patchCampaignBody = Type.Partial(Type.Object(CAMPAIGN_SETTINGS), { additionalProperties: false, minProperties: 1 });

/** Settings given as "unlimited" → 0, the stored form (seed 002). */
export function unlimitedToZero<T extends { maxConcurrentCalls?: number | 'unlimited'; callsPerSecond?: number | 'unlimited' }>(
  body: T,
): Omit<T, keyof CampaignInput> & CampaignInput {
  const out = { ...body } as Record<string, unknown>;
  if (out.maxConcurrentCalls === 'unlimited') out.maxConcurrentCalls = 0;
  if (out.callsPerSecond === 'unlimited') out.callsPerSecond = 0;
  return out as Omit<T, keyof CampaignInput> & CampaignInput;
}

export const allocationSchema = AllocationSchema;

/**
 * The campaign as the API shows it (component `Campaign`): the stored record, every field optional in the
 * document (as it always was), and, for running campaigns, why it is or is not dialing.
 */
export const campaignSchema = Type.Partial(
  Type.Object({
    ...CAMPAIGN_RECORD,
    lists: Type.Array(Type.Partial(CampaignListSchema)),
    dialing: Type.Partial(
      Type.Object({
        state: StringEnum(['dialing', 'idle']),
        reason: Type.String(),
        detail: Type.String(),
        until: Nullable(Type.String()),
        since: Type.String(),
      }),
      {
        description:
          'running campaigns: whether the dialer places calls, and if not why (reason: outside_hours, before_period, after_period, no_agents, no_ready_agents, campaign_cap, trunk_full, calls_per_second, running_campaign_limit, no_eligible_contacts, waiting_for_callbacks, abandon_budget, telephony_refused), until when if known, since when',
      },
    ),
  }),
  { $id: 'Campaign' },
);

/** `{ $ref: 'Campaign#' }`, typed as the campaign schema. */
export const campaignRef = RefTo(campaignSchema);

/** The replies of a route answering with one campaign (201 on create). */
export const campaignReply = { 200: campaignRef, ...errorResponses };

export const idParams = ReqObject({ id: Type.String({ pattern: ID_PATTERN }) });
export const listParams = ReqObject({ id: Type.String({ pattern: ID_PATTERN }), listId: Type.String({ minLength: 1, maxLength: 128 }) });
