/**
 * The newcomer's loopback demo: a whole dialer on 127.0.0.1 with nothing
 * configured. It starts its own redis-server (temporary folder), the SIPp
 * carrier simulator and SIPp agent phones, the dialer services and the API,
 * loads a generated list (every carrier behaviour, two numbers on the
 * do-not-call list), runs a progressive campaign with simulated agents and
 * reports every ended attempt, progress, and a summary of result codes.
 * It never dials anything but its own SIPp carrier on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { newApiKey } from '../api/auth';
import type { DialerEvent } from '../dialer/events';
import { getCampaign } from '../store/campaigns';
import { DialQueue, splitRef } from '../store/dial-queue';
import { createRedis, freePort, startEmbeddedRedis } from '../store';
import type { Redis } from 'ioredis';
import type { LiveAgentDesk } from '../agents';
import type { CampaignRunner } from '../dialer/runner';
import { loginAndWaitReady, simulateAgents } from './agents';
import { loopbackConfig, startLoopbackPeers } from './loopback';
import { cyclingDigits, dncIndexes, numbersFor } from './numbers';
import { codeName, summarize, type CallLine, type Progress, type Summary } from './report';
import { makeAgents, makeList, putDnc, runCampaign } from './store-setup';

export interface DemoOptions {
  contacts: number;
  agents: number;
  /** How long a simulated agent talks to a person before hanging up. */
  talkMs: number;
  wrapUpMs: number;
  /** Gives up (exit code 1) when the campaign has not completed by then. */
  timeoutSec: number;
  /** Progress line interval. */
  progressMs: number;
  /** pino level of the dialer's own log (to stderr). */
  logLevel: string;
}

export const DEMO_DEFAULTS: DemoOptions = {
  contacts: 30,
  agents: 3,
  talkMs: 2000,
  wrapUpMs: 1000,
  timeoutSec: 0,
  progressMs: 2000,
  logLevel: 'error',
};

export type DemoEvent =
  | {
      event: 'started';
      dashboard: string;
      docs: string;
      apiKey: string;
      redis: string;
      carrier: string;
      agentPhones: { id: string; address: string }[];
      dir: string;
    }
  | { event: 'ready'; agents: number; contacts: number; dnc: string[]; ringTimeoutSec: number }
  | ({ event: 'call'; done: number; total: number } & CallLine)
  | ({ event: 'progress' } & Progress)
  | ({ event: 'summary'; completed: boolean; interrupted: boolean; durationSec: number } & Summary);

export interface DemoResult {
  completed: boolean;
  interrupted: boolean;
  summary: Summary;
}

/** What the demo reads of the dialer the API's telephony plugin started (`app.dialer`). */
interface DemoServices {
  desk: LiveAgentDesk;
  runner: CampaignRunner;
}

/**
 * Short: a no-answer (last digit 4) ends after this many seconds of ringing. Past the carrier's 404 for
 * last digit 5 (4 s after its 183), so that call's code is decided by its far end (the SIT in early media,
 * or the 404: both 6) and never by this timeout's CANCEL (2), which a loaded machine could reach before the
 * SIT was recognised at 2 s (the same race fixed in the campaign e2e tests, commits a2d6046 and 0dca8ec).
 */
export const DEMO_RING_TIMEOUT_SEC = 7;

const CAMPAIGN = 'demo';
const LIST = 'demo-list';
const GROUP = 'demo-agents';

/** Time a campaign of this size needs, generously: no single call outlasts ~15 s here. */
export function defaultTimeoutSec(o: Pick<DemoOptions, 'contacts' | 'agents' | 'talkMs'>): number {
  return Math.ceil(60 + (o.contacts * (6 + o.talkMs / 1000)) / Math.max(1, o.agents));
}

/**
 * Runs the demo until the campaign completes, the timeout passes or `signal`
 * aborts; everything it started is stopped before it returns (or throws).
 * The dialer runs as `dialer serve` runs it: started by the API's telephony plugin, stopped by `app.close()`.
 */
