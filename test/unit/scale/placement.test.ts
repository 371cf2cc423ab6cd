import t from 'tap';
import { agentsFor, groupSetKey, placeCampaigns, type PlacementMember } from '../../../lib/scale/placement';
import { ownerOf } from '../../../lib/scale/spread';

const m = (owner: string, agents?: Record<string, number>, capacity = 100, healthy = true): PlacementMember => ({
  owner,
  capacity,
  healthy,
  ...(agents ? { agents } : {}),
});
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const count = (placed: Map<string, string>) => {
  const c: Record<string, number> = {};
  for (const o of placed.values()) c[o] = (c[o] ?? 0) + 1;
  return c;
};

t.test('two agent campaigns on two processes with agents each: one each, whatever the ids', async (t) => {
  // The case the fault test met: after a takeover, plain rendezvous hashing put both on one process about half the time.
  const members = [m('p1', { sales: 2 }), m('p3', { sales: 2 })];
  let together = 0;
  for (let i = 0; i < 200; i++) {
    const cs = [
      { id: `desk-a${i}`, groups: ['sales'] },
      { id: `desk-b${i}`, groups: ['sales'] },
    ];
    const placed = placeCampaigns(cs, members);
    t.not(placed.get(cs[0]!.id), placed.get(cs[1]!.id), `pair ${i} spread`);
    if (ownerOf(cs[0]!.id, members) === ownerOf(cs[1]!.id, members)) together++;
  }
  t.ok(together > 40, `plain rendezvous hashing would have put both on one process in ${together} of 200 pairs`);
});

t.test('a campaign with agents goes where its groups have logged-in agents, shares follow the agents', async (t) => {
  const members = [m('a', { sales: 4 }), m('b', { 'sales,support': 1 }), m('c', { support: 3 }), m('d')];
  const sales = ids('sales', 5).map((id) => ({ id, groups: ['sales'] }));
  const support = ids('support', 4).map((id) => ({ id, groups: ['support'] }));
  const placed = placeCampaigns([...sales, ...support], members);
  const salesOn = count(new Map(sales.map((c) => [c.id, placed.get(c.id)!])));
  const supportOn = count(new Map(support.map((c) => [c.id, placed.get(c.id)!])));
  t.same(
    Object.keys(salesOn).sort(),
    ['a', 'b'].filter((o) => salesOn[o]),
    'sales only where sales agents are',
  );
  t.ok(
    (salesOn.a ?? 0) <= 4 && (salesOn.b ?? 0) <= 1,
    `by agents: at most ceil(5·4/5) = 4 on a, ceil(5·1/5) = 1 on b (${JSON.stringify(salesOn)})`,
  );
  t.ok(!supportOn.a && !supportOn.d, `support only where support agents are (${JSON.stringify(supportOn)})`);
  t.ok((supportOn.c ?? 0) <= 3 && (supportOn.b ?? 0) <= 1, 'by agents: ceil(4·3/4) = 3 on c, 1 on b');
  t.equal(agentsFor(members[1]!, ['support']), 1, 'an agent in two groups counts once for either');
  t.equal(agentsFor(members[1]!, ['sales', 'support']), 1, 'and once for both');
});

t.test('campaigns without agents: shares by capacity, bounded; agent campaigns count against them', async (t) => {
  const members = [m('a', { sales: 2 }), m('b', undefined, 300), m('c')];
  const quiet = ids('q', 9).map((id) => ({ id, groups: [] as string[] }));
  const desks = ids('desk', 2).map((id) => ({ id, groups: ['sales'] }));
  const placed = placeCampaigns([...quiet, ...desks], members);
  const c = count(placed);
  t.same(
    desks.map((d) => placed.get(d.id)),
    ['a', 'a'],
    'the only process with sales agents drives both, above its share (no other can serve them)',
  );
  // 11 campaigns, capacities 100/300/100: at most ceil(11·100/500) = 3, ceil(11·300/500) = 7, 3.
  t.ok(c.b! <= 7 && (c.c ?? 0) <= 3 && c.a! <= 3, `within the capacity bounds (${JSON.stringify(c)})`);
  t.equal(c.a! + c.b! + (c.c ?? 0), 11, 'every campaign placed');
  const many = placeCampaigns(
    ids('x', 30).map((id) => ({ id, groups: [] })),
    [m('a'), m('b'), m('c')],
  );
  for (const [o, n] of Object.entries(count(many))) t.ok(n <= 10, `${o} holds ${n} of 30 (bound 10)`);
});

