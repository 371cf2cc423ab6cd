/** JSON Schemas of inbound routes, schedules and overrides (issue 18); strict bodies (no unknown properties). */
const target = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: {
    to: { type: 'string', minLength: 1, maxLength: 256, description: 'a SIP URI (sip:user@ip[:port]) or a number dialled through a trunk' },
    trunk: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

export const actionSchema = {
  $id: 'InboundAction',
  description:
    'What a call gets, by `type`: `agents` (groups; ring the longest-idle ready agent with a screen pop; `busy` forwards at once when nobody is ready, `noAnswer` after `afterSec`, default 20), `message` (file; optional `dncDigit`), `forward` (to, trunk; unconditional), `ivr` (uri: a voice bot / IVR). Properties of another type are refused, naming the field.',
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['agents', 'message', 'forward', 'ivr'] },
    groups: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 64 } },
    afterSec: { type: 'integer', minimum: 1, maximum: 600, description: 'agents: no-answer time (default 20)' },
    noAnswer: target,
    busy: target,
    message: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      description: 'agents: audio file played when nobody took the call and there is no noAnswer forward',
    },
    file: { type: 'string', minLength: 1, maxLength: 1024, description: 'message: audio file the driver can read (WAV)' },
    dncDigit: { type: 'string', pattern: '^[0-9*#]$', description: 'message: DTMF digit that puts the caller on the do-not-call list' },
    to: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      description: 'forward: a SIP URI (sip:user@ip[:port]) or a number dialled through a trunk',
    },
    trunk: { type: 'string', minLength: 1, maxLength: 64 },
    uri: { type: 'string', minLength: 5, maxLength: 256, description: "ivr: the bot's SIP URI" },
  },
};

export const overrideSchema = {
  $id: 'InboundOverride',
  type: 'object',
  additionalProperties: false,
  required: ['action', 'until'],
  properties: {
    action: { $ref: 'InboundAction#' },
    until: { type: 'string', minLength: 1, maxLength: 40, description: 'ISO 8601 instant the override ends' },
    from: { type: 'string', minLength: 1, maxLength: 40, description: 'ISO 8601 instant it starts (default now)' },
    reason: { type: 'string', maxLength: 500 },
  },
};

const band = {
  type: 'object',
  additionalProperties: false,
  required: ['days', 'start', 'end', 'action'],
  properties: {
    days: {
      type: 'array',
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      items: { type: 'integer', minimum: 1, maximum: 7 },
      description: 'ISO weekdays, 1 = Monday',
    },
    start: { type: 'string', description: 'HH:MM (inclusive)' },
    end: { type: 'string', description: 'HH:MM (exclusive; 24:00 = midnight; before start = past midnight)' },
    action: { $ref: 'InboundAction#' },
  },
};

export const routeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['timeZone', 'closed'],
  properties: {
    name: { type: 'string', maxLength: 200 },
    trunk: { type: 'string', minLength: 1, maxLength: 64, description: 'accept only from this trunk' },
    timeZone: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA zone of the bands and holidays' },
    bands: { type: 'array', maxItems: 100, items: band, default: [] },
    holidays: { type: 'array', maxItems: 1000, items: { type: 'string' }, default: [], description: 'YYYY-MM-DD' },
    closed: { $ref: 'InboundAction#' },
    holiday: { $ref: 'InboundAction#' },
    override: { $ref: 'InboundOverride#' },
    closeRetries: { type: 'boolean', default: true, description: "a return call from a contact closes the contact's pending retries" },
    campaignId: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

export const routeOut = {
  type: 'object',
  properties: {
    did: { type: 'string' },
    ...routeBody.properties,
    current: {
      type: 'object',
      description: 'what a call gets now',
      properties: { by: { type: 'string' }, band: { type: 'integer' }, action: { $ref: 'InboundAction#' } },
    },
  },
} as const;
