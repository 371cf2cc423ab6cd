/**
 * Metrics by Prometheus conventions, against a real Redis: dialer_redis_up
 * is right on the first scrape (no lag behind another metric), rates are
 * counters, the abandon ratio ends in _ratio, never-dialled attempts are not
 * ended calls, and call setup is timed in _seconds histograms from the events.
 */
import t from 'tap';
import { createMetrics } from '../../../lib/metrics/registry';
import { MonitorHub } from '../../../lib/monitor/hub';
import { CampaignWatcher } from '../../../lib/monitor/watcher';
import { startTestRedis } from '../../helpers/redis';

t.test('names, first scrape, skips and setup histograms', async (t) => {
  const { redis, server } = await startTestRedis(t);
  const hub = new MonitorHub();
  const watcher = new CampaignWatcher(redis, hub, { pollMs: 60_000, abandonWarnRatio: 0.8, abandonWarnMinCalls: 10 });
  const m = createMetrics({ redis, hub, watcher, driverHealth: () => ({ ok: true, activeLegs: 3 }) as never });
  t.teardown(() => m.stop());
  const feed = (type: string, at: number, data: Record<string, unknown>) =>
    m.observe({ id: 0, type, at, campaignId: 'c1', data: { campaignId: 'c1', ...data } } as never);

  const first = await m.registry.metrics();
  t.match(first, /^dialer_redis_up 1$/m, 'redis_up is 1 on the very first scrape');
  t.match(first, /^dialer_driver_active_legs 3$/m, 'driver legs on the first scrape too');
  t.notMatch(first, /dialer_calls_per_second|dialer_abandon_rate/, 'no pre-computed rate gauges, no _rate names');
  t.match(first, /# TYPE dialer_calls_started_total counter/);
  t.match(first, /# TYPE dialer_abandon_ratio gauge/);

  // A dialled call: INVITE at 0, 180 at 1.5 s, answer at 6 s, person at 7.2 s, agent at 8 s.
  feed('call.started', 0, { attemptId: 'a1' });
  feed('call.phase', 1500, { attemptId: 'a1', phase: 'ringing' });
  feed('call.phase', 6000, { attemptId: 'a1', phase: 'analysing' });
  feed('call.phase', 7200, { attemptId: 'a1', phase: 'awaiting_agent' });
  feed('call.phase', 7300, { attemptId: 'a1', phase: 'connecting' });
  feed('call.phase', 8000, { attemptId: 'a1', phase: 'connected' });
  feed('call.ended', 30000, { attemptId: 'a1', code: 20 });
  // A do-not-call skip: closed without dialling.
  feed('attempt.skipped', 100, { attemptId: 'a2', code: 10, reason: 'dnc' });
  feed('call.ended', 100, { attemptId: 'a2', code: 10 });

  const text = await m.registry.metrics();
  t.match(text, /^dialer_calls_ended_total\{campaign="c1",code="20",result="connected"\} 1$/m);
  t.notMatch(text, /dialer_calls_ended_total\{campaign="c1",code="10"/, 'the skip is not an ended call');
  t.match(text, /^dialer_attempts_skipped_total\{campaign="c1",code="10"\} 1$/m, 'it is a skipped attempt');
  t.match(text, /^dialer_post_dial_delay_seconds_sum\{campaign="c1"\} 1\.5$/m);
  t.match(text, /^dialer_answer_to_verdict_seconds_sum\{campaign="c1"\} 1\.2$/m);
  t.match(text, /^dialer_time_to_agent_seconds_sum\{campaign="c1"\} 2$/m);
  t.match(text, /^dialer_time_to_agent_seconds_count\{campaign="c1"\} 1$/m);

  await server.stop();
  await new Promise((r) => setTimeout(r, 300));
  t.match(await m.registry.metrics(), /^dialer_redis_up 0$/m, 'redis_up is 0 on the scrape after Redis went away');
});

t.test('the Grafana dashboard in docs/ uses only metrics the dialer exports', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dash = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'grafana-dashboard.json'), 'utf8')) as {
    panels: { targets: { expr: string }[] }[];
  };
  const exprs = dash.panels.flatMap((p) => p.targets.map((x) => x.expr));
  t.ok(exprs.length > 15, `${exprs.length} queries`);
  const { redis } = await startTestRedis(t);
  const hub = new MonitorHub();
  const watcher = new CampaignWatcher(redis, hub, { pollMs: 60_000, abandonWarnRatio: 0.8, abandonWarnMinCalls: 10 });
  const m = createMetrics({ redis, hub, watcher, driverHealth: () => ({ ok: true, activeLegs: 0 }) as never });
  t.teardown(() => m.stop());
  const exported = new Set(
    [...(await m.registry.metrics()).matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
    ),
  );
  const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:dialer|nodejs)_[a-z0-9_]+)/g)].map((x) => x[1]!)));
  for (const name of used) t.ok(exported.has(name), `${name} is exported`);
  for (const e of exprs.filter((x) => /_total\b/.test(x))) t.match(e, /rate\(/, `counters are read with rate(): ${e}`);
});
