import t from 'tap';
import {
  AGENT_STATES,
  IllegalAgentTransitionError,
  NEXT_STATES,
  SETTABLE_STATES,
  returnCallsAfter,
  transition,
  type AgentEvent,
  type AgentState,
} from '../../../lib/agents/state';

/** Every event the machine knows, with each variant of its payload. */
const EVENTS: AgentEvent[] = [
  { type: 'login' },
  { type: 'phone_answered' },
  { type: 'phone_ended' },
  { type: 'reserve' },
  { type: 'release' },
  { type: 'connect' },
  { type: 'customer_ended' },
  { type: 'hangup_customer' },
  { type: 'transfer' },
  { type: 'hold' },
  { type: 'unhold' },
  { type: 'logout' },
  { type: 'idle_timeout' },
  ...NEXT_STATES.map((next) => ({ type: 'dispose', next }) as AgentEvent),
  ...SETTABLE_STATES.map((state) => ({ type: 'set_state', state }) as AgentEvent),
];

const label = (e: AgentEvent) => (e.type === 'dispose' ? `dispose:${e.next}` : e.type === 'set_state' ? `set_state:${e.state}` : e.type);

/** The legal transitions, written out from seed 001 independently of the implementation: from → event → [to, effect types]. */
const LEGAL: Record<AgentState, Record<string, [AgentState, string[]]>> = {
  logged_out: { login: ['connecting', ['originatePhone']] },
  connecting: {
    phone_answered: ['ready', ['playHold', 'enqueueReady']],
    phone_ended: ['logged_out', []],
    logout: ['logged_out', ['hangupPhone']],
  },
  ready: {
    reserve: ['reserved', ['dequeueReady']],
    'set_state:return_calls': ['return_calls', ['enqueueReady']],
    'set_state:break': ['break', ['dequeueReady']],
    'set_state:away': ['away', ['dequeueReady']],
    logout: ['logged_out', ['dequeueReady', 'hangupPhone']],
    idle_timeout: ['logged_out', ['dequeueReady', 'hangupPhone']],
    phone_ended: ['logged_out', ['dequeueReady']],
  },
  return_calls: {
    reserve: ['reserved', ['dequeueReady']],
    'set_state:ready': ['ready', ['enqueueReady']],
    'set_state:break': ['break', ['dequeueReady']],
    'set_state:away': ['away', ['dequeueReady']],
    logout: ['logged_out', ['dequeueReady', 'hangupPhone']],
    idle_timeout: ['logged_out', ['dequeueReady', 'hangupPhone']],
    phone_ended: ['logged_out', ['dequeueReady']],
  },
  reserved: {
    release: ['ready', ['enqueueReady']],
    connect: ['talking', ['beep', 'stopHold', 'bridge', 'screenPop']],
    phone_ended: ['logged_out', ['clearCall']],
  },
  talking: {
    customer_ended: ['wrap_up', ['playHold']],
    hangup_customer: ['wrap_up', ['hangupCustomer', 'playHold']],
    transfer: ['wrap_up', ['transferCustomer', 'playHold']],
    hold: ['talking', ['holdCustomer']],
    unhold: ['talking', ['unholdCustomer']],
    phone_ended: ['logged_out', ['saveUnsaved', 'hangupCustomer', 'clearCall']],
  },
  wrap_up: {
    'dispose:continue': ['ready', ['recordDisposition', 'clearCall', 'enqueueReady']],
    'dispose:return_calls': ['return_calls', ['recordDisposition', 'clearCall', 'enqueueReady']],
    'dispose:break': ['break', ['recordDisposition', 'clearCall']],
    'dispose:away': ['away', ['recordDisposition', 'clearCall']],
    'dispose:end': ['logged_out', ['recordDisposition', 'clearCall', 'hangupPhone']],
    logout: ['logged_out', ['saveUnsaved', 'clearCall', 'hangupPhone']],
    idle_timeout: ['logged_out', ['saveUnsaved', 'clearCall', 'hangupPhone']],
    phone_ended: ['logged_out', ['saveUnsaved', 'clearCall']],
  },
  break: {
    'set_state:ready': ['ready', ['enqueueReady']],
    'set_state:return_calls': ['return_calls', ['enqueueReady']],
    'set_state:away': ['away', []],
    logout: ['logged_out', ['hangupPhone']],
    idle_timeout: ['logged_out', ['hangupPhone']],
    phone_ended: ['logged_out', []],
  },
  away: {
    'set_state:ready': ['ready', ['enqueueReady']],
    'set_state:return_calls': ['return_calls', ['enqueueReady']],
    'set_state:break': ['break', []],
    logout: ['logged_out', ['hangupPhone']],
    idle_timeout: ['logged_out', ['hangupPhone']],
    phone_ended: ['logged_out', []],
  },
};

