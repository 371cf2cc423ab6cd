import t from 'tap';
import { AWAITING_AN_AGENT, sharesAgents, withPromisedAgents } from '../../../lib/dialer/steps/shared-agents';
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

t.test('which campaigns share agents, which calls still wait for one', async (t) => {
  t.ok(sharesAgents(['sales', 'support'], ['support']));
  t.notOk(sharesAgents(['sales'], ['support']));
  t.notOk(sharesAgents([], ['sales']));
  t.same([...AWAITING_AN_AGENT].sort(), ['analysing', 'awaiting_agent', 'dialing'], 'a call being connected already holds its agent');
});
