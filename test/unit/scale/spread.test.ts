import t from 'tap';
import { ownerOf, parseMembers, type Member } from '../../../lib/scale/spread';

const m = (owner: string, capacity = 100, healthy = true): Member => ({ owner, capacity, healthy, activeLegs: 0, campaigns: 0 });
const campaigns = Array.from({ length: 300 }, (_, i) => `camp-${i}`);

t.test('every process computes the same owner; shares follow capacity', async (t) => {
  const members = [m('a'), m('b'), m('c')];
  const count = (ms: Member[]) => {
    const c: Record<string, number> = {};
    for (const id of campaigns) c[ownerOf(id, ms)!] = (c[ownerOf(id, ms)!] ?? 0) + 1;
    return c;
  };
  t.same(
    campaigns.map((id) => ownerOf(id, members)),
    campaigns.map((id) => ownerOf(id, [...members].reverse())),
    'order of the registry does not matter',
  );
  const even = count(members);
  for (const o of ['a', 'b', 'c']) t.ok(even[o]! > 70 && even[o]! < 130, `${o} owns about a third (${even[o]})`);
  const weighted = count([m('a', 200), m('b'), m('c')]);
  t.ok(weighted.a! > 120 && weighted.a! < 180, `twice the capacity, about half (${weighted.a})`);
});

t.test('a process leaving or joining moves only its own campaigns', async (t) => {
  const three = [m('a'), m('b'), m('c')];
  const two = [m('a'), m('c')];
  let moved = 0;
  for (const id of campaigns) {
    const before = ownerOf(id, three);
    const after = ownerOf(id, two);
    if (before !== 'b') t.equal(after, before);
    else moved++;
  }
  t.ok(moved > 0 && campaigns.every((id) => ownerOf(id, two) !== 'b'));
  const four = [...three, m('d')];
  for (const id of campaigns) {
    const after = ownerOf(id, four);
    if (after !== 'd' && after !== ownerOf(id, three)) t.fail(`${id} moved between old members`);
  }
});

t.test('unhealthy processes own nothing while a healthy one lives', async (t) => {
  t.equal(ownerOf('x', [m('a', 100, false), m('b')]), 'b');
  t.equal(ownerOf('x', [m('a', 100, false)]), 'a', 'all unhealthy: still someone');
  t.equal(ownerOf('x', []), undefined);
});

t.test('registry rows parse with defaults', async (t) => {
  t.same(parseMembers(['a', '{"capacity":5,"activeLegs":2,"healthy":true,"campaigns":1}', 'b', 'garbage']), [
    { owner: 'a', capacity: 5, activeLegs: 2, healthy: true, campaigns: 1 },
    { owner: 'b', capacity: 1, activeLegs: 0, healthy: true, campaigns: 0 },
  ]);
});
