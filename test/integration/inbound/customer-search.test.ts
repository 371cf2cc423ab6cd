/**
 * Customer search (issue 18): by number in any common format (normalised by
 * the phone library, clova lists matched by their digits), by name / key /
 * attribute text (width- and case-insensitive), by list; the agent role sees
 * only its campaigns' lists; pages follow `next`; bad queries get a 400
 * naming the parameter. The store's per-request read budget is exercised
 * directly, with real Redis.
 */
import t from 'tap';
import { auth, build } from '../../helpers/app';
import { startTestRedis } from '../../helpers/redis';
import { encodeRecord, validateContact } from '../../../lib/domain/contact';
import { addContacts } from '../../../lib/store/contacts';
import { createList } from '../../../lib/store/lists';
import { searchCustomers, type SearchCursor } from '../../../lib/store/customer-search';
import { contactMatches, foldText, looksLikePhone, phoneKeys } from '../../../lib/domain/customer-search';

type Hit = { listId: string; campaigns: string[]; contact: { id: string; phone: string; name?: string } };

t.test('phone forms and text matching (pure)', async (t) => {
  t.ok(looksLikePhone('03-1234-5678'));
  t.ok(looksLikePhone('+81 (3) 1234 5678'));
  t.ok(looksLikePhone('０３－１２３４－５６７８'), 'full-width digits and dash');
  t.notOk(looksLikePhone('Sato'));
  t.notOk(looksLikePhone('123'), 'three digits are a key, not a number');
  for (const f of ['03-1234-5678', '+81 3 1234 5678', '(03) 1234-5678', '０３－１２３４－５６７８', '+81312345678'])
    t.ok(phoneKeys(f, 'JP').includes('+81312345678') && phoneKeys(f, 'JP').includes('0312345678'), `${f} → E.164 and national`);
  t.same(phoneKeys('abc', 'JP'), []);
  const c = {
    id: 'c1',
    phone: '+81312345678',
    rawPhone: '03-1234-5678',
    phoneType: 'landline' as const,
    name: 'ｻﾄｳ Hanako',
    key1: 'K-100',
    attributes: { plan: 'Gold' },
    attempts: 0,
    lastResult: null,
    lastAttemptAt: null,
    firstAttemptAt: null,
  };
  t.ok(contactMatches(c, foldText('サトウ')), 'half-width kana match full-width');
  t.ok(contactMatches(c, foldText('HANAKO')));
  t.ok(contactMatches(c, foldText('gold')), 'attribute value');
  t.ok(contactMatches(c, foldText('k-1')), 'key');
  t.notOk(contactMatches(c, foldText('silver')));
});

