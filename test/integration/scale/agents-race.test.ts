/**
 * The agent pool with several dialer processes on a Redis Cluster: three
 * clients (as three processes) reserve and release agents of overlapping
 * groups as fast as they can while the master holding the agents' slot is
 * failed over to its replica. An agent is never held by two reservations at
 * once, and every agent is ready again at the end.
 */
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { agentKeys, applyAgentChange, readyCount, reserveAgent } from '../../../lib/store/agent-live';
import { startTestCluster } from '../../helpers/redis-cluster';

const AGENTS = 12;
const GROUPS = ['g0', 'g1', 'g2'];

t.test('agents are never double-reserved across processes, through a master failover', { timeout: 90000 }, async (t) => {
  const { cluster, client } = await startTestCluster(t, 'ag:');
  const clients = [client('ag:', 'dialer-1'), client('ag:', 'dialer-2'), client('ag:', 'dialer-3')];
  const t0 = Date.now();
  for (let i = 0; i < AGENTS; i++) {
    const groups = [GROUPS[i % 3]!, GROUPS[(i + 1) % 3]!];
    await applyAgentChange(clients[0]!, `a${i}`, {
      expectVer: 0,
      queue: 'enqueue',
      live: 'add',
      set: { state: 'ready', since: t0 + i, readySince: t0 + i, groups: JSON.stringify(groups), leg: `leg-${i}` },
    });
  }
  const held = new Map<string, string>();
  let reservations = 0;
  let doubles = 0;
  let errors = 0;
  let stop = false;
  const worker = async (w: number) => {
    const redis = clients[w % clients.length]!;
    let n = 0;
    while (!stop) {
      const groups = [GROUPS[n++ % 3]!];
      const token = randomUUID();
      const r = await reserveAgent(redis, groups, { token, attemptId: `att-${w}-${n}`, now: Date.now() }).catch(() => {
        errors++;
        return null;
      });
      if (!r) {
        await new Promise((res) => setTimeout(res, 5));
        continue;
      }
      reservations++;
      if (held.has(r.agentId)) doubles++;
      held.set(r.agentId, token);
      await new Promise((res) => setTimeout(res, Math.random() * 10));
      held.delete(r.agentId);
      // Release: reserved → ready, as the desk commits it (retried through the failover).
      for (;;) {
        const ver = Number(await redis.hget(agentKeys.agent(r.agentId), 'ver'));
        const done = await applyAgentChange(redis, r.agentId, {
          expectVer: ver,
          queue: 'enqueue',
          set: { state: 'ready', since: Date.now() },
          del: ['token', 'attemptId'],
        }).catch(() => ({ ok: false, ver: 0 }));
        if (done.ok) break;
      }
    }
  };
  const workers = Array.from({ length: 9 }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, 2000));
  const master = await cluster.masterOf(`ag:${agentKeys.readyPrefix}`);
  const promoted = await cluster.failover(master);
  await new Promise((r) => setTimeout(r, 2000));
  stop = true;
  await Promise.all(workers);
  t.not(promoted, master, `the agents' master :${master} failed over to :${promoted} mid-run`);
  t.ok(reservations > 100, `${reservations} reservations by 9 loops over 3 clients`);
  t.equal(doubles, 0, 'no agent was ever held by two reservations');
  t.equal(errors, 0, 'no reservation failed (the client waited through the failover)');
  t.equal(await readyCount(clients[0]!, GROUPS), AGENTS, 'every agent is ready again');
});
