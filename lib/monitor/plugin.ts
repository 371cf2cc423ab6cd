/**
 * The monitor as a Fastify plugin (not encapsulated, so every route sees
 * `app.monitor`): the event hub, the campaign watcher, Prometheus metrics,
 * the webhook recorder and delivery worker. When the dialer runtime runs in
 * this process (`app.dialer`, decorated by lib/api/plugins/app/telephony.ts) its events are
 * attached once the app is ready; tests may attach event sources themselves.
 */
import { hostname } from 'node:os';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { EventEmitter } from 'node:events';
import type { DeskEvents } from '../agents/desk';
import type { DialerEvents } from '../dialer/events';
import type { DriverHealth } from '../telephony/contract';
import { createMetrics, type Metrics } from '../metrics/registry';
import { appendCallEndedOnce, appendToLog, isWebhookType } from '../notify/webhooks/log';
import { WebhookWorker } from '../notify/webhooks/worker';
import { MonitorHub } from './hub';
import { attachDesk, attachDialerEvents } from './sources';
import { CampaignWatcher } from './watcher';

export interface EventSources {
  events?: Pick<DialerEvents, 'onEvent'>;
  desk?: Pick<EventEmitter<DeskEvents>, 'on' | 'off'>;
  driverHealth?: () => DriverHealth;
}

export interface Monitor {
  hub: MonitorHub;
  watcher: CampaignWatcher;
  metrics: Metrics;
  webhooks: WebhookWorker;
  /** True once a dialer event source is attached (live call events flow). */
  readonly live: boolean;
  /** Connects the runner's and desk's events; starts watcher, recorder and delivery. */
  attach(src: EventSources): void;
  /** Starts the watcher (first SSE subscriber, dashboard). */
  ensureWatching(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    monitor: Monitor;
  }
}

async function monitorPlugin(app: FastifyInstance): Promise<void> {
  const cfg = app.config.monitor;
  const log = app.log.child({ part: 'monitor' }) as unknown as Logger;
  const hub = new MonitorHub({ replayBuffer: cfg.replayBuffer });
  const watcher = new CampaignWatcher(app.redis, hub, {
    pollMs: cfg.pollMs,
    abandonWarnRatio: cfg.abandonWarnRatio,
    abandonWarnMinCalls: cfg.abandonWarnMinCalls,
    onError: (err) => log.warn({ err }, 'campaign watcher poll failed'),
  });
  let driverHealth: (() => DriverHealth) | undefined;
  const metrics = createMetrics({ redis: app.redis, hub, watcher, driverHealth: () => driverHealth?.() });
  const webhooks = new WebhookWorker({
    redis: app.redis,
    log,
    config: cfg.webhooks,
    owner: `${hostname()}:${process.pid}`,
    onAttempt: (_s, _e, o) => metrics.webhookAttempt(o.ok),
  });
  const detach: (() => void)[] = [];
  let live = false;
  let recording = false;

  const monitor: Monitor = {
    hub,
    watcher,
    metrics,
    webhooks,
    get live() {
      return live;
    },
    attach(src) {
      if (src.events) detach.push(attachDialerEvents(hub, src.events));
      if (src.desk)
        detach.push(attachDesk(hub, src.desk, { redis: app.redis, onError: (err) => log.warn({ err }, 'agent state log write failed') }));
      if (src.driverHealth) driverHealth = src.driverHealth;
      live = true;
      if (!recording) {
        recording = true;
        detach.push(hub.onPublish((e) => metrics.observe(e)));
        // Every process records the events it produced, once; delivery reads them back in log order.
        detach.push(
          hub.onPublish((e) => {
            if (!isWebhookType(e.type)) return;
            // A campaign attempt's call.ended is recorded once even when two processes record it (see appendCallEndedOnce).
            const attemptId = e.type === 'call.ended' && e.campaignId ? e.data.attemptId : undefined;
            const recorded =
              typeof attemptId === 'string' && e.campaignId
                ? appendCallEndedOnce(app.redis, { ...e, campaignId: e.campaignId }, attemptId, cfg.webhooks.logMaxLen)
                : appendToLog(app.redis, e, cfg.webhooks.logMaxLen);
            recorded.then(
              () => webhooks.poke(),
              (err: Error) => log.error({ err, type: e.type }, 'webhook event not recorded'),
            );
          }),
        );
        if (cfg.webhooks.deliver) webhooks.start();
      }
      watcher.start();
    },
    ensureWatching() {
      watcher.start();
    },
  };
  app.decorate('monitor', monitor);

  app.addHook('onReady', async () => {
    const d = app.dialer;
    if (d) monitor.attach({ events: d.runner?.events, desk: d.desk, driverHealth: () => d.driver.health() });
  });
  app.addHook('onClose', async () => {
    for (const f of detach.splice(0)) f();
    await webhooks.stop();
    await watcher.stop();
    metrics.stop();
  });
}

export const monitor = fp(monitorPlugin, { name: 'monitor' });
