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
import { startTestRedis } from './redis';

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
