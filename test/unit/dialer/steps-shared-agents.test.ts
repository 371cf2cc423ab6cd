import t from 'tap';
import {
  AWAITING_AN_AGENT,
  callbackMayReserve,
  sharesAgents,
  wantsReadyAgent,
  withPromisedAgents,
} from '../../../lib/dialer/steps/shared-agents';
import type { AgentSnapshot } from '../../../lib/pacing/types';

t.test('ready agents promised to other campaigns count as reserved', async (t) => {
  const agents: AgentSnapshot[] = [
    { state: 'talking', since: 1 },
    { state: 'ready', since: 2 },
    { state: 'wrapup', since: 3 },
    { state: 'ready', since: 4 },
  ];
  t.same(
    withPromisedAgents(agents, 0).map((a) => a.state),
    ['talking', 'ready', 'wrapup', 'ready'],
  );
  t.same(
    withPromisedAgents(agents, 1).map((a) => a.state),
    ['talking', 'reserved', 'wrapup', 'ready'],
  );
  t.same(
    withPromisedAgents(agents, 5).map((a) => a.state),
    ['talking', 'reserved', 'wrapup', 'reserved'],
    'never more than the ready ones',
  );
  t.equal(agents[1]!.state, 'ready', 'the input is not changed');
});

t.test('a ready agent owed an owner-only callback is kept out of the list’s pacing', async (t) => {
  const agents: AgentSnapshot[] = [
    { state: 'ready', since: 1, agentId: 'a1' },
    { state: 'ready', since: 2, agentId: 'owner' },
    { state: 'talking', since: 3, agentId: 'busy-owner' },
    { state: 'ready', since: 4 },
  ];
  const owners = new Set(['owner', 'busy-owner', 'not-logged-in']);
  t.same(
    withPromisedAgents(agents, 0, owners).map((a) => a.state),
    ['ready', 'reserved', 'talking', 'ready'],
    'only the owner freed meanwhile: a busy owner or one not in the groups takes nobody else’s place',
  );
  t.same(
    withPromisedAgents(agents, 1, owners).map((a) => a.state),
    ['reserved', 'reserved', 'talking', 'ready'],
    'the owner is not also one of the agents promised elsewhere',
  );
  t.same(
    withPromisedAgents(agents, 9, owners).map((a) => a.state),
    ['reserved', 'reserved', 'talking', 'reserved'],
  );
});

t.test('which campaigns share agents, which calls still wait for one', async (t) => {
  t.ok(sharesAgents(['sales', 'support'], ['support']));
  t.notOk(sharesAgents(['sales'], ['support']));
  t.notOk(sharesAgents([], ['sales']));
  t.same([...AWAITING_AN_AGENT].sort(), ['analysing', 'awaiting_agent', 'dialing'], 'a call being connected already holds its agent');
});

t.test('a due callback takes a ready agent only when one is left over for the placed calls still wanting one', async (t) => {
  t.ok(wantsReadyAgent({ phase: 'analysing', reserved: false }), 'an answered call being analysed will want an agent');
  t.ok(wantsReadyAgent({ phase: 'dialing', reserved: false }));
  t.notOk(wantsReadyAgent({ phase: 'dialing', reserved: true }), "a callback's call holds the agent reserved before dialling");
  t.notOk(wantsReadyAgent({ phase: 'connecting', reserved: true }));
  t.notOk(wantsReadyAgent({ phase: 'messaging', reserved: false }));
  t.ok(callbackMayReserve(1, 0));
  t.notOk(callbackMayReserve(1, 1), 'the one ready agent is the one a placed call counts on');
  t.notOk(callbackMayReserve(2, 3), 'more calls out than ready agents (a ratio above 1)');
  t.ok(callbackMayReserve(3, 2));
});
