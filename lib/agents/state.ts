/**
 * The live agent state machine of seed 001 (BIZTEL outbound "operation"):
 *
 *   logged_out ─login─▶ connecting ─phone_answered─▶ ready ⇄ break / away
 *   ready / break / away ⇄ return_calls   (return calls only: seed 001's inbound-only agents)
 *   ready ─reserve─▶ reserved ─connect─▶ talking ─customer_ended / hangup_customer / transfer─▶ wrap_up
 *   reserved ─release─▶ ready            (the customer hung up before the bridge)
 *   wrap_up ─dispose(next)─▶ ready | return_calls | break | away | logged_out
 *   ready / return_calls / wrap_up / break / away ─idle_timeout─▶ logged_out   (auto-release, 30/60 min)
 *   any state with a phone leg ─phone_ended─▶ logged_out        (a call in progress becomes "unsaved")
 *
 * "Return calls" (issue 18): seed 001 says agents waiting on a call job get no
 * inbound calls, so people who ring back need agents kept apart for them (its
 * inbound-only call centre, or agents left "受付可"). An agent in `return_calls`
 * waits in the return-call queues only: campaigns never reserve them, inbound
 * routes do (lib/inbound). A call taken from there goes back there: `release`,
 * `dispose continue` and the phone answer at login (`returnCalls` in the
 * context) lead to `return_calls` instead of `ready`.
 *
 * One guarded transition function; effects are data that the desk carries out
 * (driver calls, queue changes in Redis, records). Pure: no I/O, no clock.
 */
export const AGENT_STATES = [
  'logged_out',
  'connecting',
  'ready',
  'return_calls',
  'reserved',
  'talking',
  'wrap_up',
  'break',
  'away',
] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/**
 * The next state an agent picks with a disposition (seed 001: continue, break,
 * away, end); `continue` goes back to where the call was taken from (ready or
 * return calls), `return_calls` switches to taking return calls.
 */
export const NEXT_STATES = ['continue', 'return_calls', 'break', 'away', 'end'] as const;
export type NextState = (typeof NEXT_STATES)[number];

/** States an agent (or supervisor) may set directly. */
export const SETTABLE_STATES = ['ready', 'return_calls', 'break', 'away'] as const;
export type SettableState = (typeof SETTABLE_STATES)[number];

export type AgentEvent =
  | { type: 'login' }
  | { type: 'phone_answered' }
  /** The agent's phone leg ended (agent hung up, phone lost, network). */
  | { type: 'phone_ended' }
  | { type: 'reserve' }
  | { type: 'release' }
  | { type: 'connect' }
  /** The customer leg ended while talking (the runner reports it). */
  | { type: 'customer_ended' }
  | { type: 'hangup_customer' }
  | { type: 'transfer' }
  | { type: 'hold' }
  | { type: 'unhold' }
  | { type: 'dispose'; next: NextState }
  | { type: 'set_state'; state: SettableState }
  | { type: 'logout' }
  | { type: 'idle_timeout' };

export type AgentEventType = AgentEvent['type'];
export const AGENT_EVENT_TYPES: readonly AgentEventType[] = [
  'login',
  'phone_answered',
  'phone_ended',
  'reserve',
  'release',
  'connect',
  'customer_ended',
  'hangup_customer',
  'transfer',
  'hold',
  'unhold',
  'dispose',
  'set_state',
  'logout',
  'idle_timeout',
];

export type AgentEffect =
  /** Call the agent's phone (SIP URI, no analysis). */
  | { type: 'originatePhone' }
  | { type: 'hangupPhone' }
  /** Loop hold music on the agent's leg. */
  | { type: 'playHold' }
  | { type: 'stopHold' }
  /** The "a customer is here" beep on the agent's leg. */
  | { type: 'beep' }
  | { type: 'bridge' }
  /** Send the contact to the agent's screen. */
  | { type: 'screenPop' }
  /** Unbridge and play hold music to the customer. */
  | { type: 'holdCustomer' }
  /** Bridge the customer back. */
  | { type: 'unholdCustomer' }
  | { type: 'hangupCustomer' }
  | { type: 'transferCustomer' }
  /**
   * Put the agent in the ready queues (longest-waiting first): the campaigns'
   * (`ready`) or the return-call ones (`return_calls`). `keepSince`: back in the
   * same place (reservation released).
   */
  | { type: 'enqueueReady'; keepSince: boolean; pool: Pool }
  | { type: 'dequeueReady' }
  /** Keep the current call as an "unsaved" record for later completion. */
  | { type: 'saveUnsaved' }
  | { type: 'recordDisposition' }
  /** Forget the current call (after disposition or when the leg is gone). */
  | { type: 'clearCall' };

