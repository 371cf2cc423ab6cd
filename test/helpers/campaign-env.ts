/**
 * A whole dialer on loopback for end-to-end tests: real redis-server, the
 * SIPp carrier simulator (behaviour by the dialled number's last digit, see
 * sipp-scenarios/README.md), SIPp agent phones, and the dialer's services
 * (embedded driver, agent desk, campaign runner) in this process.
 * The builders are lib/demo's (the loopback demo uses the same ones).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Redis } from 'ioredis';
import type { Config } from '../../lib/config';
import type { Sipp } from '../../lib/telephony/testing/sipp';
import { startServices, type Services } from '../../app/services';
import { loopbackConfig, startLoopbackPeers } from '../../lib/demo/loopback';
import { makeAgents } from '../../lib/demo/store-setup';
import { getCampaign } from '../../lib/store/campaigns';
import type { ScreenPop } from '../../lib/dialer/ports';
import { startTestRedis } from './redis';
import { sleep, until } from './wait';

export { DIGIT_CODES, numbersFor } from '../../lib/demo/numbers';
export { makeList, putDnc, runCampaign } from '../../lib/demo/store-setup';
export { runnerConfig } from '../../lib/demo/loopback';

interface TestLike {
  teardown(fn: () => unknown): void;
}

export interface CampaignEnv {
  redis: Redis;
  config: Readonly<Config>;
  services: Services;
  carrier: Sipp;
  carrierTrace: string;
  agents: { id: string; phone: Sipp }[];
}

/** Agents ag1…agN in group `sales`, each with its own SIPp phone. */
export async function startCampaignEnv(t: TestLike, o: { agents: number; carrierKeys?: Record<string, string> }): Promise<CampaignEnv> {
  const { redis } = await startTestRedis(t, 'e2e:');
  const dir = mkdtempSync(join(tmpdir(), 'dialer-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const peers = await startLoopbackPeers({ agents: o.agents, dir, carrierKeys: o.carrierKeys });
  t.teardown(() => peers.stop());
  const config = loopbackConfig({ carrierAddress: peers.carrier.address, promptsDir: join(dir, 'prompts') });
  await makeAgents(
    redis,
    'sales',
    peers.agents.map((a) => ({ id: a.id, address: a.phone.address })),
  );
  const services = await startServices({ config, redis, log: pino({ level: 'silent' }) });
  t.teardown(() => services.stop());
  return { redis, config, services, carrier: peers.carrier, carrierTrace: peers.carrierTrace, agents: peers.agents };
}

type Desk = Services['desk'];

/**
 * The agents' part in a campaign test: every screen pop is noted (attempt → agent, returned) and passed to
 * `onPop`; the customer is hung up `talkMs` after the pop, and wrap-up ends `wrapMs` after it begins.
 */
export function agentsTalk(
  desk: Desk,
  o: { talkMs: number; wrapMs: number; onPop?: (e: { agentId: string; pop: ScreenPop }) => void },
): Record<string, string> {
  const talkedTo: Record<string, string> = {};
  desk.on('screen-pop', (e) => {
    talkedTo[e.pop.attemptId] = e.agentId;
    o.onPop?.(e);
    setTimeout(() => void desk.hangupCustomer(e.agentId).catch(() => undefined), o.talkMs);
  });
  desk.on('state', (e) => {
    if (e.to === 'wrap_up') setTimeout(() => void desk.finishWrapUp(e.agentId, 'continue').catch(() => undefined), o.wrapMs);
  });
  return talkedTo;
}

/**
 * Logs the agents in one after another, each waited for until it is ready (its SIPp phone answered), so the
 * login order is the longest-waiting order. The bound is a failure guard for a loaded host, not a speed.
 */
export async function loginReady(desk: Desk, ids: string[], group = 'sales'): Promise<void> {
  for (const [i, id] of ids.entries()) {
    await desk.login(id);
    await until(async () => (await desk.readyCount([group])) >= i + 1, `${id} ready`, 15_000, 100);
  }
}

/** Polls campaign `id` until it completes or `ms` pass; returns its last state for the caller to assert. */
export async function waitCompleted(redis: Redis, id: string, ms: number): Promise<string | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const state = (await getCampaign(redis, id))?.state;
    if (state === 'completed' || Date.now() > end) return state;
    await sleep(200);
  }
}
