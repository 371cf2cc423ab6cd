/**
 * With several dialer processes an agent can only be bridged by the process
 * whose desk holds its phone leg: node-scoped reservation picks the
 * longest-waiting ready agent among this node's own, never another's.
 */
import t from 'tap';
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