t.test('search API: number, text, list, role rule, pages, bad input', async (t) => {
  const { app } = await build(t);
  const H = (role: 'admin' | 'supervisor' | 'agent') => ({ ...auth(role), 'content-type': 'application/json' });
  const post = async (url: string, body: unknown) => {
    const r = await app.inject({ method: 'POST', url, headers: H('admin'), payload: JSON.stringify(body) });
    t.ok(r.statusCode < 300, `${url} ${r.body}`);
  };
  const get = (url: string, role: 'admin' | 'supervisor' | 'agent' = 'supervisor') =>
    app.inject({ method: 'GET', url, headers: auth(role) });
  for (const g of ['G1', 'G2']) await post('/groups', { id: g, name: g });
  await post('/agents', { id: 'a1', name: 'a1', sipUri: 'sip:a1@127.0.0.1', groups: ['G1'] });
  await post('/lists', { id: 'L1', name: 'mine' });
  await post('/lists', { id: 'L2', name: 'theirs' });
  await post('/lists', { id: 'L3', name: 'clova', profile: 'clova' });
  await post('/campaigns', { id: 'mine', name: 'mine', agentGroups: ['G1'] });
  await post('/campaigns', { id: 'theirs', name: 'theirs', agentGroups: ['G2'] });
  await post('/campaigns/mine/lists', { listId: 'L1' });
  await post('/campaigns/theirs/lists', { listId: 'L2' });
  await post('/lists/L1/contacts/bulk', {
    contacts: [
      { id: 'sato', phone: '03-1234-5678', name: '佐藤 花子', key1: 'K100' },
      ...Array.from({ length: 12 }, (_, i) => ({ id: `s${i}`, phone: `0312340${String(i).padStart(3, '0')}`, name: `Suzuki ${i}` })),
    ],
  });
  await post('/lists/L2/contacts', { id: 'other', phone: '+81 3 1234 5678', name: 'Sato in another campaign' });
  await post('/lists/L3/contacts', { id: 'cl', phone: '0312345678', key1: 'AB1' });

  // By number, in every common format.
  for (const phone of ['03-1234-5678', '+81 3 1234 5678', '(03)1234-5678', '０３－１２３４－５６７８']) {
    const r = await get(`/customers?phone=${encodeURIComponent(phone)}`);
    t.equal(r.statusCode, 200, r.body);
    const hits = r.json().customers as Hit[];
    t.same(
      hits.map((h) => `${h.listId}/${h.contact.id}`),
      ['L1/sato', 'L2/other', 'L3/cl'],
      `${phone}: the default lists by E.164, the clova list by its digits`,
    );
  }
  const viaQ = (await get(`/customers?q=${encodeURIComponent('03 1234 5678')}`)).json().customers as Hit[];
  t.equal(viaQ.length, 3, 'a number typed in q is searched as a number');
  t.same(viaQ[0]!.campaigns, ['mine'], 'hits name the campaigns using the list');

  // By text: name, key, width-insensitive.
  t.same(
    ((await get(`/customers?q=${encodeURIComponent('佐藤')}`)).json().customers as Hit[]).map((h) => h.contact.id),
    ['sato'],
  );
  t.same(
    ((await get('/customers?q=k100')).json().customers as Hit[]).map((h) => h.contact.id),
    ['sato'],
    'key1, any case',
  );
  t.same(
    ((await get('/customers?q=ANOTHER')).json().customers as Hit[]).map((h) => h.contact.id),
    ['other'],
    'name in another list',
  );
  t.same(
    ((await get('/customers?q=sato')).json().customers as Hit[]).map((h) => h.contact.id),
    ['sato', 'other'],
    'contact id or name',
  );
  t.same(((await get('/customers?q=another&listId=L1')).json().customers as Hit[]).length, 0, 'narrowed to a list');

  // Pages.
  const seen: string[] = [];
  let url = '/customers?q=suzuki&limit=5';
  for (let i = 0; i < 5; i++) {
    const r = await get(url);
    t.equal(r.statusCode, 200, r.body);
    seen.push(...(r.json().customers as Hit[]).map((h) => h.contact.id));
    const next = r.json().next as string | null;
    if (!next) break;
    url = `/customers?q=suzuki&limit=5&cursor=${next}`;
  }
  t.same(
    seen,
    Array.from({ length: 12 }, (_, i) => `s${i}`),
    'three pages, each contact once, in dial order',
  );
  const byList = (await get('/customers?listId=L1&limit=100')).json().customers as Hit[];
  t.equal(byList.length, 13, 'a list alone browses it');

  // Role rule: an agent sees only its campaigns' lists.
  const agentHits = (await get('/customers?phone=0312345678', 'agent')).json().customers as Hit[];
  t.same(
    agentHits.map((h) => h.listId),
    ['L1'],
    'agent a1 (group G1) finds the contact of campaign mine only',
  );
  const forbidden = await get('/customers?listId=L2', 'agent');
  t.equal(forbidden.statusCode, 403);
  t.match(forbidden.json().message, /serves no campaign using list L2/);

  // Bad input.
  const bad: [string, number, RegExp][] = [
    ['/customers', 400, /give phone, q or listId/],
    ['/customers?phone=abc', 400, /querystring\.phone/],
    ['/customers?q=x&cursor=nonsense', 400, /querystring\.cursor/],
    ['/customers?q=x&limit=1000', 400, /limit/],
    ['/customers?q=x&colour=red', 400, /colour|additional/],
    ['/customers?listId=NOPE', 404, /list NOPE does not exist/],
  ];
  for (const [u, code, re] of bad) {
    const r = await get(u);
    t.equal(r.statusCode, code, `${u}: ${r.body}`);
    t.match(r.json().message, re);
  }
  t.equal((await app.inject({ method: 'GET', url: '/customers?q=x' })).statusCode, 401, 'needs a key');
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
  t.ok(doc.paths['/customers'], 'in the OpenAPI');
});

t.test('a text search stops at its read budget and resumes from the cursor', async (t) => {
  const { redis } = await startTestRedis(t);
  for (const id of ['A', 'B']) await createList(redis, { id, name: id, profile: 'default' });
  const rows = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const v = validateContact(
        {
          id: `${prefix}${i}`,
          phone: `0312${prefix === 'a' ? '1' : '2'}${String(i).padStart(5, '0')}`,
          name: i % 10 === 0 ? 'Target' : 'Other',
        },
        { profile: 'default', region: 'JP', maxFieldLength: 1000, maxAttributes: 50 },
      );
      if (!v.ok) throw new Error(JSON.stringify(v.errors));
      return { id: v.id, phone: v.record.phone, record: encodeRecord(v.record) };
    });
  await addContacts(redis, 'A', rows('a', 35));
  await addContacts(redis, 'B', rows('b', 25));
  const found: string[] = [];
  let cursor: SearchCursor | undefined;
  let requests = 0;
  do {
    const page = await searchCustomers(redis, { lists: ['A', 'B'], text: 'target', limit: 100, budget: 7, ...(cursor ? { cursor } : {}) });
    t.ok(page.scanned <= 7, `request ${requests} read ${page.scanned} ≤ 7 contacts`);
    found.push(...page.hits.map((h) => h.contact.id));
    cursor = page.next ?? undefined;
    requests++;
  } while (cursor && requests < 50);
  t.same(found, ['a0', 'a10', 'a20', 'a30', 'b0', 'b10', 'b20'], 'every match once, in list then dial order');
  t.ok(requests >= 9, `${requests} requests for 60 contacts at 7 per request`);
});
