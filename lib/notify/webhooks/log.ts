/**
 * The webhook event log: a Redis Stream every dialer process appends its own
 * events to (so each event is recorded once), trimmed to about `logMaxLen`.
 * Stream ids are the replay positions subscriptions are delivered from.
 */
import type { Redis, Result } from 'ioredis';
import { keys } from '../../store/keys';
import type { MonitorEvent } from '../../monitor/hub';
import type { WebhookEvent } from './formatters';
import { webhookKeys } from './store';

/**
 * Event types webhooks can subscribe to. Left out on purpose: pacing traces
 * and progress snapshots (several a second; poll the API or use SSE), lease
 * changes and screen pops (they carry the contact; agents get them over SSE).
 */
export const WEBHOOK_EVENT_TYPES = [
  'call.started',
  'call.phase',
  'call.ended',
  'attempt.skipped',
  // An agent's disposition changed a closed attempt's result (notSure "agent-decides").
  'attempt.recoded',
  'campaign.state',
  'campaign.completed',
  'campaign.abandon-warning',
  'agent.state',
  'agent.released',
  'callback.due',
  'transfer.failed',
  'transfer.succeeded',
  // Return calls (issue 18).
  'inbound.received',
  'inbound.routed',
  'inbound.answered',
  'inbound.forwarded',
  'inbound.ivr',
  'inbound.no-agent',
  'inbound.abandoned',
  'inbound.dnc',
  'inbound.ended',
  // Messaging (issue 6); message.reply is seed 004's "SMS reply received".
  'message.sent',
  'message.status',
  'message.reply',
  'message.optout',
  'message.optin',
  'message.campaign',
] as const;

export const isWebhookType = (t: string) => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(t);

export async function appendToLog(
  redis: Redis,
  e: Pick<MonitorEvent, 'type' | 'at' | 'campaignId' | 'agentId' | 'data'>,
  maxLen: number,
): Promise<string> {
  const id = await redis.xadd(
    webhookKeys.log,
    'MAXLEN',
    '~',
    String(maxLen),
    '*',
    'type',
    e.type,
    'at',
    String(e.at),
    'campaignId',
    e.campaignId ?? '',
    'agentId',
    e.agentId ?? '',
    'data',
    JSON.stringify(e.data),
  );
  return id!;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    logAppendOnce(log: string, marker: string, ...args: string[]): Result<string | null, Context>;
  }
}

/** How long a recorded call.ended is remembered against a second recording (longer than any takeover). */
const ANNOUNCED_TTL_MS = 24 * 3600 * 1000;

/**
 * Records a campaign attempt's call.ended once, whoever records it (the
 * process that closed the attempt, or the campaign's next holder when that
 * one died first: lib/store/lua/dial-close.lua keeps the event until then),
 * and then lets the kept copy go. Resolves false when it was already recorded.
 */
export async function appendCallEndedOnce(
  redis: Redis,
  e: Pick<MonitorEvent, 'type' | 'at' | 'campaignId' | 'agentId' | 'data'> & { campaignId: string },
  attemptId: string,
  maxLen: number,
): Promise<boolean> {
  const id = await redis.logAppendOnce(
    webhookKeys.log,
    keys.global(`announced:${e.campaignId}:${attemptId}`),
    String(maxLen),
    String(ANNOUNCED_TTL_MS),
    'type',
    e.type,
    'at',
    String(e.at),
    'campaignId',
    e.campaignId,
    'agentId',
    e.agentId ?? '',
    'data',
    JSON.stringify(e.data),
  );
  await redis.hdel(keys.campaign(e.campaignId, 'unannounced'), attemptId);
  return !!id;
}

export function parseLogEntry(id: string, kv: string[]): WebhookEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i < kv.length; i += 2) f[kv[i]!] = kv[i + 1]!;
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(f.data ?? '{}') as Record<string, unknown>;
  } catch {
    data = { unreadable: f.data };
  }
  return { id, type: f.type ?? '', at: Number(f.at), campaignId: f.campaignId || undefined, agentId: f.agentId || undefined, data };
}

/** Events after `after` (exclusive), oldest first. */
export async function readLog(redis: Redis, after: string, count: number): Promise<WebhookEvent[]> {
  const rows = (await redis.xrange(webhookKeys.log, `(${after}`, '+', 'COUNT', count)) as [string, string[]][];
  return rows.map(([id, kv]) => parseLogEntry(id, kv));
}
