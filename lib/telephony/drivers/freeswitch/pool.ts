/**
 * The media-server pool: one fsmrf MediaServer per configured FreeSWITCH;
 * each new leg goes to the least loaded connected, active one. Load is the
 * larger of our own live endpoints there and FreeSWITCH's HEARTBEAT session
 * count (other dialers may share the server), relative to its max-sessions.
 *
 * Draining (an operator takes a FreeSWITCH out for maintenance): a draining
 * member gets no new legs, its legs go on until they end, and with the last
 * one it leaves the pool (its event socket is closed). A member whose event
 * socket dropped (FreeSWITCH died or restarts) gets no new legs either; its
 * legs end through their own endpoints (driver.ts), and it takes calls again
 * once fsmrf has reconnected. So does a member that is connected but silent
 * (no HEARTBEAT for `mediaServerSilenceMs`: a hung process, a partition that
 * TCP has not noticed yet) until it is heard again; the driver ends its legs.
 * A member that has left a call's set-up request unanswered past
 * `mediaServerStallMs` (stall.ts) gets no new legs until that request is
 * answered: silence takes `mediaServerSilenceMs` (a minute by default) to show
 * a hung FreeSWITCH, and each call offered to it meanwhile would hold the
 * runner's tick, which awaits every originate, for the bound.
 */
import type { FreeswitchMediaServerConfig } from '../../../config/sections/freeswitch';
import type { MediaServerStatus } from '../../contract';
import type { MediaServerPort } from './ports';

/** FreeSWITCH's default max-sessions (switch.conf.xml) when no HEARTBEAT came yet. */
export const DEFAULT_MAX_SESSIONS = 1000;

export type MemberState = 'active' | 'draining' | 'left';

export interface PoolMember {
  /** `name` from the config, else `address:port`: how the API and the logs call it. */
  readonly name: string;
  readonly cfg: FreeswitchMediaServerConfig;
  readonly ms: MediaServerPort;
  /** Our call legs on it. */
  legs: number;
  state: MemberState;
  /** No new legs before this time (it failed to create an endpoint). */
  backoffUntil: number;
  /** When FreeSWITCH was last heard from on the event socket (a HEARTBEAT, a (re)connect). */
  heardAt: number;
  /** Connected, but nothing heard for `mediaServerSilenceMs`: treated as down until heard again. */
  silent: boolean;
  /** Set-up requests it has left unanswered past `mediaServerStallMs` and not answered yet (stall.ts). */
  overdue: number;
  /** One of those failed without an answer: no new legs until FreeSWITCH is heard again (stall.ts). */
  unheard: boolean;
  /** The driver's silence check (its clock's handle). */
  silenceTimer?: unknown;
}

/** The name a configured media server goes by. */
export function memberName(cfg: Pick<FreeswitchMediaServerConfig, 'address' | 'port'> & { name?: string }): string {
  return cfg.name || `${cfg.address}:${cfg.port}`;
}

export class MediaServerPool {
  private readonly members: PoolMember[] = [];

  /** Called with a member that has just left the pool (drained). */
  onLeft: (m: PoolMember) => void = () => undefined;

  add(cfg: FreeswitchMediaServerConfig, ms: MediaServerPort): PoolMember {
    const m: PoolMember = {
      name: memberName(cfg),
      cfg,
      ms,
      legs: 0,
      state: 'active',
      backoffUntil: 0,
      heardAt: 0,
      silent: false,
      overdue: 0,
      unheard: false,
    };
    this.members.push(m);
    return m;
  }

  /** The member for a new leg, or undefined when no active one is connected with room (and not backing off at `now`). */
  pick(now: number, filter: (m: PoolMember) => boolean = () => true): PoolMember | undefined {
    let best: PoolMember | undefined;
    let bestScore = Infinity;
    for (const m of this.members) {
      if (m.state !== 'active' || !up(m) || isStalled(m) || m.backoffUntil > now || !filter(m)) continue;
      const load = m.ms.load();
      const max = load.maxSessions > 0 ? load.maxSessions : DEFAULT_MAX_SESSIONS;
      const used = Math.max(m.legs, load.sessions);
      if (used >= max) continue;
      const score = used / max;
      if (score < bestScore) {
        best = m;
        bestScore = score;
      }
    }
    return best;
  }

  /** A leg was placed on `m`. */
  acquire(m: PoolMember): void {
    m.legs++;
  }

  /** A leg on `m` is gone: a draining member leaves with its last leg. */
  release(m: PoolMember): void {
    m.legs = Math.max(0, m.legs - 1);
    this.leaveIfDrained(m);
  }

  /** Marks a member draining (no new legs); it leaves now when it has none. Undefined for an unknown name. */
  drain(name: string): PoolMember | undefined {
    const m = this.members.find((x) => x.name === name);
    if (!m) return undefined;
    if (m.state === 'active') m.state = 'draining';
    this.leaveIfDrained(m);
    return m;
  }

  all(): readonly PoolMember[] {
    return this.members;
  }

  /** Connected members that take new legs (a stalled one takes none). */
  connectedCount(): number {
    return this.members.filter((m) => m.state === 'active' && up(m) && !isStalled(m)).length;
  }

  status(): MediaServerStatus[] {
    return this.members.map(statusOf);
  }

  disconnectAll(): void {
    for (const m of this.members) m.ms.disconnect();
    this.members.length = 0;
  }

  private leaveIfDrained(m: PoolMember): void {
    if (m.state !== 'draining' || m.legs > 0) return;
    m.state = 'left';
    const i = this.members.indexOf(m);
    if (i >= 0) this.members.splice(i, 1);
    m.ms.disconnect();
    this.onLeft(m);
  }
}

/** No new calls: a set-up request to it is overdue, or one failed after the bound (stall.ts) and it has not been heard since. */
export function isStalled(m: PoolMember): boolean {
  return m.overdue > 0 || m.unheard;
}

/** FreeSWITCH spoke on the event socket: a member out only for a request that failed overdue is back. True when it was. */
export function heardAgain(m: PoolMember): boolean {
  if (!m.unheard) return false;
  m.unheard = false;
  return m.overdue === 0;
}

/** Its event socket is connected and FreeSWITCH is heard on it. */
export function up(m: PoolMember): boolean {
  return m.ms.connected && !m.silent;
}

export function statusOf(m: PoolMember): MediaServerStatus {
  const load = m.ms.load();
  return {
    name: m.name,
    address: m.cfg.address,
    port: m.cfg.port,
    state: m.state,
    connected: m.state !== 'left' && up(m),
    legs: m.legs,
    sessions: load.sessions,
    maxSessions: load.maxSessions,
  };
}
