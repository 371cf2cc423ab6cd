/**
 * `messaging`: SMS and e-mail notifications (issue 6). Channels are optional:
 * a channel without its settings is simply not started, and a campaign or a
 * trigger naming it is refused with a clear error.
 */
export const messagingSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /** Run message campaigns and channels in this process. */
    enabled: { type: 'boolean', default: true },
    /** Which channel carries SMS: SIP MESSAGE through the trunk, or SMPP to an aggregator. */
    smsChannel: { type: 'string', enum: ['sip', 'smpp'], default: 'sip' },
    /** A reply is threaded to the last message sent to that number within this time, seconds. */
    threadWindowSec: { type: 'integer', minimum: 1, default: 604800 },
    /** How long an idempotency key of the trigger API is remembered, seconds. */
    idempotencyTtlSec: { type: 'integer', minimum: 1, default: 86400 },
    /** Campaign runner tick, milliseconds. */
    tickMs: { type: 'integer', minimum: 10, maximum: 60000, default: 200 },
    /** A message campaign is driven by the process holding its lease, milliseconds. */
    leaseMs: { type: 'integer', minimum: 500, default: 10000 },
    /** Longest accepted message body, characters (SMS and e-mail alike). */
    maxBodyChars: { type: 'integer', minimum: 1, default: 1600 },
    /** Help text answered to HELP/INFO when the campaign has none. */
    defaultHelpText: { type: 'string', default: 'Reply STOP to opt out, START to opt back in.' },
    sip: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Local UDP socket for MESSAGE (the trunk sends inbound SMS here). Port 0 picks a free one. */
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
        /** host:port of the trunk; empty uses the first telephony trunk's address. */
        trunkAddress: { type: 'string', default: '' },
        /** Our sender number (From user part) when the campaign gives none. */
        from: { type: 'string', default: 'dialer' },
        /** Digest credentials for a trunk that challenges MESSAGE. */
        username: { type: 'string', default: '' },
        password: { type: 'string', default: '' },
        /** RFC 3261 T1, milliseconds (Timer E/F for the non-INVITE MESSAGE transaction). */
        t1Ms: { type: 'integer', minimum: 10, default: 500 },
      },
    },
    smpp: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** smpp://host:port; empty: no SMPP channel. */
        url: { type: 'string', default: '' },
        systemId: { type: 'string', default: '' },
        password: { type: 'string', default: '' },
        systemType: { type: 'string', default: '' },
        /** Source address (our sender number or alphanumeric id). */
        from: { type: 'string', default: '' },
        enquireLinkMs: { type: 'integer', minimum: 0, default: 30000 },
        /** Wait for a submit_sm_resp at most this long, milliseconds. */
        timeoutMs: { type: 'integer', minimum: 100, default: 10000 },
      },
    },
    smtp: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** smtp://user:pass@host:port or smtps://…; empty: no e-mail channel. */
        url: { type: 'string', default: '' },
        /** From address; its domain is the sending domain. */
        from: { type: 'string', default: '' },
        /** Allow a self-signed certificate (test beds only). */
        insecureTls: { type: 'boolean', default: false },
        timeoutMs: { type: 'integer', minimum: 100, default: 15000 },
      },
    },
  },
} as const;

export interface MessagingConfig {
  enabled: boolean;
  smsChannel: 'sip' | 'smpp';
  threadWindowSec: number;
  idempotencyTtlSec: number;
  tickMs: number;
  leaseMs: number;
  maxBodyChars: number;
  defaultHelpText: string;
  sip: { host: string; port: number; trunkAddress: string; from: string; username: string; password: string; t1Ms: number };
  smpp: { url: string; systemId: string; password: string; systemType: string; from: string; enquireLinkMs: number; timeoutMs: number };
  smtp: { url: string; from: string; insecureTls: boolean; timeoutMs: number };
}
