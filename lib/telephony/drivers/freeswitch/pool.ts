/**
 * The media-server pool: one fsmrf MediaServer per configured FreeSWITCH;
 * each new leg goes to the least loaded connected one. Load is the larger of
 * our own live endpoints there and FreeSWITCH's HEARTBEAT session count (other
 * dialers may share the server), relative to its max-sessions.
 */
import type { FreeswitchMediaServerConfig } from '../../../config/sections/freeswitch';
import type { MediaServerPort } from './ports';

/** FreeSWITCH's default max-sessions (switch.conf.xml) when no HEARTBEAT came yet. */
export const DEFAULT_MAX_SESSIONS = 1000;

export interface PoolMember {
  readonly cfg: FreeswitchMediaServerConfig;
  readonly ms: MediaServerPort;
  /** Our call legs on it. */
  legs: number;
}

export class MediaServerPool {
  private readonly members: PoolMember[] = [];

  add(cfg: FreeswitchMediaServerConfig, ms: MediaServerPort): PoolMember {
    const m: PoolMember = { cfg, ms, legs: 0 };
    this.members.push(m);
    return m;
  }

  /** The member for a new leg, or undefined when none is connected with room. */
  pick(filter: (m: PoolMember) => boolean = () => true): PoolMember | undefined {
    let best: PoolMember | undefined;
    let bestScore = Infinity;
    for (const m of this.members) {
      if (!m.ms.connected || !filter(m)) continue;
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

  all(): readonly PoolMember[] {
    return this.members;
  }

  connectedCount(): number {
    return this.members.filter((m) => m.ms.connected).length;
  }

  disconnectAll(): void {
    for (const m of this.members) m.ms.disconnect();
    this.members.length = 0;
  }
}