t.test('every process computes the same placement: order of members and campaigns does not matter', async (t) => {
  const members = [m('a', { sales: 2 }), m('b', { sales: 1, support: 2 }), m('c', undefined, 200)];
  const cs = [...ids('s', 4).map((id) => ({ id, groups: ['sales'] })), ...ids('q', 5).map((id) => ({ id, groups: [] as string[] }))];
  const one = placeCampaigns(cs, members);
  const two = placeCampaigns([...cs].reverse(), [...members].reverse());
  t.same([...one.entries()].sort(), [...two.entries()].sort());
});

t.test('no agents anywhere, unhealthy processes, overlapping groups, no members', async (t) => {
  const placed = placeCampaigns([{ id: 'desk', groups: ['sales'] }], [m('a'), m('b', {})]);
  t.ok(placed.get('desk'), 'a campaign whose agents are nowhere still has a process (it waits for agents there)');
  t.equal(
    placeCampaigns([{ id: 'x', groups: [] }], [m('a', undefined, 100, false), m('b')]).get('x'),
    'b',
    'unhealthy: nothing while a healthy one lives',
  );
  t.equal(placeCampaigns([{ id: 'x', groups: [] }], [m('a', undefined, 100, false)]).get('x'), 'a', 'all unhealthy: still someone');
  t.equal(placeCampaigns([{ id: 'x', groups: [] }], []).size, 0);
  // Overlapping groups can make the bounds infeasible: everything is still placed, on processes with agents.
  const ov = placeCampaigns(
    [
      { id: 'ab', groups: ['a', 'b'] },
      { id: 'a1', groups: ['a'] },
      { id: 'a2', groups: ['a'] },
      { id: 'b1', groups: ['b'] },
    ],
    [m('x', { a: 1 }), m('y', { b: 1 })],
  );
  t.equal(ov.size, 4);
  t.equal(ov.get('a1'), 'x');
  t.equal(ov.get('b1'), 'y');
  t.equal(groupSetKey(['b', 'a', 'b']), 'a,b');
});

t.test('one campaign: the same owner as plain weighted rendezvous hashing', async (t) => {
  const members = [m('a', undefined, 100), m('b', undefined, 250), m('c', undefined, 50)];
  for (const id of ids('one', 100)) {
    const placed = placeCampaigns([{ id, groups: [] }], members).get(id);
    t.equal(placed, ownerOf(id, members));
  }
});

t.test('a campaign stays with its holder while within bounds: no back and forth as campaigns end', async (t) => {
  const members = [m('p1', { sales: 2 }), m('p3', { sales: 2 })];
  // Whatever the ids: the holder keeps its one campaign even where the other process ranks higher.
  for (let i = 0; i < 50; i++) {
    const id = `desk-${i}`;
    for (const holder of ['p1', 'p3']) t.equal(placeCampaigns([{ id, groups: ['sales'], holder }], members).get(id), holder);
  }
  // Three campaigns held 2 + 1; the lone one ends: one of the two moves (bound 1 each), and only one.
  const three = [
    { id: 'd0', groups: ['sales'], holder: 'p3' },
    { id: 'd2', groups: ['sales'], holder: 'p3' },
    { id: 'd5', groups: ['sales'], holder: 'p1' },
  ];
  t.same([...placeCampaigns(three, members).values()], ['p3', 'p3', 'p1'], '2 + 1 is within the bounds (ceil(3·2/4) = 2): nothing moves');
  const two = placeCampaigns(three.slice(0, 2), members);
  t.same([...two.values()].sort(), ['p1', 'p3'], 'after d5 ended, one of the two moves to the idle agents');
  const moved = [...two.entries()].find(([, o]) => o === 'p1')![0];
  // Once moved (held there now), the last one ending does not send the other back.
  const last = [{ id: moved, groups: ['sales'], holder: 'p1' }];
  t.equal(placeCampaigns(last, members).get(moved), 'p1', 'the campaign left stays where it runs');
});

t.test('a joining process takes campaigns only as the bounds require; a dead holder is not kept', async (t) => {
  const cs = ids('q', 6).map((id, i) => ({ id, groups: [] as string[], holder: i < 3 ? 'a' : 'b' }));
  const two = placeCampaigns(cs, [m('a'), m('b')]);
  t.same(
    cs.map((c) => two.get(c.id)),
    cs.map((c) => c.holder),
    'held and within bounds: unchanged',
  );
  const three = placeCampaigns(cs, [m('a'), m('b'), m('c')]);
  const c3 = count(three);
  t.same([c3.a, c3.b, c3.c], [2, 2, 2], 'a third process joins: each keeps its share, the new one takes the rest');
  t.equal(cs.filter((c) => three.get(c.id) !== c.holder).length, 2, 'only two campaigns moved');
  const gone = placeCampaigns(cs, [m('b'), m('c')]);
  t.ok(
    cs.every((c) => gone.get(c.id) !== 'a'),
    'a holder that left the registry keeps nothing',
  );
});
