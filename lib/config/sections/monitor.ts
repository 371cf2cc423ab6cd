/**
 * `monitor`: live event streams (SSE), the campaign watcher, metrics and
 * webhooks. Owned by the monitor work (issue 5).
 */
export const monitorSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /** SSE comment line sent this often so proxies keep the stream open, seconds. */
    heartbeatSec: { type: 'number', minimum: 0.05, maximum: 300, default: 15 },
    /** Events kept in memory for `Last-Event-ID` reconnects. */
    replayBuffer: { type: 'integer', minimum: 0, maximum: 100000, default: 2000 },
    /** A subscriber whose unsent output exceeds this is dropped (it reconnects with Last-Event-ID). */
    maxBufferedBytes: { type: 'integer', minimum: 1024, default: 4194304 },
    /** How often campaign state and progress are read from Redis, milliseconds. */
    pollMs: { type: 'integer', minimum: 50, maximum: 60000, default: 1000 },
    /** "Abandon rate near the cap" fires at this fraction of the campaign's abandonTargetPct. */
    abandonWarnRatio: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.8 },
    /** …and only once this many live answers were counted (a rate over 3 calls means nothing). */
    abandonWarnMinCalls: { type: 'integer', minimum: 1, default: 30 },
    webhooks: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Deliver webhooks from this process (every process records its own events). */
        deliver: { type: 'boolean', default: true },
        /** Attempts per event before it goes to the dead-letter stream. */
        maxAttempts: { type: 'integer', minimum: 1, maximum: 100, default: 12 },
        /** Retry delay: base × 2^(attempt-1), capped. */
        backoffBaseMs: { type: 'integer', minimum: 1, default: 1000 },
        backoffMaxMs: { type: 'integer', minimum: 1, default: 300000 },
        timeoutMs: { type: 'integer', minimum: 100, default: 10000 },
        /** How often an idle worker looks for new events (it is also woken in-process). */
        pollMs: { type: 'integer', minimum: 10, default: 1000 },
        /** Approximate length the event log is trimmed to (XADD MAXLEN ~). */
        logMaxLen: { type: 'integer', minimum: 100, default: 100000 },
        /** Signatures older than this are rejected by `verifySignature`, seconds. */
        toleranceSec: { type: 'integer', minimum: 1, default: 300 },
      },
    },
  },
} as const;

export interface WebhooksConfig {
  deliver: boolean;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  pollMs: number;
  logMaxLen: number;
  toleranceSec: number;
}

export interface MonitorConfig {
  heartbeatSec: number;
  replayBuffer: number;
  maxBufferedBytes: number;
  pollMs: number;
  abandonWarnRatio: number;
  abandonWarnMinCalls: number;
  webhooks: WebhooksConfig;
}
