/**
 * With several dialer processes an agent can only be bridged by the process
 * whose desk holds its phone leg: node-scoped reservation picks the
 * longest-waiting ready agent among this node's own, never another's, and
 * pacing counts only this node's agents.
 */
import t from 'tap';
import pino from 'pino';
import { createAgentDesk } from '../../../lib/agents';
import { validateConfig } from '../../../lib/config';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import { applyAgentChange, reserveAgent } from '../../../lib/store/agent-live';
import { reserveAgentOnNode } from '../../../lib/scale/agents';
import { startTestRedis } from '../../helpers/redis';

t.test('node-scoped reservation', async (t) => {
  const { redis } = await startTestRedis(t);
  const t0 = 1_000_000;
  // Longest waiting first: b1 (node B), then a1 (A), b2 (B), a2 (A, also in group y); 70 B agents ahead of all in x.
  const put = (id: string, owner: string, since: number, groups: string[]) =>
    applyAgentChange(redis, id, {
      expectVer: 0,
      queue: 'enqueue',
      live: 'add',
      set: { state: 'ready', since, readySince: since, groups: JSON.stringify(groups), leg: `leg-${id}`, owner },
    });
  for (let i = 0; i < 70; i++) await put(`bb${i}`, 'B', t0 - 1000 + i, ['x']);
  await put('b1', 'B', t0 + 1, ['x']);
  await put('a1', 'A', t0 + 2, ['x']);
  await put('b2', 'B', t0 + 3, ['x', 'y']);
  await put('a2', 'A', t0 + 4, ['x', 'y']);
  const r = (node: string, groups: string[], prefer?: string, only?: boolean) =>
    reserveAgentOnNode(redis, groups, node, { token: 'tk', attemptId: 'at', now: t0 + 10, prefer, only });
  t.equal((await r('A', ['y'], 'b2'))?.agentId, 'a2', "another node's agent is never preferred: ours instead");
  t.equal(await r('A', ['x'], 'b1', true), null, 'and never taken with only');
  t.same(await r('A', ['x']), { agentId: 'a1', legId: 'leg-a1', ver: 2 }, 'the longest-waiting of ours, past 71 of B (a page and more)');
  t.equal(await r('A', ['x', 'y']), null, 'none of ours left');
  t.equal((await r('B', ['y']))?.agentId, 'b2');
  t.equal(
    (await reserveAgent(redis, ['x'], { token: 'tk', attemptId: 'at', now: t0 }))?.agentId,
    'bb0',
    'the unscoped reservation still sees every agent',
  );
});

t.test("pacing counts only this node's agents when reservations are local", async (t) => {
  const { redis } = await startTestRedis(t);
  const driver = await startTestDriver({ trunks: [] });
  t.teardown(() => driver.stop());
  const config = validateConfig({ log: { level: 'silent' } }).dialer.agents;
  const desk = (nodeId: string, localReservations: boolean) =>
    createAgentDesk({ redis, driver, log: pino({ level: 'silent' }), config, nodeId, localReservations });
  const put = (id: string, owner: string, state: string, groups: string[]) =>
    applyAgentChange(redis, id, {
      expectVer: 0,
      queue: state === 'ready' ? 'enqueue' : undefined,
      live: 'add',
      set: { state, since: 1000, readySince: 1000, groups: JSON.stringify(groups), leg: `leg-${id}`, owner },
    });
  await put('a1', 'A', 'ready', ['x']);
  await put('a2', 'A', 'talking', ['x']);
  await put('b1', 'B', 'ready', ['x']);
  await put('b2', 'B', 'ready', ['x']);
  const a = desk('A', true);
  t.same(
    (await a.snapshot(['x'])).map((s) => s.state).sort(),
    ['ready', 'talking'],
    "A paces on its own two agents, not B's: calls for B's agents could not be bridged here",
  );
  t.equal(await a.readyCount(['x']), 1);
  t.equal(await desk('B', true).readyCount(['x']), 2);
  t.equal(await desk('A', false).readyCount(['x']), 3, 'one process (not local): every ready agent');
  t.equal((await desk('A', false).snapshot(['x'])).length, 4);
});
