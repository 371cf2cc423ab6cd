/**
 * Webhook delivery: at least once, in order. Each subscription is delivered by
 * one process at a time (a lease in Redis) walking the event log from its
 * cursor; an event is retried with exponential backoff until the receiver
 * answers 2xx, and only then does the cursor move past it — so a receiver that
 * is down gets everything later, in the original order. After `maxAttempts`
 * the event goes to the dead-letter stream and delivery goes on (one poison
 * event must not stop a subscription for good). Order is per subscription,
 * which implies per campaign.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WebhooksConfig } from '../../config/sections/monitor';
import { formatEvent, type WebhookEvent } from './formatters';
import { readLog } from './log';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from './sign';
import { getCursor, getSubscription, listSubscriptions, webhookKeys, type Subscription } from './store';

const BATCH = 100;
const DEAD_MAX_LEN = 10000;

/** Does the subscription want this event? */
export function wants(s: Pick<Subscription, 'events' | 'campaigns'>, e: Pick<WebhookEvent, 'type' | 'campaignId'>): boolean {
  if (s.campaigns.length > 0 && (!e.campaignId || !s.campaigns.includes(e.campaignId))) return false;
  return s.events.some((t) => t === '*' || t === e.type || (t.endsWith('.') && e.type.startsWith(t)));
}

/** Delay before retry number `attempt` (1-based count of failures so far). */
export const backoffMs = (attempt: number, c: Pick<WebhooksConfig, 'backoffBaseMs' | 'backoffMaxMs'>) =>
  Math.min(c.backoffMaxMs, c.backoffBaseMs * 2 ** Math.max(0, attempt - 1));

export interface DeliveryOutcome {
  ok: boolean;
  status?: number;
  error?: string;
}

export interface WorkerStats {
  delivered: number;
  failedAttempts: number;
  deadLettered: number;
}

export interface WorkerDeps {
  redis: Redis;
  log: Logger;
  config: WebhooksConfig;
  /** Names this process in the delivery leases. */
  owner: string;
  clock?: () => number;
  /** Called after every HTTP attempt (metrics). */
  onAttempt?: (sub: Subscription, e: WebhookEvent, o: DeliveryOutcome) => void;
}

export class WebhookWorker {
  private readonly active = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private wakers = new Set<() => void>();
  readonly stats: WorkerStats = { delivered: 0, failedAttempts: 0, deadLettered: 0 };
  private readonly clock: () => number;
  private readonly leaseMs: number;

  constructor(private readonly d: WorkerDeps) {
    this.clock = d.clock ?? Date.now;
    this.leaseMs = Math.max(30000, d.config.timeoutMs * 3);
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.poke(), this.d.config.pollMs);
    this.timer.unref();
    this.poke();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const w of this.wakers) w();
    await Promise.allSettled([...this.active.values()]);
  }

  /** Looks for work now (new events were logged, a subscription changed). */
  poke(): void {
    if (this.stopped) return;
    void listSubscriptions(this.d.redis).then(
      (subs) => {
        for (const s of subs) {
          if (!s.active || this.active.has(s.id) || this.stopped) continue;
          const run = this.drain(s.id)
            .catch((err: Error) => this.d.log.warn({ err, subscription: s.id }, 'webhook delivery interrupted'))
            .finally(() => this.active.delete(s.id));
          this.active.set(s.id, run);
        }
      },
      (err: Error) => this.d.log.warn({ err }, 'webhook subscriptions not readable'),
    );
  }

  private async holdLease(id: string): Promise<boolean> {
    return (await this.d.redis.leaseAcquire(webhookKeys.lease(id), this.d.owner, this.leaseMs)) === 1;
  }

  /** Delivers a subscription's pending events until none is left. */
  private async drain(id: string): Promise<void> {
    if (!(await this.holdLease(id))) return;
    try {
      while (!this.stopped) {
        const sub = await getSubscription(this.d.redis, id);
        if (!sub || !sub.active) return;
        const cursor = await getCursor(this.d.redis, id);
        const events = await readLog(this.d.redis, cursor, BATCH);
        if (events.length === 0) return;
        let expected = cursor;
        for (const e of events) {
          let dead = '';
          if (wants(sub, e)) {
            const r = await this.deliverWithRetries(sub, e);
            if (r === 'stopped') return;
            if (r !== 'delivered')
              dead = JSON.stringify({ type: e.type, attempts: r.attempts, lastError: r.error, lastStatus: r.status, at: this.clock() });
          }
          const moved = await this.d.redis.webhookAdvance(
            webhookKeys.lease(id),
            webhookKeys.cursor(id),
            webhookKeys.dead(id),
            this.d.owner,
            expected,
            e.id,
            dead,
            DEAD_MAX_LEN,
          );
          if (moved === 0) return; // another process delivers it now
          if (moved === 2) break; // replay requested: read again from the new cursor
          if (dead) this.stats.deadLettered++;
          expected = e.id;
        }
      }
    } finally {
      await this.d.redis.leaseRelease(webhookKeys.lease(id), this.d.owner).catch(() => undefined);
    }
  }

  private async deliverWithRetries(
    sub: Subscription,
    e: WebhookEvent,
  ): Promise<'delivered' | 'stopped' | { attempts: number; error: string; status?: number }> {
    let last: DeliveryOutcome = { ok: false };
    for (let attempt = 1; attempt <= this.d.config.maxAttempts; attempt++) {
      if (this.stopped || !(await this.holdLease(sub.id))) return 'stopped';
      last = await this.deliverOnce(sub, e, attempt);
      this.d.onAttempt?.(sub, e, last);
      if (last.ok) {
        this.stats.delivered++;
        return 'delivered';
      }
      this.stats.failedAttempts++;
      this.d.log.debug({ subscription: sub.id, eventId: e.id, attempt, status: last.status, error: last.error }, 'webhook delivery failed');
      if (attempt < this.d.config.maxAttempts && !(await this.sleep(backoffMs(attempt, this.d.config)))) return 'stopped';
    }
    this.d.log.warn({ subscription: sub.id, eventId: e.id, error: last.error, status: last.status }, 'webhook event dead-lettered');
    return { attempts: this.d.config.maxAttempts, error: last.error ?? `HTTP ${last.status}`, status: last.status };
  }

  /** One HTTP POST; 2xx is success, anything else (or no answer in time) a failure. */
  async deliverOnce(sub: Subscription, e: WebhookEvent, attempt: number): Promise<DeliveryOutcome> {
    const req = formatEvent(sub.format, e, { lineTo: sub.lineTo });
    const sig = sign(sub.secret, req.body, this.clock());
    try {
      const res = await fetch(sub.url, {
        method: 'POST',
        body: req.body,
        headers: {
          ...sub.headers,
          'content-type': req.contentType,
          'user-agent': 'open-dialer-webhooks/1',
          [SIGNATURE_HEADER]: sig.header,
          [TIMESTAMP_HEADER]: String(sig.timestamp),
          'x-dialer-event-id': e.id,
          'x-dialer-event-type': e.type,
          'x-dialer-delivery-attempt': String(attempt),
        },
        signal: AbortSignal.timeout(this.d.config.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      return { ok: false, error: cause?.code ?? cause?.message ?? (err as Error).message };
    }
  }

  /** Resolves true after `ms`, or false at once when the worker stops. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(t);
        this.wakers.delete(wake);
        resolve(v);
      };
      const wake = () => done(false);
      const t = setTimeout(() => done(!this.stopped), ms);
      this.wakers.add(wake);
    });
  }
}
