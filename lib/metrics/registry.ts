/**
 * Prometheus metrics (prom-client) for one app instance: a registry of its
 * own (several apps in one test process must not share the global one).
 * Counters follow the monitor events; gauges that mirror state (agents by
 * state, abandon rate, Redis and driver health) are read at scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Redis } from 'ioredis';
import { listLiveAgents } from '../store/agent-live';
import { AGENT_STATES } from '../agents/state';
import { isResultCode, resultName } from '../results';
import type { DriverHealth } from '../telephony/contract';
import type { MonitorEvent, MonitorHub } from '../monitor/hub';
import type { CampaignWatcher } from '../monitor/watcher';

export interface MetricsDeps {
  redis: Redis;
  hub: MonitorHub;
  watcher: CampaignWatcher;
  /** The telephony driver's health, when the dialer runs in this process. */
  driverHealth?: () => DriverHealth | undefined;
  clock?: () => number;
}

/** Calls-per-second gauge window. */
const CPS_WINDOW_MS = 10_000;

export interface Metrics {
  registry: Registry;
  /** Feeds a monitor event to the counters. */
  observe(e: MonitorEvent): void;
  webhookAttempt(ok: boolean): void;
  stop(): void;
}

export function createMetrics(d: MetricsDeps): Metrics {
  const registry = new Registry();
  const clock = d.clock ?? Date.now;
  // Includes nodejs_eventloop_lag_seconds (+ p50/p90/p99 from monitorEventLoopDelay), heap, GC, handles.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const starts: number[] = [];

  const started = new Counter({ name: 'dialer_calls_started_total', help: 'Calls placed, by campaign', labelNames: ['campaign'], registers: [registry] });
  const ended = new Counter({ name: 'dialer_calls_ended_total', help: 'Attempts closed, by campaign and result code', labelNames: ['campaign', 'code', 'result'], registers: [registry] });
  const skipped = new Counter({ name: 'dialer_attempts_skipped_total', help: 'Attempts never dialled (do-not-call, hours, no number), by result code', labelNames: ['campaign', 'code'], registers: [registry] });
  const talk = new Histogram({ name: 'dialer_call_duration_seconds', help: 'Call duration from start to end', labelNames: ['campaign'], buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800], registers: [registry] });
  /** Campaign → why it places no call (absent while it dials). */
  const idle = new Map<string, string>();
  new Gauge({
    name: 'dialer_campaign_idle', help: '1 for a running campaign that places no call, labelled with why (outside_hours, no_ready_agents, trunk_full…)', labelNames: ['campaign', 'reason'], registers: [registry],
    collect() {
      this.reset();
      for (const [campaign, reason] of idle) this.set({ campaign, reason }, 1);
    },
  });
  const webhooks = new Counter({ name: 'dialer_webhook_attempts_total', help: 'Webhook HTTP attempts by outcome', labelNames: ['outcome'], registers: [registry] });

  new Gauge({
    name: 'dialer_calls_active', help: 'Calls in progress in this process, by phase', labelNames: ['phase'], registers: [registry],
    collect() {
      this.reset();
      for (const c of d.hub.calls.values()) this.inc({ phase: c.phase });
    },
  });
  new Gauge({
    name: 'dialer_calls_per_second', help: `Calls placed per second over the last ${CPS_WINDOW_MS / 1000} s`, registers: [registry],
    collect() {
      const since = clock() - CPS_WINDOW_MS;
      while (starts.length && starts[0]! < since) starts.shift();
      this.set(starts.length / (CPS_WINDOW_MS / 1000));
    },
  });
  new Gauge({
    name: 'dialer_abandon_rate', help: 'Abandoned ÷ live answers over the campaign so far (regulatory windows: see /reports)', labelNames: ['campaign'], registers: [registry],
    collect() {
      this.reset();
      for (const p of d.watcher.snapshot()) this.set({ campaign: p.campaignId }, p.abandonRate);
    },
  });
  new Gauge({
    name: 'dialer_campaign_remaining', help: 'Contacts without a final result', labelNames: ['campaign', 'state'], registers: [registry],
    collect() {
      this.reset();
      for (const p of d.watcher.snapshot()) this.set({ campaign: p.campaignId, state: p.state }, p.remaining);
    },
  });
  new Gauge({
    name: 'dialer_agents', help: 'Logged-in agents by state', labelNames: ['state'], registers: [registry],
    async collect() {
      this.reset();
      for (const s of AGENT_STATES) if (s !== 'logged_out') this.set({ state: s }, 0);
      for (const a of await listLiveAgents(d.redis).catch(() => [])) this.inc({ state: a.state });
    },
  });
  const redisUp = new Gauge({ name: 'dialer_redis_up', help: '1 when Redis answered PING', registers: [registry] });
  new Gauge({
    name: 'dialer_redis_ping_seconds', help: 'Redis PING round trip', registers: [registry],
    async collect() {
      const t0 = process.hrtime.bigint();
      const ok = await d.redis.ping().then((r) => r === 'PONG', () => false);
      redisUp.set(ok ? 1 : 0);
      this.set(Number(process.hrtime.bigint() - t0) / 1e9);
    },
  });
  const driverLegs = new Gauge({ name: 'dialer_driver_active_legs', help: 'Call legs the telephony driver holds', registers: [registry] });
  new Gauge({
    name: 'dialer_driver_up', help: '1 when the telephony driver reports healthy; absent without a dialer', registers: [registry],
    collect() {
      const h = d.driverHealth?.();
      if (!h) return;
      this.set(h.ok ? 1 : 0);
      driverLegs.set(h.activeLegs);
    },
  });
  new Gauge({ name: 'dialer_sse_clients', help: 'Open event-stream connections', registers: [registry], collect() { this.set(d.hub.subscribers); } });

  return {
    registry,
    observe(e) {
      const campaign = e.campaignId ?? '';
      if (e.type === 'call.started') {
        started.inc({ campaign });
        starts.push(e.at);
        if (starts.length > 100000) starts.splice(0, starts.length - 100000);
      } else if (e.type === 'call.ended') {
        const code = Number(e.data.code);
        ended.inc({ campaign, code: String(code), result: isResultCode(code) ? resultName(code) : 'unknown' });
        if (typeof e.data.durationMs === 'number') talk.observe({ campaign }, e.data.durationMs / 1000);
      } else if (e.type === 'campaign.dialing') {
        if (e.data.state === 'idle') idle.set(campaign, String(e.data.reason));
        else idle.delete(campaign);
      } else if (e.type === 'campaign.completed' || (e.type === 'campaign.state' && e.data.to !== 'running')) {
        idle.delete(campaign);
      } else if (e.type === 'attempt.skipped') {
        skipped.inc({ campaign, code: String(e.data.code) });
      }
    },
    webhookAttempt(ok) {
      webhooks.inc({ outcome: ok ? 'delivered' : 'failed' });
    },
    stop() {
      registry.clear();
    },
  };
}
