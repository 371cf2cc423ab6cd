/**
 * Webhook subscriptions and their delivery state in Redis, under the `{g}` tag:
 *   g:{g}:webhooks              HASH id → subscription JSON
 *   g:{g}:webhook-log           STREAM of outbound events (the replayable source)
 *   g:{g}:webhook:<id>:cursor   id of the last event delivered (or skipped)
 *   g:{g}:webhook:<id>:lease    which process delivers this subscription now
 *   g:{g}:webhook:<id>:dead     STREAM of dead letters
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { keys } from '../../store/keys';
import { FORMATS, NOTICE_TYPES, type Format } from './formatters';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    webhookAdvance(
      lease: string,
      cursor: string,
      dead: string,
      owner: string,
      expected: string,
      eventId: string,
      deadJson: string,
      deadMaxLen: number,
    ): Result<number, Context>;
  }
}

export const webhookKeys = {
  subs: keys.global('webhooks'),
  log: keys.global('webhook-log'),
  cursor: (id: string) => keys.global(`webhook:${id}:cursor`),
  lease: (id: string) => keys.global(`webhook:${id}:lease`),
  dead: (id: string) => keys.global(`webhook:${id}:dead`),
};

export interface Subscription {
  id: string;
  url: string;
  /** Event types (exact, or a prefix ending in '.'; '*' = all). */
  events: string[];
  /** Only events of these campaigns; empty = all. */
  campaigns: string[];
  format: Format;
  /** HMAC-SHA256 key for the signature header. */
  secret: string;
  /** Extra request headers (a LINE channel token, a Chatwork API token). Never returned by the API. */
  headers: Record<string, string>;
  /** LINE push target (user, group or room id). */
  lineTo?: string;
  active: boolean;
  createdAt: string;
}

export interface SubscriptionInput {
  url: string;
  events: string[];
  campaigns?: string[];
  format?: Format;
  secret?: string;
  headers?: Record<string, string>;
  lineTo?: string;
  active?: boolean;
  /** Where delivery starts: 'now' (default, only new events) or a log id to deliver from (exclusive). */
  from?: string;
}

export class WebhookInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookInputError';
  }
}

/** The checks JSON Schema cannot express; returns the problems found. */
export function subscriptionProblems(s: Pick<SubscriptionInput, 'url' | 'events' | 'format' | 'lineTo'>): string[] {
  const errs: string[] = [];
  let u: URL | undefined;
  try {
    u = new URL(s.url);
  } catch {
    errs.push(`url "${s.url}" is not an absolute URL`);
  }
  if (u && u.protocol !== 'http:' && u.protocol !== 'https:') errs.push(`url must be http or https, not ${u.protocol}`);
  const format = s.format ?? 'json';
  if (!FORMATS.includes(format)) errs.push(`format must be one of ${FORMATS.join(', ')}`);
  if (format !== 'json') {
    const bad = s.events.filter((e) => !(NOTICE_TYPES as readonly string[]).includes(e));
    if (bad.length)
      errs.push(`a ${format} subscription carries human-facing notices only (${NOTICE_TYPES.join(', ')}); not: ${bad.join(', ')}`);
  }
  if (format === 'line' && !s.lineTo) errs.push('a line subscription needs lineTo (the user, group or room id to push to)');
  return errs;
}

export async function createSubscription(redis: Redis, input: SubscriptionInput, now = new Date()): Promise<Subscription> {
  const problems = subscriptionProblems(input);
  if (problems.length) throw new WebhookInputError(problems.join('; '));
  const sub: Subscription = {
    id: randomUUID(),
    url: input.url,
    events: input.events,
    campaigns: input.campaigns ?? [],
    format: input.format ?? 'json',
    secret: input.secret ?? randomBytes(32).toString('base64url'),
    headers: input.headers ?? {},
    lineTo: input.lineTo,
    active: input.active ?? true,
    createdAt: now.toISOString(),
  };
  // Start after the newest event so a new subscription is not flooded with the past (replay is explicit).
  const start = input.from ?? (await lastLogId(redis));
  await redis.multi().hset(webhookKeys.subs, sub.id, JSON.stringify(sub)).set(webhookKeys.cursor(sub.id), start).exec();
  return sub;
}

export async function getSubscription(redis: Redis, id: string): Promise<Subscription | null> {
  const json = await redis.hget(webhookKeys.subs, id);
  return json ? (JSON.parse(json) as Subscription) : null;
}

export async function listSubscriptions(redis: Redis): Promise<Subscription[]> {
  const h = await redis.hgetall(webhookKeys.subs);
  return Object.values(h)
    .map((j) => JSON.parse(j) as Subscription)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export async function updateSubscription(
  redis: Redis,
  id: string,
  patch: Partial<Omit<SubscriptionInput, 'from'>>,
): Promise<Subscription | null> {
  const cur = await getSubscription(redis, id);
  if (!cur) return null;
  const next: Subscription = { ...cur, ...patch, campaigns: patch.campaigns ?? cur.campaigns, headers: patch.headers ?? cur.headers };
  const problems = subscriptionProblems(next);
  if (problems.length) throw new WebhookInputError(problems.join('; '));
  await redis.hset(webhookKeys.subs, id, JSON.stringify(next));
  return next;
}

export async function deleteSubscription(redis: Redis, id: string): Promise<boolean> {
  const [[, n]] = (await redis
    .multi()
    .hdel(webhookKeys.subs, id)
    .del(webhookKeys.cursor(id), webhookKeys.dead(id), webhookKeys.lease(id))
    .exec()) as [[null, number]];
  return n === 1;
}

/** The id of the newest event in the log ('0-0' when empty). */
export async function lastLogId(redis: Redis): Promise<string> {
  const rows = (await redis.xrevrange(webhookKeys.log, '+', '-', 'COUNT', 1)) as [string, string[]][];
  return rows[0]?.[0] ?? '0-0';
}

/** Redelivers from a log position: every event after `from` is sent again, in order. */
export async function setCursor(redis: Redis, id: string, from: string): Promise<void> {
  await redis.set(webhookKeys.cursor(id), from);
}

export async function getCursor(redis: Redis, id: string): Promise<string> {
  return (await redis.get(webhookKeys.cursor(id))) ?? '0-0';
}

export interface DeadLetter {
  id: string;
  eventId: string;
  type: string;
  attempts: number;
  lastError: string;
  lastStatus?: number;
  at: number;
}

export async function listDeadLetters(redis: Redis, id: string, count = 100): Promise<DeadLetter[]> {
  const rows = (await redis.xrange(webhookKeys.dead(id), '-', '+', 'COUNT', count)) as [string, string[]][];
  return rows.map(([sid, kv]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i < kv.length; i += 2) f[kv[i]!] = kv[i + 1]!;
    return { id: sid, eventId: f.eventId!, ...(JSON.parse(f.record ?? '{}') as Omit<DeadLetter, 'id' | 'eventId'>) };
  });
}
