/**
 * Completed breaks for the pacing estimator (predictive's `breakLaw`, lib/pacing/break-law.ts). A campaign's tick reads
 * the agents of its groups on a break (the desk's `break` state, with its since-time) and registers them here; the
 * agent's leaving `break` ends it: that ending is the `breakEnded` event fed to each campaign that saw the agent on it,
 * `returned` unless the agent logged out from the break (logout or the idle timeout): an agent who does not come back
 * is part of the law too. A break no campaign's tick saw feeds nobody (its agent was in no campaign's pacing). Pure: no
 * I/O, no clock.
 */
import type { BreakSnapshot } from '../../pacing/types';

export interface BreakEnded {
  campaignId: string;
  event: { type: 'breakEnded'; at: number; breakMs: number; returned: boolean; agentId: string };
}

interface Entry {
  since: number;
  campaigns: Set<string>;
}

export class BreakFeed {
  private readonly agents = new Map<string, Entry>();

  /** A campaign's tick saw these agents on a break (those without an id cannot be followed, and are skipped). */
  seen(campaignId: string, onBreak: readonly BreakSnapshot[]): void {
    for (const b of onBreak) {
      if (b.agentId === undefined || !Number.isFinite(b.since)) continue;
      const e = this.agents.get(b.agentId);
      // A different since: a new break (the last one's end was missed); it starts over.
      if (!e || e.since !== b.since) this.agents.set(b.agentId, { since: b.since, campaigns: new Set([campaignId]) });
      else e.campaigns.add(campaignId);
    }
  }

  /** An agent state change; returns the break that ended, once per campaign that saw it, if this change ends one. */
  agentState(e: { agentId: string; from: string; to: string; at: number }): BreakEnded[] {
    if (e.from !== 'break') return [];
    const b = this.agents.get(e.agentId);
    if (!b) return [];
    this.agents.delete(e.agentId);
    const breakMs = Math.max(0, e.at - b.since);
    const returned = e.to !== 'logged_out';
    return [...b.campaigns].map((campaignId) => ({
      campaignId,
      event: { type: 'breakEnded', at: e.at, breakMs, returned, agentId: e.agentId },
    }));
  }

  /** Agents followed now (on a break seen by some campaign). */
  get size(): number {
    return this.agents.size;
  }
}
