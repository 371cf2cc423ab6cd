/** JSON Schemas of inbound routes, schedules and overrides (issue 18); strict bodies (no unknown properties). */
import { ReqObject } from '../typebox';
import { Type } from '@sinclair/typebox';
import { RefTo, StringEnum } from '../../config/typebox';
const target = ReqObject(
  {
    to: Type.String({ minLength: 1, maxLength: 256, description: 'a SIP URI (sip:user@ip[:port]) or a number dialled through a trunk' }),
    trunk: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  {
    additionalProperties: false,
  },
);

export const actionSchema = ReqObject(
  {
    type: StringEnum(['agents', 'message', 'forward', 'ivr']),
    groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 20 })),
    afterSec: Type.Optional(Type.Integer({ minimum: 1, maximum: 600, description: 'agents: no-answer time (default 20)' })),
    agentPool: Type.Optional(
      StringEnum(['return-calls-first', 'return-calls-only'], {
        description:
          'agents: which agents of the groups take the call: those in the "return calls" state first, then ready (campaign) agents (return-calls-first, default), or only those taking return calls (return-calls-only; seed 001: agents waiting on a call job get no inbound calls)',
      }),
    ),
    noAnswer: Type.Optional(target),
    busy: Type.Optional(target),
    message: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: 'agents: audio file played when nobody took the call and there is no noAnswer forward',
      }),
    ),
    file: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'message: audio file the driver can read (WAV)' })),
    dncDigit: Type.Optional(
      Type.String({ pattern: '^[0-9*#]$', description: 'message: DTMF digit that puts the caller on the do-not-call list' }),
    ),
    to: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'forward: a SIP URI (sip:user@ip[:port]) or a number dialled through a trunk',
      }),
    ),
    trunk: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    uri: Type.Optional(Type.String({ minLength: 5, maxLength: 256, description: "ivr: the bot's SIP URI" })),
  },
  {
    $id: 'InboundAction',
    description:
      'What a call gets, by `type`: `agents` (groups; ring the longest-idle agent taking return calls, then (unless `agentPool` is return-calls-only) the longest-idle ready agent, with a screen pop; `busy` forwards at once when nobody is ready, `noAnswer` after `afterSec`, default 20), `message` (file; optional `dncDigit`), `forward` (to, trunk; unconditional), `ivr` (uri: a voice bot / IVR). Properties of another type are refused, naming the field.',
    additionalProperties: false,
  },
);

export const overrideSchema = ReqObject(
  {
    action: RefTo(actionSchema),
    until: Type.String({ minLength: 1, maxLength: 40, description: 'ISO 8601 instant the override ends' }),
    from: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'ISO 8601 instant it starts (default now)' })),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  {
    $id: 'InboundOverride',
    additionalProperties: false,
  },
);

const band = ReqObject(
  {
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      description: 'ISO weekdays, 1 = Monday',
    }),
    start: Type.String({ description: 'HH:MM (inclusive)' }),
    end: Type.String({ description: 'HH:MM (exclusive; 24:00 = midnight; before start = past midnight)' }),
    action: RefTo(actionSchema),
  },
  {
    additionalProperties: false,
  },
);

export const routeBody = ReqObject(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    trunk: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'accept only from this trunk' })),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone of the bands and holidays' }),
    bands: Type.Array(band, { maxItems: 100, default: [] }),
    holidays: Type.Array(Type.String(), { maxItems: 1000, default: [], description: 'YYYY-MM-DD' }),
    closed: RefTo(actionSchema),
    holiday: Type.Optional(RefTo(actionSchema)),
    override: Type.Optional(RefTo(overrideSchema)),
    closeRetries: Type.Boolean({ default: true, description: "a return call from a contact closes the contact's pending retries" }),
    campaignId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  {
    additionalProperties: false,
  },
);

export const routeOut = Type.Object({
  did: Type.Optional(Type.String()),
  // The body's fields, each optional here (as the document has always said).
  ...Type.Partial(Type.Object(routeBody.properties)).properties,
  current: Type.Optional(
    Type.Object(
      { by: Type.Optional(Type.String()), band: Type.Optional(Type.Integer()), action: Type.Optional(RefTo(actionSchema)) },
      { description: 'what a call gets now' },
    ),
  ),
});