/** Which waiting queues an agent is in: the campaigns' or the return calls'. */
export type Pool = 'ready' | 'return_calls';

/** What the machine needs besides the state: whether the agent's current call (or login) is in return-calls mode. */
export interface AgentContext {
  returnCalls?: boolean;
}

export interface AgentTransition {
  state: AgentState;
  effects: AgentEffect[];
}

/** Thrown for a transition the machine does not allow; the API answers 409 ILLEGAL_TRANSITION. */
export class IllegalAgentTransitionError extends Error {
  constructor(
    readonly from: AgentState,
    readonly event: AgentEventType,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'IllegalAgentTransitionError';
  }
}

const E = {
  originatePhone: { type: 'originatePhone' },
  hangupPhone: { type: 'hangupPhone' },
  playHold: { type: 'playHold' },
  stopHold: { type: 'stopHold' },
  beep: { type: 'beep' },
  bridge: { type: 'bridge' },
  screenPop: { type: 'screenPop' },
  holdCustomer: { type: 'holdCustomer' },
  unholdCustomer: { type: 'unholdCustomer' },
  hangupCustomer: { type: 'hangupCustomer' },
  transferCustomer: { type: 'transferCustomer' },
  enqueue: { type: 'enqueueReady', keepSince: false, pool: 'ready' },
  requeue: { type: 'enqueueReady', keepSince: true, pool: 'ready' },
  enqueueRc: { type: 'enqueueReady', keepSince: false, pool: 'return_calls' },
  requeueRc: { type: 'enqueueReady', keepSince: true, pool: 'return_calls' },
  dequeue: { type: 'dequeueReady' },
  saveUnsaved: { type: 'saveUnsaved' },
  recordDisposition: { type: 'recordDisposition' },
  clearCall: { type: 'clearCall' },
} as const satisfies Record<string, AgentEffect>;

type Rule = AgentTransition | ((e: AgentEvent, ctx: AgentContext) => AgentTransition);
const t = (state: AgentState, ...effects: AgentEffect[]): AgentTransition => ({ state, effects });

/** Which state each direct state change leads to, with the queue change it needs (enqueueing leaves the other pool). */
function setFrom(from: SettableState) {
  return (e: AgentEvent): AgentTransition => {
    const to = (e as { state: SettableState }).state;
    if (to === from) throw new IllegalAgentTransitionError(from, 'set_state', `the agent is already ${from.replace('_', ' ')}`);
    if (to === 'ready') return t('ready', E.enqueue);
    if (to === 'return_calls') return t('return_calls', E.enqueueRc);
    return from === 'ready' || from === 'return_calls' ? t(to, E.dequeue) : t(to);
  };
}

function dispose(e: AgentEvent, ctx: AgentContext): AgentTransition {
  switch ((e as { next: NextState }).next) {
    case 'continue':
      return ctx.returnCalls
        ? t('return_calls', E.recordDisposition, E.clearCall, E.enqueueRc)
        : t('ready', E.recordDisposition, E.clearCall, E.enqueue);
    case 'return_calls':
      return t('return_calls', E.recordDisposition, E.clearCall, E.enqueueRc);
    case 'break':
      return t('break', E.recordDisposition, E.clearCall);
    case 'away':
      return t('away', E.recordDisposition, E.clearCall);
    case 'end':
      return t('logged_out', E.recordDisposition, E.clearCall, E.hangupPhone);
  }
}

