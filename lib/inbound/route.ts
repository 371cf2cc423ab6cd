/**
 * Inbound routes (issue 18; seed 004's incoming-call routing): each called
 * number (DID) — typically a campaign's caller ID, so people who missed an
 * automatic call can ring back — has a weekly business-hours schedule,
 * holidays and a temporary override, and one action per band. Pure: types,
 * validation naming the field, and the decision for an instant.
 */
import { DateTime } from 'luxon';

/** Where a forward goes: a SIP URI (sip:user@ip[:port]) or a number dialled through a trunk. */
export interface ForwardTarget {
  to: string;
  /** Trunk for a number (default: the first trunk). Ignored for SIP URIs. */
  trunk?: string;
}

export type InboundAction =
  /**
   * Ring the agent group: the longest-idle agent of the groups taking return
   * calls (state return_calls) takes the call with a screen pop; with
   * `agentPool` return-calls-first (default) the longest-idle ready (campaign)
   * agent when none is, with return-calls-only nobody else (seed 001: agents
   * waiting on a call job get no inbound calls). `busy`: every agent of the groups is busy (or none
   * is logged in) → forward at once. `noAnswer`: no agent took it within
   * `afterSec` (default 20, seed 004) → forward. Without either, the caller waits
   * `afterSec` on hold music and then hears `message` (if any) and is hung up.
   */
  | {
      type: 'agents';
      groups: string[];
      afterSec?: number;
      agentPool?: AgentPool;
      noAnswer?: ForwardTarget;
      busy?: ForwardTarget;
      message?: string;
    }
  /** Answer and play an audio file (WAV/raw the driver can read), then hang up. */
  | { type: 'message'; file: string; dncDigit?: string }
  /** Forward unconditionally (B2BUA: a new leg out, bridged when it answers). */
  | { type: 'forward'; to: string; trunk?: string }
  /** A voice bot / IVR at a SIP URI (forwarded like `forward`; emits the "handled by IVR" notice). */
  | { type: 'ivr'; uri: string };

export const AGENT_POOLS = ['return-calls-first', 'return-calls-only'] as const;
export type AgentPool = (typeof AGENT_POOLS)[number];

/** The agent queues an `agents` action reserves from, in order (lib/store/agent-live.ts pools). */
export function poolsOf(a: Extract<InboundAction, { type: 'agents' }>): ('return_calls' | 'ready')[] {
  return a.agentPool === 'return-calls-only' ? ['return_calls'] : ['return_calls', 'ready'];
}

export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface Band {
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  days: Weekday[];
  /** HH:MM, inclusive. */
  start: string;
  /** HH:MM, exclusive; "24:00" = end of day; an end before start runs past midnight. */
  end: string;
  action: InboundAction;
}

export interface Override {
  action: InboundAction;
  /** ISO 8601 instant the override ends (required: an override never stays by mistake). */
  until: string;
  /** ISO 8601 instant it starts; default: when it was set. */
  from?: string;
  reason?: string;
}

export interface InboundRoute {
  /** The called number, E.164 (normalised on write). */
  did: string;
  name?: string;
  /** Accept the DID only from this trunk (by source address); any configured trunk/peer when absent. */
  trunk?: string;
  /** IANA zone the bands and holidays are in. */
  timeZone: string;
  bands: Band[];
  /** YYYY-MM-DD dates (in timeZone) treated as closed. */
  holidays: string[];
  /** Outside every band and on holidays. */
  closed: InboundAction;
  /** Holidays only (default: `closed`). */
  holiday?: InboundAction;
  override?: Override;
  /** A return call from a contact counts as contact made: the contact's pending retries are closed. */
  closeRetries: boolean;
  /** The campaign whose caller ID this is (for reports and linking; contacts are matched across every list). */
  campaignId?: string;
}

export type Decided = { action: InboundAction; by: 'override' | 'band' | 'holiday' | 'closed'; band?: number };

const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;
const minutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** Which action applies at `now` (epoch ms): override, then holiday, then the first band that holds, else closed. */
export function decide(route: InboundRoute, now: number): Decided {
  const o = route.override;
  if (o && now < Date.parse(o.until) && (!o.from || now >= Date.parse(o.from))) return { action: o.action, by: 'override' };
  const local = DateTime.fromMillis(now, { zone: route.timeZone });
  const date = local.toISODate()!;
  if (route.holidays.includes(date)) return { action: route.holiday ?? route.closed, by: 'holiday' };
  const min = local.hour * 60 + local.minute;
  const day = local.weekday as Weekday;
  const prevDay = (day === 1 ? 7 : day - 1) as Weekday;
  for (let i = 0; i < route.bands.length; i++) {
    const b = route.bands[i]!;
    const s = minutes(b.start);
    const e = minutes(b.end);
    if (s < e) {
      if (b.days.includes(day) && min >= s && min < e) return { action: b.action, by: 'band', band: i };
    } else {
      // Past midnight: the evening part belongs to the band's day, the early-morning part to the day before's band.
      if ((b.days.includes(day) && min >= s) || (b.days.includes(prevDay) && min < e)) return { action: b.action, by: 'band', band: i };
    }
  }
  return { action: route.closed, by: 'closed' };
}

/** An override still in force at `now` (expired ones are dropped on read). */
export function activeOverride(route: InboundRoute, now: number): Override | undefined {
  return route.override && now < Date.parse(route.override.until) ? route.override : undefined;
}

