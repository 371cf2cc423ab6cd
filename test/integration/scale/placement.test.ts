/**
 * Load-aware placement through the real registry: three processes' WorkSpreads
 * heartbeat into one redis-server, each advertising its logged-in agents by
 * group set; each places the same running campaigns on its own and all agree.
 * Campaigns with agents go where their agents are, one per process while they
 * have the same agents; after a process dies its agent campaign goes to the
 * survivor with agents to spare, and when a campaign ends the ones left
 * spread again instead of staying piled on one process while another's agents
 * idle (what plain rendezvous hashing did in the fault test).
 */
import t from 'tap';
import { WorkSpread, liveMembers, ownerOf } from '../../../lib/scale/spread';
import { startTestRedis } from '../../helpers/redis';

t.test('processes place campaigns by their logged-in agents, and agree', async (t) => {
  const { redis } = await startTestRedis(t);
  const mk = (owner: string, agents: Record<string, number>) => {
    const s = new WorkSpread(redis, {
      owner,
      memberTtlMs: 60000,
      beatMs: 0,
      advertise: () => ({ capacity: 100, activeLegs: 0, healthy: true }),
    });
    s.agents = agents;
    return s;
  };
  const p1 = mk('p1', { sales: 2 });
  const p2 = mk('p2', { sales: 2 });
  const p3 = mk('p3', { support: 2 });
  const all = [p1, p2, p3];
  const beat = async (ps: WorkSpread[], at: number) => {
    for (const p of ps) await p.beat(at);
    for (const p of ps) await p.beat(at + 1); // everyone has seen everyone's latest
  };
  await beat(all, 1);
  t.same((await liveMembers(redis)).find((m) => m.owner === 'p3')?.agents, { support: 2 }, 'agents advertised in the registry');

  const desk = (id: string, group = 'sales') => ({ id, groups: [group] });
  const quiet = (id: string) => ({ id, groups: [] as string[] });
  const name = new Map<WorkSpread, string>([
    [p1, 'p1'],
    [p2, 'p2'],
    [p3, 'p3'],
  ]);
  const owners = (ps: WorkSpread[], ids: string[]) => ids.map((id) => ps.filter((p) => p.mine(id)).map((p) => name.get(p)!));

  // Ids chosen so that plain rendezvous hashing puts both sales campaigns on the same process with sales agents.
  let pair: [string, string] | undefined;
  for (let i = 0; !pair; i++) {
    const a = ownerOf(`sales-a${i}`, p1.live);
    if (a !== 'p3' && a === ownerOf(`sales-b${i}`, p1.live)) pair = [`sales-a${i}`, `sales-b${i}`];
  }
  const running = [desk(pair[0]), desk(pair[1]), desk('support-0', 'support'), quiet('quiet-0'), quiet('quiet-1')];
  for (const p of all) p.plan(running);
  const ids = running.map((c) => c.id);
  const placed = owners(all, ids);
  t.ok(
    placed.every((o) => o.length === 1),
    `every campaign has exactly one owner, by every process's own computation (${JSON.stringify(placed)})`,
  );
  t.same(
    [placed[0]![0], placed[1]![0]].sort(),
    ['p1', 'p2'],
    'the two sales campaigns on the two processes with sales agents, one each (plain hashing piled them on one)',
  );
  t.same(placed[2], ['p3'], 'the support campaign where the support agents are');

  // p2 leaves (a dead one drops out the same way after its ttl): both sales campaigns on p1, the only sales agents left.
  const alive = [p1, p3];
  await p2.leave();
  await beat(alive, 10);
  for (const p of alive) p.plan(running);
  const after = owners(alive, ids);
  t.ok(
    after.every((o) => o.length === 1),
    `each still has one owner (${JSON.stringify(after)})`,
  );
  t.same([after[0], after[1]], [['p1'], ['p1']], 'the sales campaigns with the sales agents');

  // p2 is back (a restarted process) with its agents; three sales campaigns split 2 + 1. When the lone one ends,
  // the two left are not kept together while the other process's agents idle: one moves.
  const p2b = mk('p2', { sales: 2 });
  name.set(p2b, 'p2');
  all.splice(1, 1, p2b);
  await beat(all, 20);
  const sales3 = [desk(pair[0]), desk(pair[1]), desk('sales-x')];
  for (const p of all) p.plan(sales3);
  const split = owners(
    all,
    sales3.map((c) => c.id),
  ).map((o) => o[0]!);
  const lone = sales3.find((_, i) => split.filter((o) => o === split[i]).length === 1)!;
  t.ok(lone && split.every((o) => o === 'p1' || o === 'p2'), `three sales campaigns split 2 + 1 over p1 and p2 (${split.join(' ')})`);
  const left = sales3.filter((c) => c !== lone);
  for (const p of all) p.plan(left);
  const spread = owners(
    all,
    left.map((c) => c.id),
  ).map((o) => o[0]!);
  t.same([...spread].sort(), ['p1', 'p2'], `after ${lone.id} ended, the two left run one on each (${spread.join(' ')})`);
  // p1's agents grow: it takes a larger share of sales campaigns.
  p1.agents = { sales: 6 };
  await beat(all, 30);
  const five = Array.from({ length: 8 }, (_, i) => desk(`s-${i}`));
  for (const p of all) p.plan(five);
  const share = owners(
    all,
    five.map((c) => c.id),
  ).map((o) => o[0]);
  const onP1 = share.filter((o) => o === 'p1').length;
  t.ok(
    onP1 <= 6 && share.filter((o) => o === 'p2').length <= 2 && !share.includes('p3'),
    `8 sales campaigns over 6 + 2 sales agents: at most 6 on p1, 2 on p2, none on p3 (${share.join(' ')})`,
  );
});
