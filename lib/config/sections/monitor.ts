/**
 * `monitor`: live event streams (SSE), the campaign watcher, metrics and
 * webhooks. Owned by the monitor work (issue 5).
 */
import { Type, type Static } from '@sinclair/typebox';
export const monitorSchema = Type.Object(
  {
    /** SSE comment line sent this often so proxies keep the stream open, seconds. */
    heartbeatSec: Type.Number({ minimum: 0.05, maximum: 300, default: 15 }),
    /** Events kept in memory for `Last-Event-ID` reconnects. */
    replayBuffer: Type.Integer({ minimum: 0, maximum: 100000, default: 2000 }),
    /** A subscriber whose unsent output exceeds this is dropped (it reconnects with Last-Event-ID). */
    maxBufferedBytes: Type.Integer({ minimum: 1024, default: 4194304 }),
    /** How often campaign state and progress are read from Redis, milliseconds. */
    pollMs: Type.Integer({ minimum: 50, maximum: 60000, default: 1000 }),
    /** "Abandon rate near the cap" fires at this fraction of the campaign's abandonTargetPct. */
    abandonWarnRatio: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.8 }),
    /** …and only once this many live answers were counted (a rate over 3 calls means nothing). */
    abandonWarnMinCalls: Type.Integer({ minimum: 1, default: 30 }),
    webhooks: Type.Object(
      {
        /** Deliver webhooks from this process (every process records its own events). */
        deliver: Type.Boolean({ default: true }),
        /** Attempts per event before it goes to the dead-letter stream. */
        maxAttempts: Type.Integer({ minimum: 1, maximum: 100, default: 12 }),
        /** Retry delay: base × 2^(attempt-1), capped. */
        backoffBaseMs: Type.Integer({ minimum: 1, default: 1000 }),
        backoffMaxMs: Type.Integer({ minimum: 1, default: 300000 }),
        timeoutMs: Type.Integer({ minimum: 100, default: 10000 }),
        /** How often an idle worker looks for new events (it is also woken in-process). */
        pollMs: Type.Integer({ minimum: 10, default: 1000 }),
        /** Approximate length the event log is trimmed to (XADD MAXLEN ~). */
        logMaxLen: Type.Integer({ minimum: 100, default: 100000 }),
        /** Signatures older than this are rejected by `verifySignature`, seconds. */
        toleranceSec: Type.Integer({ minimum: 1, default: 300 }),
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

export type MonitorConfig = Static<typeof monitorSchema>;
export type WebhooksConfig = MonitorConfig['webhooks'];
