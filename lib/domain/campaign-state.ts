/**
 * The campaign life cycle of seed 000 (CLOVA AiCall "run control"):
 *
 *   draft ("before start") ──start──▶ running ──pause──▶ paused ──resume──▶ running
 *   running ──complete──▶ completed          (every number dialed and resulted)
 *   paused | draft ──close──▶ closed         (stopped for good; outbound data removed)
 *
 * One guarded transition function; effects are data that the store (and later
 * the runtime) carries out.
 */
export const CAMPAIGN_STATES = ['draft', 'running', 'paused', 'completed', 'closed'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export const CAMPAIGN_EVENTS = ['start', 'pause', 'resume', 'complete', 'close'] as const;
export type CampaignEvent = (typeof CAMPAIGN_EVENTS)[number];

export type CampaignEffect =
  /** The runner may claim contacts and place calls. */
  | { type: 'startDialing' }
  /** The runner stops placing new calls; calls in progress finish. */
  | { type: 'stopDialing' }
  /** List→group allocation is fixed from the first start on (seed 001). */
  | { type: 'freezeAllocation' }
  /** Attached lists are released (their `list-users` entries removed). */
  | { type: 'releaseLists' }
  /** Queues and in-flight data of the campaign are removed (seed 000: "outbound data removed"). */
  | { type: 'purgeOutbound' }
  /** Tell subscribers (SSE, webhooks) the new state. */
  | { type: 'publish'; event: `campaign.${CampaignState}` };

export interface Transition {
  state: CampaignState;
  effects: CampaignEffect[];
}

/** Thrown for a transition the life cycle does not allow; the API answers 409 ILLEGAL_TRANSITION. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: CampaignState,
    readonly event: CampaignEvent,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'IllegalTransitionError';
  }
}

const TABLE: Record<CampaignState, Partial<Record<CampaignEvent, Transition>>> = {
  draft: {
    start: { state: 'running', effects: [{ type: 'freezeAllocation' }, { type: 'startDialing' }] },
    close: { state: 'closed', effects: [{ type: 'releaseLists' }, { type: 'purgeOutbound' }] },
  },
  running: {
    pause: { state: 'paused', effects: [{ type: 'stopDialing' }] },
    complete: { state: 'completed', effects: [{ type: 'stopDialing' }] },
  },
  paused: {
    resume: { state: 'running', effects: [{ type: 'startDialing' }] },
    close: { state: 'closed', effects: [{ type: 'releaseLists' }, { type: 'purgeOutbound' }] },
  },
  completed: {},
  closed: {},
};

/** Why an event is refused in a state, in words an operator understands. */
function refusal(state: CampaignState, event: CampaignEvent): string {
  if (state === 'closed') return `the campaign is closed; a closed campaign cannot ${event}`;
  if (state === 'completed') return `the campaign is completed; a completed campaign cannot ${event}`;
  if (event === 'close' && state === 'running') return 'the campaign is running: pause it before closing';
  if (event === 'start') return `the campaign is ${state}; only a draft campaign can start (use resume for a paused one)`;
  if (event === 'resume') return `the campaign is ${state}; only a paused campaign can resume`;
  if (event === 'pause') return `the campaign is ${state}; only a running campaign can pause`;
  if (event === 'complete') return `the campaign is ${state}; only a running campaign can complete`;
  return `the campaign is ${state}; it cannot ${event}`;
}

/** The one guarded transition: new state and effects, or IllegalTransitionError. */
export function transition(state: CampaignState, event: CampaignEvent): Transition {
  const t = TABLE[state]?.[event];
  if (!t) throw new IllegalTransitionError(state, event, refusal(state, event));
  return {
    state: t.state,
    effects: [...t.effects, { type: 'publish', event: `campaign.${t.state}` }],
  };
}

export const canTransition = (state: CampaignState, event: CampaignEvent): boolean => Boolean(TABLE[state]?.[event]);

/**
 * Fields an operator may change while paused: seed 000's retry count, period and
 * caller ID, and with them what decides when and how a number is rung (hours,
 * retry rules, ring timeout, callback grace) — none of these touch calls in flight.
 */
export const EDITABLE_WHILE_PAUSED = [
  'maxAttempts',
  'period',
  'callerId',
  'presentCallerId',
  'hours',
  'retryIntervalSec',
  'retryPolicy',
  'ringTimeoutSec',
  'callbackOwnerGraceSec',
] as const;

/**
 * Whether a field edit is allowed in a state; `undefined` when it is, else the
 * reason (the API answers 409 CONFLICT with it).
 */
export function editRefusal(state: CampaignState, fields: readonly string[]): string | undefined {
  if (state === 'draft') return undefined;
  if (state === 'running') return 'the campaign is running: pause it before editing';
  if (state === 'paused') {
    const bad = fields.filter((f) => !(EDITABLE_WHILE_PAUSED as readonly string[]).includes(f));
    if (bad.length === 0) return undefined;
    return `while paused only ${EDITABLE_WHILE_PAUSED.join(', ')} may change; refused: ${bad.join(', ')}`;
  }
  return `the campaign is ${state} and can no longer be edited`;
}

/** Deletion: only a campaign that has never run, or is over. */
export function deleteRefusal(state: CampaignState): string | undefined {
  if (state === 'running') return 'the campaign is running: pause and close it before deleting';
  if (state === 'paused') return 'the campaign is paused: close it before deleting';
  return undefined;
}
