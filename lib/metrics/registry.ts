/**
 * Prometheus metrics (prom-client) for one app instance: a registry of its
 * own (several apps in one test process must not share the global one).
 * Named by Prometheus conventions: counters end in `_total` (rates come from
 * `rate()`, never from pre-computed gauges), ratios in `_ratio`, durations are
 * `_seconds` histograms. Counters and histograms follow the monitor events;
 * gauges that mirror state are read at scrape time, each in its own collect,
 * so none lags a scrape behind another.
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

/** Buckets for the call-setup histograms (post-dial delay, answer to verdict, time to agent), seconds. */
const SETUP_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30];
/** One PING serves the gauges of one scrape (collected together, within this window). */
const PING_SHARED_MS = 250;
/** Past this a PING counts as failed: dialer_redis_up 0. */
const PING_TIMEOUT_MS = 2000;
/** Attempts followed at once for the histograms; beyond it the oldest are dropped (a leak guard). */
const MAX_TRACKED = 100_000;
/** Phases that end the analysis of an answered call (a verdict was reached). */
const AFTER_VERDICT = new Set(['awaiting_agent', 'connecting', 'connected', 'messaging', 'abandoning', 'hanging_up']);

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
  /** Per attempt: when it was dialled and answered, and whether its verdict and agent were timed. */
  const timing = new Map<string, { startedAt: number; answeredAt?: number; verdictDone?: boolean; rang?: boolean; agentDone?: boolean }>();
  /** Attempts closed without dialling (their call.ended is not a call). */
  const skippedIds = new Set<string>();

  const started = new Counter({
    name: 'dialer_calls_started_total',
    help: 'Calls placed, by campaign',
    labelNames: ['campaign'],
    registers: [registry],
  });
  const ended = new Counter({
    name: 'dialer_calls_ended_total',
    help: 'Dialled calls ended, by campaign and result code (never-dialled attempts are in dialer_attempts_skipped_total)',
    labelNames: ['campaign', 'code', 'result'],
    registers: [registry],
  });
  // Counters only go up: a result changed after call.ended is counted here, not taken off calls_ended
  // (attempts with result X now = calls_ended{code=X} + recoded{to=X} - recoded{from=X}; README "Metrics").
  const recoded = new Counter({
    name: 'dialer_calls_recoded_total',
    help: "Ended calls whose result changed afterwards (an agent's disposition of a not-sure call), by old and new result code",
    labelNames: ['campaign', 'from', 'to'],
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'dialer_attempts_skipped_total',
    help: 'Attempts never dialled (do-not-call, hours, no number), by result code',
    labelNames: ['campaign', 'code'],
    registers: [registry],
  });
  const pdd = new Histogram({
    name: 'dialer_post_dial_delay_seconds',
    help: 'From sending the INVITE to the first 180/183',
    labelNames: ['campaign'],
    buckets: SETUP_BUCKETS,
    registers: [registry],
  });
  const toVerdict = new Histogram({
    name: 'dialer_answer_to_verdict_seconds',
    help: 'From the answer to the call-analysis verdict (person, machine…) that decided what to do',
    labelNames: ['campaign'],
    buckets: SETUP_BUCKETS,
    registers: [registry],
  });
  const toAgent = new Histogram({
    name: 'dialer_time_to_agent_seconds',
    help: 'From the answer to the customer being bridged to an agent',
    labelNames: ['campaign'],
    buckets: SETUP_BUCKETS,
    registers: [registry],
  });
  const talk = new Histogram({
    name: 'dialer_call_duration_seconds',
    help: 'Call duration from start to end',
    labelNames: ['campaign'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  /** Campaign → why it places no call (absent while it dials). */
  const idle = new Map<string, string>();
  new Gauge({
    name: 'dialer_campaign_idle',
    help: '1 for a running campaign that places no call, labelled with why (outside_hours, no_ready_agents, trunk_full…)',
    labelNames: ['campaign', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [campaign, reason] of idle) this.set({ campaign, reason }, 1);
    },
  });
  const webhooks = new Counter({
    name: 'dialer_webhook_attempts_total',
    help: 'Webhook HTTP attempts by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });

  new Gauge({
    name: 'dialer_calls_active',
    help: 'Calls in progress in this process, by phase',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of d.hub.calls.values()) this.inc({ phase: c.phase });
    },
  });
  new Gauge({
    name: 'dialer_abandon_ratio',
    help: 'Abandoned ÷ live answers over the campaign so far (regulatory windows: see /reports)',
    labelNames: ['campaign'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of d.watcher.snapshot()) this.set({ campaign: p.campaignId }, p.abandonRate);
    },
  });
  new Gauge({
    name: 'dialer_campaign_remaining',
    help: 'Contacts without a final result',
    labelNames: ['campaign', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of d.watcher.snapshot()) this.set({ campaign: p.campaignId, state: p.state }, p.remaining);
    },
  });
  new Gauge({
    name: 'dialer_agents',
    help: 'Logged-in agents by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of AGENT_STATES) if (s !== 'logged_out') this.set({ state: s }, 0);
      for (const a of await listLiveAgents(d.redis).catch(() => [])) this.inc({ state: a.state });
    },
  });
  // One PING per scrape, shared by the two gauges that report it (prom-client collects them concurrently).
  let ping: { at: number; result: Promise<{ ok: boolean; seconds: number }> } | undefined;
  const pingOnce = () => {
    const now = clock();
    if (!ping || now - ping.at > PING_SHARED_MS) {
      const t0 = process.hrtime.bigint();
      let timer: NodeJS.Timeout | undefined;
      // A Redis that is gone queues the PING; the scrape must not wait for the reconnect.
      const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), PING_TIMEOUT_MS)));
      const answered = d.redis.ping().then(
        (r) => r === 'PONG',
        () => false,
      );
      ping = {
        at: now,
        result: Promise.race([answered, timeout]).then((ok) => {
          clearTimeout(timer);
          return { ok, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
        }),
      };
    }
    return ping.result;
  };
  new Gauge({
    name: 'dialer_redis_up',
    help: '1 when Redis answered PING during this scrape',
    registers: [registry],
    async collect() {
      this.set((await pingOnce()).ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'dialer_redis_ping_seconds',
    help: 'Redis PING round trip',
    registers: [registry],
    async collect() {
      this.set((await pingOnce()).seconds);
    },
  });
  new Gauge({
    name: 'dialer_driver_active_legs',
    help: 'Call legs the telephony driver holds; absent without a dialer',
    registers: [registry],
    collect() {
      const h = d.driverHealth?.();
      if (h) this.set(h.activeLegs);
    },
  });
  new Gauge({
    name: 'dialer_driver_up',
    help: '1 when the telephony driver reports healthy; absent without a dialer',
    registers: [registry],
    collect() {
      const h = d.driverHealth?.();
      if (h) this.set(h.ok ? 1 : 0);
    },
  });
  // Monotonic counts kept by the driver, copied at scrape time (set, not incremented: the driver owns them).
  new Counter({
    name: 'dialer_driver_dropped_total',
    help: 'Datagrams the telephony driver dropped, by reason (sip_malformed, rtp_before_answer, rtp_foreign_source, rtp_foreign_ssrc); absent without a dialer',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const h = d.driverHealth?.();
      if (!h?.dropped) return;
      this.reset();
      for (const [reason, n] of Object.entries(h.dropped)) this.inc({ reason }, n);
    },
  });
  new Counter({
    name: 'dialer_driver_logs_suppressed_total',
    help: 'Driver warnings left out by the log rate limit, by kind; absent without a dialer',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const h = d.driverHealth?.();
      if (!h?.logsSuppressed) return;
      this.reset();
      for (const [kind, n] of Object.entries(h.logsSuppressed)) this.inc({ kind }, n);
    },
  });
  new Gauge({
    name: 'dialer_trunk_registered',
    help: '1 when the trunk holds a REGISTER binding, 0 while it does not (trunks with register: true)',
    labelNames: ['trunk'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [trunk, r] of Object.entries(d.driverHealth?.()?.registrations ?? {})) this.set({ trunk }, r.registered ? 1 : 0);
    },
  });
  new Gauge({
    name: 'dialer_sse_clients',
    help: 'Open event-stream connections',
    registers: [registry],
    collect() {
      this.set(d.hub.subscribers);
    },
  });

  return {
    registry,
    observe(e) {
      const campaign = e.campaignId ?? '';
      const attemptId = typeof e.data.attemptId === 'string' ? e.data.attemptId : '';
      if (e.type === 'call.started') {
        started.inc({ campaign });
        timing.set(attemptId, { startedAt: e.at });
        if (timing.size > MAX_TRACKED) timing.delete(timing.keys().next().value!);
      } else if (e.type === 'call.phase') {
        const t = timing.get(attemptId);
        if (!t) return;
        const phase = String(e.data.phase);
        if (phase === 'ringing' && !t.rang) {
          t.rang = true;
          pdd.observe({ campaign }, (e.at - t.startedAt) / 1000);
        } else if (phase === 'analysing') {
          t.answeredAt = e.at;
        } else if (t.answeredAt !== undefined && !t.verdictDone && AFTER_VERDICT.has(phase)) {
          t.verdictDone = true;
          toVerdict.observe({ campaign }, (e.at - t.answeredAt) / 1000);
        }
        if (phase === 'connected' && t.answeredAt !== undefined && !t.agentDone) {
          t.agentDone = true;
          toAgent.observe({ campaign }, (e.at - t.answeredAt) / 1000);
        }
      } else if (e.type === 'call.ended') {
        timing.delete(attemptId);
        // A never-dialled attempt (do-not-call, hours, no number) closes with call.ended too: it is no call.
        if (skippedIds.delete(attemptId)) return;
        const code = Number(e.data.code);
        ended.inc({ campaign, code: String(code), result: isResultCode(code) ? resultName(code) : 'unknown' });
        if (typeof e.data.durationMs === 'number') talk.observe({ campaign }, e.data.durationMs / 1000);
      } else if (e.type === 'attempt.recoded') {
        recoded.inc({ campaign, from: String(e.data.from), to: String(e.data.to) });
      } else if (e.type === 'campaign.dialing') {
        if (e.data.state === 'idle') idle.set(campaign, String(e.data.reason));
        else idle.delete(campaign);
      } else if (e.type === 'campaign.completed' || (e.type === 'campaign.state' && e.data.to !== 'running')) {
        idle.delete(campaign);
      } else if (e.type === 'attempt.skipped') {
        skipped.inc({ campaign, code: String(e.data.code) });
        skippedIds.add(attemptId);
        if (skippedIds.size > MAX_TRACKED) skippedIds.delete(skippedIds.values().next().value!);
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
