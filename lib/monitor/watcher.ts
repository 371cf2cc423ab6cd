/**
 * The campaign watcher: reads every campaign's state and counters from Redis
 * (so changes made by any process, or through the API, are seen) and
 * publishes `campaign.state` when a state changed, `campaign.progress` when
 * its numbers changed, and `campaign.abandon-warning` when the abandon rate
 * climbs near the campaign's cap. Decisions are pure; polling is the edge.
 * A transition applied through campaign control (any process: API, runner)
 * is published on the control channel; the watcher polls at once on it, so
 * `campaign.state` follows a start/pause/close without waiting for `pollMs`.
 * The timer stays for what no message announces (counters, a crashed peer).
 */
import type { Redis } from 'ioredis';
import { onControl } from '../dialer/campaign-control';
import { listCampaigns } from '../store/campaigns';
import { keys } from '../store/keys';
import type { MonitorHub } from './hub';

export interface Progress {
  campaignId: string;
  name: string;
  state: string;
  total: number;
  processed: number;
  remaining: number;
  attempts: number;
  inflight: number;
  byCode: Record<string, number>;
  live: number;
  abandoned: number;
  /** abandoned ÷ live answers over the campaign's life (the reports give the 24 h / 30 day windows). */
  abandonRate: number;
  abandonCapPct: number;
}

export function progressOf(
  c: { id: string; name: string; state: string; abandonTargetPct: number },
  counters: Record<string, string>,
  inflight: number,
): Progress {
  const n = (k: string) => Number(counters[k] ?? 0);
  const byCode: Record<string, number> = {};
  for (const [k, v] of Object.entries(counters)) if (k.startsWith('code:')) byCode[k.slice(5)] = Number(v);
  const total = n('contacts');
  const remaining = n('remaining');
  const live = n('live');
  const abandoned = n('abandoned');
  return {
    campaignId: c.id,
    name: c.name,
    state: c.state,
    total,
    processed: total - remaining,
    remaining,
    attempts: n('attempts'),
    inflight,
    byCode,
    live,
    abandoned,
    abandonRate: live === 0 ? 0 : abandoned / live,
    abandonCapPct: c.abandonTargetPct,
  };
}

/**
 * Edge-triggered warning with hysteresis: fires once when the rate reaches
 * `ratio × cap`, re-arms only after it fell below 90 % of that level.
 */
export function abandonWarning(p: Progress, warned: boolean, cfg: { ratio: number; minCalls: number }): { warn: boolean; warned: boolean } {
  const level = (cfg.ratio * p.abandonCapPct) / 100;
  if (p.live < cfg.minCalls) return { warn: false, warned };
  if (!warned && p.abandonRate >= level) return { warn: true, warned: true };
  if (warned && p.abandonRate < level * 0.9) return { warn: false, warned: false };
  return { warn: false, warned };
}

export interface WatcherOptions {
  pollMs: number;
  abandonWarnRatio: number;
  abandonWarnMinCalls: number;
  clock?: () => number;
  onError?: (err: Error) => void;
}

export class CampaignWatcher {
  private readonly last = new Map<string, Progress>();
  private readonly warned = new Map<string, boolean>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private offControl?: Promise<() => Promise<void>>;

  constructor(
    private readonly redis: Redis,
    private readonly hub: MonitorHub,
    private readonly opts: WatcherOptions,
  ) {}

  get started(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs);
    this.timer.unref();
    this.offControl = onControl(this.redis, () => void this.poll());
    // Without the subscription the timer still finds every change, later.
    this.offControl.catch((err: Error) => this.opts.onError?.(err));
    void this.poll();
  }

  /** Resolves once the control subscription is made (changes announced from then on are seen at once). */
  async subscribed(): Promise<void> {
    await this.offControl;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const off = this.offControl;
    this.offControl = undefined;
    await off?.then((f) => f()).catch(() => undefined);
    await this.running;
  }

  /** The latest progress of every campaign seen. */
  snapshot(): Progress[] {
    return [...this.last.values()];
  }

  /** Polls now; concurrent calls coalesce into one more poll after the current one. */
  poll(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pollOnce()
      .catch((err: Error) => this.opts.onError?.(err))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.poll();
        }
      });
    return this.running;
  }

  private async pollOnce(): Promise<void> {
    const now = (this.opts.clock ?? Date.now)();
    const campaigns = await listCampaigns(this.redis);
    const rows = await Promise.all(
      campaigns.map(async (c) => {
        const [counters, inflight] = await Promise.all([
          this.redis.hgetall(keys.campaign(c.id, 'counters')),
          this.redis.zcard(keys.campaign(c.id, 'inflight')),
        ]);
        return progressOf(c, counters, inflight);
      }),
    );
    const seen = new Set<string>();
    for (const p of rows) {
      seen.add(p.campaignId);
      const prev = this.last.get(p.campaignId);
      this.last.set(p.campaignId, p);
      if (prev && prev.state !== p.state) {
        this.hub.publish({
          type: 'campaign.state',
          at: now,
          campaignId: p.campaignId,
          data: { campaignId: p.campaignId, name: p.name, from: prev.state, to: p.state },
        });
      }
      if (!prev || JSON.stringify(prev) !== JSON.stringify(p)) {
        this.hub.publish({ type: 'campaign.progress', at: now, campaignId: p.campaignId, data: { ...p } });
      }
      const w = abandonWarning(p, this.warned.get(p.campaignId) ?? false, {
        ratio: this.opts.abandonWarnRatio,
        minCalls: this.opts.abandonWarnMinCalls,
      });
      this.warned.set(p.campaignId, w.warned);
      if (w.warn) {
        this.hub.publish({
          type: 'campaign.abandon-warning',
          at: now,
          campaignId: p.campaignId,
          data: {
            campaignId: p.campaignId,
            campaignName: p.name,
            rate: p.abandonRate,
            abandoned: p.abandoned,
            live: p.live,
            capPct: p.abandonCapPct,
          },
        });
      }
    }
    for (const id of [...this.last.keys()]) if (!seen.has(id)) this.last.delete(id);
  }
}
