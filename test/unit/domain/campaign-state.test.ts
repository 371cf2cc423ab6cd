import t from 'tap';
import {
  CAMPAIGN_EVENTS,
  CAMPAIGN_STATES,
  IllegalTransitionError,
  deleteRefusal,
  editRefusal,
  transition,
  type CampaignEvent,
  type CampaignState,
} from '../../../lib/domain/campaign-state';

// Every (state, event) pair: the expected next state, or the exact refusal.
const TABLE: [CampaignState, CampaignEvent, CampaignState | string][] = [
  ['draft', 'start', 'running'],
  ['draft', 'pause', 'the campaign is draft; only a running campaign can pause'],
  ['draft', 'resume', 'the campaign is draft; only a paused campaign can resume'],
  ['draft', 'complete', 'the campaign is draft; only a running campaign can complete'],
  ['draft', 'close', 'closed'],
  ['running', 'start', 'the campaign is running; only a draft campaign can start (use resume for a paused one)'],
  ['running', 'pause', 'paused'],
  ['running', 'resume', 'the campaign is running; only a paused campaign can resume'],
  ['running', 'complete', 'completed'],
  ['running', 'close', 'the campaign is running: pause it before closing'],
  ['paused', 'start', 'the campaign is paused; only a draft campaign can start (use resume for a paused one)'],
  ['paused', 'pause', 'the campaign is paused; only a running campaign can pause'],
  ['paused', 'resume', 'running'],
  ['paused', 'complete', 'the campaign is paused; only a running campaign can complete'],
  ['paused', 'close', 'closed'],
  ...CAMPAIGN_EVENTS.map((e): [CampaignState, CampaignEvent, string] => [
    'completed',
    e,
    `the campaign is completed; a completed campaign cannot ${e}`,
  ]),
  ...CAMPAIGN_EVENTS.map((e): [CampaignState, CampaignEvent, string] => [
    'closed',
    e,
    `the campaign is closed; a closed campaign cannot ${e}`,
  ]),
];

t.test('the table covers every state × event', async (t) => {
  t.equal(TABLE.length, CAMPAIGN_STATES.length * CAMPAIGN_EVENTS.length);
});

for (const [from, event, expected] of TABLE) {
  t.test(`${from} --${event}-->`, async (t) => {
    if ((CAMPAIGN_STATES as readonly string[]).includes(expected)) {
      const r = transition(from, event);
      t.equal(r.state, expected);
      t.same(r.effects.at(-1), { type: 'publish', event: `campaign.${expected}` });
    } else {
      const err = t.throws(() => transition(from, event)) as IllegalTransitionError;
      t.type(err, IllegalTransitionError);
      t.equal(err.name, 'IllegalTransitionError');
      t.equal(err.message, expected);
      t.equal(err.from, from);
      t.equal(err.event, event);
    }
  });
}

t.test('effects are data for the interpreter', async (t) => {
  t.same(
    transition('draft', 'start').effects.map((e) => e.type),
    ['freezeAllocation', 'startDialing', 'publish'],
  );
  t.same(
    transition('running', 'pause').effects.map((e) => e.type),
    ['stopDialing', 'publish'],
  );
  t.same(
    transition('paused', 'resume').effects.map((e) => e.type),
    ['startDialing', 'publish'],
  );
  t.same(
    transition('running', 'complete').effects.map((e) => e.type),
    ['stopDialing', 'publish'],
  );
  t.same(
    transition('paused', 'close').effects.map((e) => e.type),
    ['releaseLists', 'purgeOutbound', 'publish'],
  );
});

t.test('edit rules (seed 000: while paused, retry count, period and caller ID may change)', async (t) => {
  const cases: [CampaignState, string[], string | undefined][] = [
    ['draft', ['name', 'mode', 'ratioTable'], undefined],
    ['running', ['callerId'], 'the campaign is running: pause it before editing'],
    ['paused', ['maxAttempts', 'period', 'callerId', 'presentCallerId'], undefined],
    ['paused', ['hours', 'retryIntervalSec', 'retryPolicy', 'ringTimeoutSec'], undefined],
    [
      'paused',
      ['callerId', 'name', 'mode'],
      'while paused only maxAttempts, period, callerId, presentCallerId, hours, retryIntervalSec, retryPolicy, ringTimeoutSec, callbackOwnerGraceSec may change; refused: name, mode',
    ],
    ['completed', ['period'], 'the campaign is completed and can no longer be edited'],
    ['closed', ['period'], 'the campaign is closed and can no longer be edited'],
  ];
  for (const [state, fields, want] of cases) t.equal(editRefusal(state, fields), want, `${state} ${fields.join(',')}`);
});

t.test('delete rules', async (t) => {
  t.equal(deleteRefusal('draft'), undefined);
  t.equal(deleteRefusal('completed'), undefined);
  t.equal(deleteRefusal('closed'), undefined);
  t.equal(deleteRefusal('running'), 'the campaign is running: pause and close it before deleting');
  t.equal(deleteRefusal('paused'), 'the campaign is paused: close it before deleting');
});
