/**
 * `messaging`: SMS and e-mail notifications (issue 6). Channels are optional:
 * a channel without its settings is simply not started, and a campaign or a
 * trigger naming it is refused with a clear error.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../typebox';
export const messagingSchema = Type.Object(
  {
    /** Run message campaigns and channels in this process. */
    enabled: Type.Boolean({ default: true }),
    /** Which channel carries SMS: SIP MESSAGE through the trunk, or SMPP to an aggregator. */
    smsChannel: StringEnum(['sip', 'smpp'], { default: 'sip' }),
    /** A reply is threaded to the last message sent to that number within this time, seconds. */
    threadWindowSec: Type.Integer({ minimum: 1, default: 604800 }),
    /** How long an idempotency key of the trigger API is remembered, seconds. */
    idempotencyTtlSec: Type.Integer({ minimum: 1, default: 86400 }),
    /** Campaign runner tick, milliseconds. */
    tickMs: Type.Integer({ minimum: 10, maximum: 60000, default: 200 }),
    /** A message campaign is driven by the process holding its lease, milliseconds. */
    leaseMs: Type.Integer({ minimum: 500, default: 10000 }),
    /**
     * Trigger-API messages handed to their channel at once by this process; more wait their turn
     * (claimed, so another process sends them if this one dies).
     */
    maxConcurrentSends: Type.Integer({ minimum: 1, maximum: 10000, default: 32 }),
    /** Longest accepted message body, characters (SMS and e-mail alike). */
    maxBodyChars: Type.Integer({ minimum: 1, default: 1600 }),
    /** Help text answered to HELP/INFO when the campaign has none. */
    defaultHelpText: Type.String({ default: 'Reply STOP to opt out, START to opt back in.' }),
    sip: Type.Object(
      {
        /** Local UDP socket for MESSAGE (the trunk sends inbound SMS here). Port 0 picks a free one. */
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
        /** host:port of the trunk; empty uses the first telephony trunk's address. */
        trunkAddress: Type.String({ default: '' }),
        /** Our sender number (From user part) when the campaign gives none. */
        from: Type.String({ default: 'dialer' }),
        /** Digest credentials for a trunk that challenges MESSAGE. */
        username: Type.String({ default: '' }),
        password: Type.String({ default: '' }),
        /** RFC 3261 T1, milliseconds (Timer E/F for the non-INVITE MESSAGE transaction). */
        t1Ms: Type.Integer({ minimum: 10, default: 500 }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    smpp: Type.Object(
      {
        /** smpp://host:port; empty: no SMPP channel. */
        url: Type.String({ default: '' }),
        systemId: Type.String({ default: '' }),
        password: Type.String({ default: '' }),
        systemType: Type.String({ default: '' }),
        /** Source address (our sender number or alphanumeric id). */
        from: Type.String({ default: '' }),
        enquireLinkMs: Type.Integer({ minimum: 0, default: 30000 }),
        /** Wait for a submit_sm_resp at most this long, milliseconds. */
        timeoutMs: Type.Integer({ minimum: 100, default: 10000 }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    smtp: Type.Object(
      {
        /** smtp://user:pass@host:port or smtps://…; empty: no e-mail channel. */
        url: Type.String({ default: '' }),
        /** From address; its domain is the sending domain. */
        from: Type.String({ default: '' }),
        /** Allow a self-signed certificate (test beds only). */
        insecureTls: Type.Boolean({ default: false }),
        timeoutMs: Type.Integer({ minimum: 100, default: 15000 }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
  },
  {
    additionalProperties: false,
    default: {},
  },
);

export type MessagingConfig = Static<typeof messagingSchema>;
