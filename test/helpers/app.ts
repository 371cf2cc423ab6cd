import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../lib/api/app';
import { validateConfig, type Config } from '../../lib/config';
import { startTestRedis } from './redis';

export const KEYS = {
  admin: 'test-admin-key-0000000001',
  supervisor: 'test-supervisor-key-00001',
  agent: 'test-agent-key-a1-0000001',
  agent2: 'test-agent-key-a2-0000001',
};

export const auth = (role: keyof typeof KEYS) => ({ authorization: `Bearer ${KEYS[role]}` });

interface TestLike {
  teardown(fn: () => unknown): void;
}

/** Builds the API against a fresh real Redis, with one key per role. */
export async function build(
  t: TestLike,
  overrides: Record<string, unknown> = {},
): Promise<{ app: FastifyInstance; config: Readonly<Config> }> {
  const { redis } = await startTestRedis(t);
  const config = validateConfig({
    log: { level: 'silent' },
    ...overrides,
    api: {
      keys: [
        { key: KEYS.admin, role: 'admin' },
        { key: KEYS.supervisor, role: 'supervisor' },
        { key: KEYS.agent, role: 'agent', agentId: 'a1' },
        { key: KEYS.agent2, role: 'agent', agentId: 'a2' },
      ],
      ...((overrides.api as object) ?? {}),
    },
  });
  const app = await buildApp({ config, redis, logger: false });
  t.teardown(() => app.close());
  return { app, config };
}
