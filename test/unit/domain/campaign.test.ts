import t from 'tap';
import {
  CAMPAIGN_NAME,
  campaignDefaults,
  mergeSettings,
  startRefusal,
  validateAllocation,
  validateSettings,
  type Campaign,
} from '../../../lib/domain/campaign';
import { RATIO_TABLE_PRESET, ratioForIdleAgents, validateRatioTable } from '../../../lib/domain/ratio-table';

t.test('campaign names: letters of any script, digits, dash (seed 000)', async (t) => {
  const cases: [string, boolean][] = [
    ['spring-2024', true],
    ['春のキャンペーン', true],
    ['ラーメン-セール', true],
    ['여름캠페인-1', true],
    ['Ünïcödé', true],
    ['が', true],
    ['ｶﾀｶﾅ', true],
    ['two words', false],
    ['a_b', false],
    ['sale!', false],
    ['', false],
    ['emoji🎉', false],
    ['a/b', false],
  ];
  for (const [name, ok] of cases) t.equal(CAMPAIGN_NAME.test(name), ok, name);
});

t.test('validateSettings names every problem', async (t) => {
  const base = () => mergeSettings(campaignDefaults(), { name: 'ok' });
  t.same(validateSettings(base(), 'JP'), []);
  const cases: [Partial<ReturnType<typeof base>>, string[]][] = [
    [{ name: 'a b' }, ['name may contain only letters (any script), digits and "-", and must not be empty']],
    [{ name: 'x'.repeat(101) }, ['name must be at most 100 characters']],
    [
      { mode: 'agentless', agentless: { botUri: 'sip:bot@h', message: 'm' } },
      ['agentless mode needs exactly one of agentless.botUri (bot/IVR SIP URI) or agentless.message (recorded message)'],
    ],
    [{ mode: 'agentless', agentless: { botUri: 'http://bot' } }, ['agentless.botUri "http://bot" is not a SIP URI (sip:user@host)']],
    [{ mode: 'power', agentless: { message: 'm' } }, ['agentless settings are only for mode agentless (mode is power)']],
    [
      {
        dispositions: [
          { code: 'a', label: 'A' },
          { code: 'a', label: 'B' },
        ],
      },
      ['dispositions has duplicate code "a"'],
    ],
    [{ dispositionRequired: true }, ['dispositionRequired needs at least one disposition']],
    [{ voicemail: { action: 'leave-message' } }, ['voicemail.message is required when voicemail.action is leave-message']],
    [{ filters: { attempts: { min: 3, max: 1 } } }, ['filters.attempts.min must not exceed filters.attempts.max']],
    [{ period: { start: '2024-02-01T00:00:00Z', end: '2024-01-01T00:00:00Z' } }, ['period.end must be after period.start']],
  ];
  for (const [patch, want] of cases) t.same(validateSettings(mergeSettings(base(), patch), 'JP'), want, JSON.stringify(patch));
  const s = mergeSettings(base(), { callerId: '０３－１２３４－５６７８' });
  t.same(validateSettings(s, 'JP'), []);
  t.equal(s.callerId, '+81312345678', 'caller ID normalised to E.164');
});

t.test('retry policy merges per code over the result-code defaults', async (t) => {
  const s = mergeSettings(campaignDefaults(), {
    name: 'x',
    retryPolicy: { '4': { retry: false }, '2': { retry: true, intervalSec: 600 } },
  });
  t.same(
    [s.retryPolicy['4'], s.retryPolicy['2'], s.retryPolicy['3'], s.retryPolicy['6']],
    [{ retry: false }, { retry: true, intervalSec: 600 }, { retry: true }, { retry: false }],
  );
});

t.test("seed 002's ratio table", async (t) => {
  const cases: [number, number][] = [
    [1, 1],
    [5, 1],
    [6, 1.5],
    [10, 1.5],
    [11, 2],
    [20, 2],
    [21, 2.5],
    [50, 2.5],
    [51, 3],
    [500, 3],
  ];
  for (const [idle, ratio] of cases) t.equal(ratioForIdleAgents(RATIO_TABLE_PRESET, idle), ratio, `${idle} idle`);
  t.same(validateRatioTable(RATIO_TABLE_PRESET), []);
  t.same(
    validateRatioTable([
      { upToIdleAgents: null, ratio: 1 },
      { upToIdleAgents: 5, ratio: 2 },
    ]),
    ['ratioTable[0] has no upper bound but is not the last row', "ratioTable's last row must have upToIdleAgents null (any larger count)"],
  );
});

t.test('allocation and start readiness', async (t) => {
  t.same(validateAllocation({ by: 'count', groups: { g1: 10.5 } }, ['g1']), ['allocation.groups.g1 must be a non-negative integer']);
  t.same(validateAllocation({ by: 'ratio', groups: { g1: 0 } }, ['g1']), ['allocation must give rows to at least one group']);
  t.same(validateAllocation({ by: 'ratio', groups: { g1: 2, g2: 1 } }, ['g1', 'g2']), []);
  const c = {
    ...mergeSettings(campaignDefaults(), { name: 'x', agentGroups: ['g1'] }),
    lists: [{ listId: 'L', active: true, allocation: null, attachedAt: '' }],
  } as unknown as Campaign;
  const now = new Date('2024-06-01T00:00:00Z');
  t.equal(startRefusal(c, now), undefined);
  t.equal(
    startRefusal({ ...c, lists: [{ ...c.lists[0]!, active: false }] }, now),
    'every attached list is stopped; start at least one list',
  );
  t.equal(startRefusal({ ...c, period: { end: '2024-05-31T00:00:00Z' } }, now), 'the run period ended at 2024-05-31T00:00:00Z');
  t.equal(startRefusal({ ...c, agentGroups: [] }, now), 'mode progressive needs at least one agent group');
});