const TABLE: Record<AgentState, Partial<Record<AgentEventType, Rule>>> = {
  logged_out: {
    login: t('connecting', E.originatePhone),
  },
  connecting: {
    phone_answered: (_e, ctx) => (ctx.returnCalls ? t('return_calls', E.playHold, E.enqueueRc) : t('ready', E.playHold, E.enqueue)),
    phone_ended: t('logged_out'),
    logout: t('logged_out', E.hangupPhone),
  },
  ready: {
    reserve: t('reserved', E.dequeue),
    set_state: setFrom('ready'),
    logout: t('logged_out', E.dequeue, E.hangupPhone),
    idle_timeout: t('logged_out', E.dequeue, E.hangupPhone),
    phone_ended: t('logged_out', E.dequeue),
  },
  return_calls: {
    reserve: t('reserved', E.dequeue),
    set_state: setFrom('return_calls'),
    logout: t('logged_out', E.dequeue, E.hangupPhone),
    idle_timeout: t('logged_out', E.dequeue, E.hangupPhone),
    phone_ended: t('logged_out', E.dequeue),
  },
  reserved: {
    release: (_e, ctx) => (ctx.returnCalls ? t('return_calls', E.requeueRc) : t('ready', E.requeue)),
    // The beep before the hold music stops: both drivers' beep() ends what plays, and FreeSWITCH's writes it over
    // the hold music (uuid_displace) only while that still plays. Stopped first, the beep was a timed playback of its
    // own right after one ended, the order that can leave a playback's service thread on the agent's leg for good,
    // taking the bridge's reads (lib/telephony/drivers/freeswitch/detect.ts BEEP_POLL_MS; seen in every campaign
    // connect's FreeSWITCH log as playback(tone_stream://…) on the agent's leg). stopHold after it finds nothing playing.
    connect: t('talking', E.beep, E.stopHold, E.bridge, E.screenPop),
    phone_ended: t('logged_out', E.clearCall),
  },
  talking: {
    customer_ended: t('wrap_up', E.playHold),
    hangup_customer: t('wrap_up', E.hangupCustomer, E.playHold),
    transfer: t('wrap_up', E.transferCustomer, E.playHold),
    hold: t('talking', E.holdCustomer),
    unhold: t('talking', E.unholdCustomer),
    phone_ended: t('logged_out', E.saveUnsaved, E.hangupCustomer, E.clearCall),
  },
  wrap_up: {
    dispose,
    logout: t('logged_out', E.saveUnsaved, E.clearCall, E.hangupPhone),
    idle_timeout: t('logged_out', E.saveUnsaved, E.clearCall, E.hangupPhone),
    phone_ended: t('logged_out', E.saveUnsaved, E.clearCall),
  },
  break: {
    set_state: setFrom('break'),
    logout: t('logged_out', E.hangupPhone),
    idle_timeout: t('logged_out', E.hangupPhone),
    phone_ended: t('logged_out'),
  },
  away: {
    set_state: setFrom('away'),
    logout: t('logged_out', E.hangupPhone),
    idle_timeout: t('logged_out', E.hangupPhone),
    phone_ended: t('logged_out'),
  },
};

/** Why an event is refused in a state, for people. */
function refusal(from: AgentState, event: AgentEvent): string {
  const what = event.type === 'set_state' ? `set state ${event.state}` : event.type.replace(/_/g, ' ');
  const hints: Partial<Record<AgentState, string>> = {
    logged_out: 'the agent is logged out; log in first',
    connecting: "the agent's phone is still being called",
    reserved: 'a customer is being connected to the agent',
    talking: 'the agent is on a call',
    wrap_up: 'the agent is in wrap-up; submit a disposition with the next state',
  };
  return `cannot ${what} while ${from.replace('_', '-')}${hints[from] ? `: ${hints[from]}` : ''}`;
}

/** The guarded transition: the next state and the effects to carry out, or IllegalAgentTransitionError. */
export function transition(from: AgentState, event: AgentEvent, ctx: AgentContext = {}): AgentTransition {
  const rule = TABLE[from][event.type];
  if (!rule) throw new IllegalAgentTransitionError(from, event.type, refusal(from, event));
  return typeof rule === 'function' ? rule(event, ctx) : rule;
}

/** Whether the agent is in return-calls mode after a transition to `to` (kept through reserved, talking and wrap-up). */
export function returnCallsAfter(to: AgentState, before: boolean): boolean {
  if (to === 'return_calls') return true;
  if (to === 'reserved' || to === 'talking' || to === 'wrap_up' || to === 'connecting') return before;
  return false;
}

/** True when the agent has a live phone leg in this state. */
export const hasPhone = (s: AgentState): boolean => s !== 'logged_out';

/** True when the agent has a customer call (current or awaiting its disposition). */
export const hasCall = (s: AgentState): boolean => s === 'reserved' || s === 'talking' || s === 'wrap_up';

export const isAgentState = (s: string): s is AgentState => (AGENT_STATES as readonly string[]).includes(s);