export async function runDemo(o: DemoOptions, emit: (e: DemoEvent) => void, deps: { signal?: AbortSignal } = {}): Promise<DemoResult> {
  const { signal } = deps;
  const began = Date.now();
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const later = (fn: () => Promise<unknown> | unknown) => cleanups.unshift(fn);
  const aborted = () => signal?.aborted === true;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'dialer-demo-'));
    later(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startEmbeddedRedis({ dataDir: join(dir, 'redis'), persist: false });
    later(() => server.stop());
    const redis = createRedis({ url: server.url, keyPrefix: 'demo:' });
    later(() => redis.quit().catch(() => redis.disconnect()));
    const peers = await startLoopbackPeers({ agents: o.agents, dir });
    later(() => peers.stop());
    if (aborted()) return await interrupted(redis, o, began, emit);

    const apiKey = newApiKey();
    const port = await freePort();
    const config = loopbackConfig({
      carrierAddress: peers.carrier.address,
      promptsDir: join(dir, 'prompts'),
      extra: { api: { host: '127.0.0.1', port, keys: [{ key: apiKey, role: 'admin', name: 'demo' }] } },
    });
    const log = pino({ level: o.logLevel, base: { svc: 'dialer-demo' } }, pino.destination({ dest: 2, sync: true }));
    await makeAgents(
      redis,
      GROUP,
      peers.agents.map((a) => ({ id: a.id, address: a.phone.address })),
    );
    // Telephony on (lib/api/plugins/app/telephony.ts); app.close() stops dialling and hangs up before Redis goes.
    const app: FastifyInstance = await buildApp({ config, redis, logger: log, telephony: {} });
    later(() => app.close());
    const runner = app.dialer?.runner;
    if (!app.dialer || !runner) throw new Error('demo: the telephony plugin started no runner');
    const services: DemoServices = { desk: app.dialer.desk, runner };
    await app.listen({ host: '127.0.0.1', port });
    const base = `http://127.0.0.1:${port}`;
    emit({
      event: 'started',
      dashboard: `${base}/dashboard`,
      docs: `${base}/docs`,
      apiKey,
      redis: server.url,
      carrier: peers.carrier.address,
      agentPhones: peers.agents.map((a) => ({ id: a.id, address: a.phone.address })),
      dir,
    });

    later(simulateAgents(services.desk, { talkMs: o.talkMs, wrapUpMs: o.wrapUpMs }));
    await loginAndWaitReady(
      services.desk,
      peers.agents.map((a) => a.id),
      [GROUP],
    );
    if (aborted()) return await interrupted(redis, o, began, emit);

    const numbers = numbersFor(cyclingDigits(o.contacts));
    const byId = await makeList(redis, LIST, numbers);
    const shown = new Map([...byId.keys()].map((id, i) => [id, numbers[i]!]));
    const dnc = dncIndexes(o.contacts).map((i) => `c${i}`);
    await putDnc(
      redis,
      dnc.map((id) => byId.get(id)!),
      'demo: the customer asked not to be called',
    );
    emit({ event: 'ready', agents: o.agents, contacts: o.contacts, dnc, ringTimeoutSec: DEMO_RING_TIMEOUT_SEC });

    const track = trackCalls(services, o.contacts, shown, emit);
    later(track.stop);
    await runCampaign(redis, CAMPAIGN, LIST, {
      name: 'loopback-demo',
      description: 'dialer demo on loopback',
      mode: 'progressive',
      ringTimeoutSec: DEMO_RING_TIMEOUT_SEC,
      maxAttempts: 1,
      agentGroups: [GROUP],
    });
    // A progress line when something moved, and at least every 5 lines' time while nothing does.
    let last = { line: '', at: 0 };
    const ticker = setInterval(
      () =>
        void track
          .progress()
          .then((p) => {
            const line = JSON.stringify(p);
            if (line === last.line && Date.now() - last.at < 5 * o.progressMs) return;
            last = { line, at: Date.now() };
            emit({ event: 'progress', ...p });
          })
          .catch(() => undefined),
      o.progressMs,
    );
    later(() => clearInterval(ticker));

    const deadline = began + (o.timeoutSec || defaultTimeoutSec(o)) * 1000;
    let completed = false;
    while (!aborted() && Date.now() < deadline) {
      if ((await getCampaign(redis, CAMPAIGN))?.state === 'completed') {
        completed = true;
        break;
      }
      await sleep(200, signal);
    }
    // The last attempt's line is published just after its close (which is what completes the campaign).
    const settle = Date.now() + 3000;
    while (completed && track.finished() < o.contacts && Date.now() < settle) await sleep(50);
    clearInterval(ticker);
    const summary = await summary_(redis, o);
    emit({ event: 'summary', completed, interrupted: aborted(), durationSec: seconds(began), ...summary });
    return { completed, interrupted: aborted(), summary };
  } finally {
    for (const fn of cleanups) {
      try {
        await fn();
      } catch {
        // keep stopping the rest: a failed stop must not leave other processes running
      }
    }
  }
}

async function summary_(redis: Redis, o: DemoOptions): Promise<Summary> {
  const history = await new DialQueue(redis, CAMPAIGN).history(o.contacts * 10 + 100);
  return summarize(
    history,
    o.contacts,
    Array.from({ length: o.agents }, (_, i) => `ag${i + 1}`),
  );
}

async function interrupted(redis: Redis, o: DemoOptions, began: number, emit: (e: DemoEvent) => void): Promise<DemoResult> {
  const summary = await summary_(redis, o).catch(() => summarize([], o.contacts));
  emit({ event: 'summary', completed: false, interrupted: true, durationSec: seconds(began), ...summary });
  return { completed: false, interrupted: true, summary };
}

/** Follows the runner's events: one `call` event per ended attempt; `progress()` reads live counts. */
function trackCalls(services: DemoServices, total: number, shown: Map<string, string>, emit: (e: DemoEvent) => void) {
  const dialled = new Set<string>();
  const finished = new Set<string>();
  const skipped = new Map<string, string>();
  let done = 0;
  const off = services.runner.events.onEvent((e: DialerEvent) => {
    if (e.campaignId !== CAMPAIGN) return;
    if (e.type === 'call.started') dialled.add(e.ref);
    else if (e.type === 'attempt.skipped') skipped.set(e.attemptId, e.reason);
    else if (e.type === 'call.ended') {
      dialled.add(e.ref);
      if (e.final) finished.add(e.ref);
      const { contactId } = splitRef(e.ref);
      const reason = skipped.get(e.attemptId);
      skipped.delete(e.attemptId);
      emit({
        event: 'call',
        done: ++done,
        total,
        contactId,
        phone: shown.get(contactId) ?? '',
        code: e.code,
        name: codeName(e.code),
        final: e.final,
        ...(e.agentId ? { agentId: e.agentId } : {}),
        ...(reason ? { skipped: reason } : {}),
      });
    }
  });
  return {
    stop: off,
    finished: () => finished.size,
    progress: async (): Promise<Progress> => {
      const agents = { ready: 0, talking: 0, wrapUp: 0 };
      for (const a of await services.desk.snapshot([GROUP])) {
        if (a.state === 'ready') agents.ready++;
        else if (a.state === 'wrapup') agents.wrapUp++;
        else agents.talking++;
      }
      return { dialled: dialled.size, total, finished: finished.size, inFlight: services.runner.activeCalls, agents };
    },
  };
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      res();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
