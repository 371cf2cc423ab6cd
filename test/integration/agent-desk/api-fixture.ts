import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { createAgentDesk, type LiveAgentDesk } from '../../../lib/agents';
import { buildApp } from '../../../lib/api/app';
import { validateConfig } from '../../../lib/config';
import { createAgent, createGroup } from '../../../lib/store/agents';
import { createCampaign } from '../../../lib/store/campaigns';
import { KEYS } from '../../helpers/app';
import { startTestRedis } from '../../helpers/redis';
import { RecordingDriver } from './recording-driver';

interface TestLike {
  teardown(fn: () => unknown): void;
}

/**
 * The API with the agent desk on a fresh real Redis and a recording driver:
 * agents a1, a2 (group sales) bound to the agent keys, a3 unbound; campaign
 * camp1 with dispositions sale / no-interest (required).
 */
export interface ApiFixture {
  app: FastifyInstance;
  desk: LiveAgentDesk;
  driver: RecordingDriver;
  /** Empties Redis and seeds it again: one app per test file, a clean store per subtest. */
  reset(): Promise<void>;
}

export async function apiFixture(t: TestLike): Promise<ApiFixture> {
  const { redis } = await startTestRedis(t);
  const config = validateConfig({
    log: { level: 'silent' },
    api: {
      keys: [
        { key: KEYS.admin, role: 'admin' },
        { key: KEYS.supervisor, role: 'supervisor', name: 'sv' },
        { key: KEYS.agent, role: 'agent', agentId: 'a1' },
        { key: KEYS.agent2, role: 'agent', agentId: 'a2' },
      ],
    },
  });
  const seed = async () => {
    await createGroup(redis, { id: 'sales', name: 'Sales' });
    for (const id of ['a1', 'a2', 'a3']) await createAgent(redis, { id, name: id, sipUri: `sip:${id}@127.0.0.1:5999`, groups: ['sales'] });
    await createCampaign(
      redis,
      {
        id: 'camp1',
        name: 'camp1',
        agentGroups: ['sales'],
        dispositionRequired: true,
        dispositions: [
          { code: 'sale', label: 'Sale' },
          { code: 'no-interest', label: 'Not interested' },
        ],
      },
      { region: 'JP' },
    );
  };
  await seed();
  const driver = new RecordingDriver();
  const desk = createAgentDesk({ redis, driver, log: pino({ level: 'silent' }), config: config.dialer.agents, nodeId: 'api-test' });
  await desk.start({ sweep: false });
  const app = await buildApp({
    config,
    redis,
    logger: false,
    runtime: { desk, driver },
  });
  t.teardown(async () => {
    await desk.stop();
    await app.close();
  });
  const reset = async () => {
    await redis.flushdb();
    driver.calls.length = 0;
    await seed();
  };
  return { app, desk, driver, reset };
}