export class RouteInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RouteInputError';
  }
}

const ACTION_FIELDS: Record<string, string[]> = {
  agents: ['type', 'groups', 'afterSec', 'agentPool', 'noAnswer', 'busy', 'message'],
  message: ['type', 'file', 'dncDigit'],
  forward: ['type', 'to', 'trunk'],
  ivr: ['type', 'uri'],
};

const SIP_URI = /^sips?:[^@\s]+@[^\s]+$/;
const NUMBER = /^\+?[0-9*#]{1,32}$/;

/** Checks what a JSON Schema cannot: zones, times, dates, targets. Throws RouteInputError naming the field. */
export function validateAction(a: InboundAction, field: string, trunks: readonly string[]): void {
  const target = (t: ForwardTarget, f: string) => {
    if (!SIP_URI.test(t.to) && !NUMBER.test(t.to.replace(/[\s()-]/g, '')))
      throw new RouteInputError(`${f}.to`, `"${t.to}" is neither a SIP URI (sip:user@host) nor a dialable number`);
    if (t.trunk !== undefined && !trunks.includes(t.trunk))
      throw new RouteInputError(`${f}.trunk`, `unknown trunk "${t.trunk}" (configured: ${trunks.join(', ') || 'none'})`);
  };
  const allowed = ACTION_FIELDS[a.type];
  if (!allowed) throw new RouteInputError(`${field}.type`, `"${String(a.type)}" is not one of ${Object.keys(ACTION_FIELDS).join(', ')}`);
  for (const k of Object.keys(a))
    if (!allowed.includes(k))
      throw new RouteInputError(`${field}.${k}`, `is not a property of a "${a.type}" action (${allowed.join(', ')})`);
  const need = (k: string) => {
    if ((a as unknown as Record<string, unknown>)[k] === undefined)
      throw new RouteInputError(`${field}.${k}`, `is required for a "${a.type}" action`);
  };
  switch (a.type) {
    case 'agents':
      need('groups');
      if (a.groups.length === 0) throw new RouteInputError(`${field}.groups`, 'needs at least one agent group');
      if (a.afterSec !== undefined && !(a.afterSec >= 1 && a.afterSec <= 600))
        throw new RouteInputError(`${field}.afterSec`, 'must be 1–600 seconds');
      if (a.agentPool !== undefined && !(AGENT_POOLS as readonly string[]).includes(a.agentPool))
        throw new RouteInputError(`${field}.agentPool`, `"${String(a.agentPool)}" is not one of ${AGENT_POOLS.join(', ')}`);
      if (a.noAnswer) target(a.noAnswer, `${field}.noAnswer`);
      if (a.busy) target(a.busy, `${field}.busy`);
      return;
    case 'message':
      need('file');
      if (a.dncDigit !== undefined && !/^[0-9*#]$/.test(a.dncDigit))
        throw new RouteInputError(`${field}.dncDigit`, 'must be one DTMF digit (0-9, *, #)');
      return;
    case 'forward':
      need('to');
      return target(a, field);
    case 'ivr':
      need('uri');
      if (!SIP_URI.test(a.uri)) throw new RouteInputError(`${field}.uri`, `"${a.uri}" is not a SIP URI`);
      return;
  }
}

export function validateRoute(r: InboundRoute, trunks: readonly string[], now: number): void {
  if (!DateTime.local().setZone(r.timeZone).isValid) throw new RouteInputError('timeZone', `"${r.timeZone}" is not an IANA time zone`);
  if (r.trunk !== undefined && !trunks.includes(r.trunk))
    throw new RouteInputError('trunk', `unknown trunk "${r.trunk}" (configured: ${trunks.join(', ') || 'none'})`);
  r.bands.forEach((b, i) => {
    for (const k of ['start', 'end'] as const)
      if (!HHMM.test(b[k])) throw new RouteInputError(`bands[${i}].${k}`, `"${b[k]}" is not HH:MM (00:00–24:00)`);
    if (b.start === b.end) throw new RouteInputError(`bands[${i}].end`, 'equals start (an empty band)');
    validateAction(b.action, `bands[${i}].action`, trunks);
  });
  r.holidays.forEach((d, i) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || !DateTime.fromISO(d).isValid)
      throw new RouteInputError(`holidays[${i}]`, `"${d}" is not a YYYY-MM-DD date`);
  });
  validateAction(r.closed, 'closed', trunks);
  if (r.holiday) validateAction(r.holiday, 'holiday', trunks);
  if (r.override) validateOverride(r.override, trunks, now);
}

export function validateOverride(o: Override, trunks: readonly string[], now: number, field = 'override'): void {
  const until = Date.parse(o.until);
  if (!Number.isFinite(until) || !/T/.test(o.until))
    throw new RouteInputError(`${field}.until`, `"${o.until}" is not an ISO 8601 date-time`);
  if (until <= now) throw new RouteInputError(`${field}.until`, `"${o.until}" is in the past`);
  if (o.from !== undefined) {
    const from = Date.parse(o.from);
    if (!Number.isFinite(from)) throw new RouteInputError(`${field}.from`, `"${o.from}" is not an ISO 8601 date-time`);
    if (from >= until) throw new RouteInputError(`${field}.from`, 'must be before until');
  }
  validateAction(o.action, `${field}.action`, trunks);
}
