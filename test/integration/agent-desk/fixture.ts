import pino from 'pino';
import type { Redis } from 'ioredis';
import { createAgentDesk, type LiveAgentDesk } from '../../../lib/agents';
import { validateConfig } from '../../../lib/config';
import { createAgent, createGroup } from '../../../lib/store/agents';
import { getAgentLive } from '../../../lib/store/agent-live';
import { startTestRedis } from '../../helpers/redis';
import { RecordingDriver } from './recording-driver';

interface TestLike {
  teardown(fn: () => unknown): void;
}

/** A desk on a fresh real Redis with a recording driver and a settable clock. */
export async function deskFixture(t: TestLike, agents: { id: string; groups: string[] }[], agentsConfig: Record<string, unknown> = {}) {
  const { redis } = await startTestRedis(t);
  const config = validateConfig({ log: { level: 'silent' }, dialer: { agents: agentsConfig } });
  const driver = new RecordingDriver();
  const clock = { now: 1_700_000_000_000 };
  const groups = new Set(agents.flatMap((a) => a.groups));
  for (const g of groups) await createGroup(redis, { id: g, name: g });
  for (const a of agents)
    await createAgent(redis, { id: a.id, name: `Agent ${a.id}`, sipUri: `sip:${a.id}@127.0.0.1:5999`, groups: a.groups });
  const desk = createAgentDesk({
    redis,
    driver,
    log: pino({ level: 'silent' }),
    config: config.dialer.agents,
    clock: () => clock.now,
    nodeId: 'test-node',
  });
  await desk.start({ sweep: false });
  t.teardown(() => desk.stop());
  return { redis, driver, desk, clock, config };
}

/** Logs an agent in and answers their phone; resolves when the agent is ready. */
export async function loginReady(
  f: { desk: LiveAgentDesk; driver: RecordingDriver; redis: Redis; clock: { now: number } },
  id: string,
): Promise<string> {
  await f.desk.login(id);
  const leg = (await getAgentLive(f.redis, id))!.leg!;
  f.driver.answer(leg);
  await until(async () => (await getAgentLive(f.redis, id))?.state === 'ready');
  return leg;
}

/** Waits for a condition driven by events (bounded: fails after 3 s). */
export async function until(cond: () => Promise<boolean> | boolean, what = 'condition'): Promise<void> {
  const end = Date.now() + 3000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