for (const from of AGENT_STATES) {
  t.test(`from ${from}`, async (t) => {
    for (const ev of EVENTS) {
      const want = LEGAL[from][label(ev)];
      if (want) {
        const got = transition(from, ev);
        t.equal(got.state, want[0], `${from} --${label(ev)}--> ${want[0]}`);
        t.same(
          got.effects.map((e) => e.type),
          want[1],
          `${from} --${label(ev)}: effects`,
        );
      } else {
        t.throws(() => transition(from, ev), IllegalAgentTransitionError, `${from} --${label(ev)} is illegal`);
      }
    }
  });
}

t.test('every legal transition in the table is reachable by some event', async (t) => {
  for (const from of AGENT_STATES) {
    for (const key of Object.keys(LEGAL[from]))
      t.ok(
        EVENTS.some((e) => label(e) === key),
        `${from}/${key}`,
      );
  }
});

t.test('illegal transitions name the state, event and what to do', async (t) => {
  const err = t.throws(() => transition('talking', { type: 'logout' })) as IllegalAgentTransitionError;
  t.equal(err.name, 'IllegalAgentTransitionError');
  t.equal(err.from, 'talking');
  t.equal(err.event, 'logout');
  t.equal(err.message, 'cannot logout while talking: the agent is on a call');
  const w = t.throws(() => transition('wrap_up', { type: 'set_state', state: 'ready' })) as Error;
  t.equal(w.message, 'cannot set state ready while wrap-up: the agent is in wrap-up; submit a disposition with the next state');
  const r = t.throws(() => transition('ready', { type: 'set_state', state: 'ready' })) as Error;
  t.equal(r.message, 'the agent is already ready');
  const l = t.throws(() => transition('logged_out', { type: 'set_state', state: 'break' })) as Error;
  t.match(l.message, /log in first/);
});

t.test('a released reservation keeps its place in the queue; a new ready does not', async (t) => {
  t.same(transition('reserved', { type: 'release' }).effects, [{ type: 'enqueueReady', keepSince: true, pool: 'ready' }]);
  t.same(transition('break', { type: 'set_state', state: 'ready' }).effects, [{ type: 'enqueueReady', keepSince: false, pool: 'ready' }]);
  t.same(transition('wrap_up', { type: 'dispose', next: 'continue' }).effects.at(-1), {
    type: 'enqueueReady',
    keepSince: false,
    pool: 'ready',
  });
});

t.test('return calls: the agent waits in the return-call queues, and a call taken from there goes back there', async (t) => {
  const rc = { returnCalls: true };
  const pool = (s: AgentState, e: AgentEvent, ctx = {}) => {
    const tr = transition(s, e, ctx);
    return [tr.state, tr.effects.find((x) => x.type === 'enqueueReady')] as const;
  };
  // Entering it, from every waiting state, queues in the return-call pool (the Lua enqueue leaves the campaigns' pool).
  for (const from of ['ready', 'break', 'away'] as const)
    t.same(pool(from, { type: 'set_state', state: 'return_calls' }), [
      'return_calls',
      { type: 'enqueueReady', keepSince: false, pool: 'return_calls' },
    ]);
  t.same(pool('return_calls', { type: 'set_state', state: 'ready' }), ['ready', { type: 'enqueueReady', keepSince: false, pool: 'ready' }]);
  // Released reservation: back to return calls, same place.
  t.same(pool('reserved', { type: 'release' }, rc), ['return_calls', { type: 'enqueueReady', keepSince: true, pool: 'return_calls' }]);
  // Wrap-up "continue" after a return call: back to return calls; explicit return_calls from an outbound call too.
  t.same(pool('wrap_up', { type: 'dispose', next: 'continue' }, rc), [
    'return_calls',
    { type: 'enqueueReady', keepSince: false, pool: 'return_calls' },
  ]);
  t.same(pool('wrap_up', { type: 'dispose', next: 'return_calls' }), [
    'return_calls',
    { type: 'enqueueReady', keepSince: false, pool: 'return_calls' },
  ]);
  t.same(pool('wrap_up', { type: 'dispose', next: 'break' }, rc), ['break', undefined]);
  // Logging in to take return calls (seed 001: sign in as 受付可).
  t.same(pool('connecting', { type: 'phone_answered' }, rc), [
    'return_calls',
    { type: 'enqueueReady', keepSince: false, pool: 'return_calls' },
  ]);
  const again = t.throws(() => transition('return_calls', { type: 'set_state', state: 'return_calls' })) as Error;
  t.equal(again.message, 'the agent is already return calls');
  // The mode lasts through the call and ends in any other waiting state.
  for (const s of ['reserved', 'talking', 'wrap_up', 'connecting'] as const) {
    t.equal(returnCallsAfter(s, true), true, `${s} keeps the mode`);
    t.equal(returnCallsAfter(s, false), false, `${s} does not start it`);
  }
  t.equal(returnCallsAfter('return_calls', false), true);
  for (const s of ['ready', 'break', 'away', 'logged_out'] as const) t.equal(returnCallsAfter(s, true), false, `${s} ends the mode`);
});
