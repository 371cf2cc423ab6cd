/** Why a running campaign places no call: one status per tick, from the tick's outcome alone. */
import t from 'tap';
import { decideDialingStatus, sameStatus, type TickOutcome } from '../../../lib/dialer/steps/dialing-status';
import type { TickDecision } from '../../../lib/pacing/types';

const decision = (
  calls: number,
  agents: Partial<TickDecision['trace']['agents']>,
  limitedBy: TickDecision['trace']['caps']['limitedBy'] = null,
): TickDecision => ({
  calls,
  reason: 'test',
  trace: {
    now: 0,
    mode: 'progressive',
    agents: { loggedIn: 0, ready: 0, reserved: 0, talking: 0, wrapup: 0, ...agents },
    calls: { ringing: 0, queued: 0, connected: 0, inFlight: 0 },
    figures: {},
    caps: { wanted: calls, room: {}, limitedBy },
  },
});
const base: TickOutcome = { window: { ok: true }, placed: 0, inProgress: 0, agentless: false, nextCallbackAt: null };

t.test('each reason from the outcome that causes it', async (t) => {
  const opens = new Date('2026-12-07T00:00:00Z');
  const cases: [string, Partial<TickOutcome>, ReturnType<typeof decideDialingStatus>['state'], string?, number?][] = [
    ['calls placed', { placed: 2, decision: decision(2, { loggedIn: 2, ready: 2 }) }, 'dialing'],
    ['calls up, none placed', { inProgress: 1, decision: decision(0, { loggedIn: 1, talking: 1 }) }, 'dialing'],
    ['outside hours', { window: { ok: false, reason: 'outside-hours', nextAt: opens } }, 'idle', 'outside_hours', opens.getTime()],
    ['before the period', { window: { ok: false, reason: 'before-period', nextAt: opens } }, 'idle', 'before_period', opens.getTime()],
    ['after the period', { window: { ok: false, reason: 'after-period', nextAt: null } }, 'idle', 'after_period'],
    ['nobody logged in', { decision: decision(0, {}) }, 'idle', 'no_agents'],
    ['nobody ready', { decision: decision(0, { loggedIn: 3, talking: 2, wrapup: 1 }) }, 'idle', 'no_ready_agents'],
    ['campaign cap', { decision: decision(0, { loggedIn: 3, ready: 3 }, 'campaign') }, 'idle', 'campaign_cap'],
    ['trunk channels', { decision: decision(0, { loggedIn: 3, ready: 3 }, 'trunkChannels') }, 'idle', 'trunk_full'],
    ['calls per second', { decision: decision(0, { loggedIn: 3, ready: 3 }, 'trunkCps') }, 'idle', 'calls_per_second'],
    ['shared limits admitted none', { decision: decision(2, { loggedIn: 2, ready: 2 }), admitted: 0 }, 'idle', 'trunk_full'],
    ['predictive holds back', { decision: decision(0, { loggedIn: 3, ready: 1 }) }, 'idle', 'abandon_budget'],
    [
      'every call given back unsent by the telephony',
      { placed: 2, decision: decision(2, { loggedIn: 2, ready: 2 }), refused: { count: 2, detail: 'drachtio-server is not connected' } },
      'idle',
      'telephony_refused',
    ],
    [
      'some given back, one sent',
      { placed: 2, decision: decision(2, { loggedIn: 2, ready: 2 }), refused: { count: 1, detail: 'x' } },
      'dialing',
    ],
    [
      'all given back, but calls are up',
      { placed: 1, inProgress: 1, decision: decision(1, { loggedIn: 2, ready: 1 }), refused: { count: 1, detail: 'x' } },
      'dialing',
    ],
    ['nothing eligible', { decision: decision(2, { loggedIn: 2, ready: 2 }), admitted: 2 }, 'idle', 'no_eligible_contacts'],
    [
      'waiting for a callback',
      { decision: decision(2, { loggedIn: 2, ready: 2 }), nextCallbackAt: 5000 },
      'idle',
      'waiting_for_callbacks',
      5000,
    ],
    [
      'nothing eligible until a retry time or a zone opens',
      { decision: decision(2, { loggedIn: 2, ready: 2 }), nextContactAt: 4000, nextCallbackAt: 5000 },
      'idle',
      'no_eligible_contacts',
      4000,
    ],
    [
      'a callback due before the next contact',
      { decision: decision(2, { loggedIn: 2, ready: 2 }), nextContactAt: 6000, nextCallbackAt: 5000 },
      'idle',
      'waiting_for_callbacks',
      5000,
    ],
    ['agentless, lines free, nothing eligible', { agentless: true, decision: decision(3, {}) }, 'idle', 'no_eligible_contacts'],
  ];
  for (const [name, patch, state, reason, until] of cases) {
    const s = decideDialingStatus({ ...base, ...patch });
    t.equal(s.state, state, name);
    if (s.state === 'idle') {
      t.equal(s.reason, reason, `${name}: reason`);
      if (until !== undefined) t.equal(s.until, until, `${name}: until`);
      t.ok(s.detail.length > 0, `${name}: detail`);
    }
  }
});

t.test('a change is a new state, reason or opening time; details alone are not', async (t) => {
  const a = decideDialingStatus({ ...base, decision: decision(0, { loggedIn: 3, talking: 3 }) });
  const b = decideDialingStatus({ ...base, decision: decision(0, { loggedIn: 3, talking: 2, wrapup: 1 }) });
  t.ok(sameStatus(a, b));
  t.notOk(sameStatus(undefined, a), 'the first status is always published');
  t.notOk(sameStatus(a, { state: 'dialing' }));
  t.ok(sameStatus({ state: 'dialing' }, { state: 'dialing' }));
});
