/**
 * Wrap-up times for the pacing estimator, with the talk each one follows. An agent reserved for a campaign's call
 * is tracked; the call's close gives the talk length, the agent's wrap_up state its start, and leaving wrap_up
 * ends it: that ending is the `wrapEnded` event fed to that campaign's estimator. Predictive keeps the wrap-up law
 * per class of the talk before it (a machine put through by mistake is hung up on in seconds and needs almost no
 * wrap-up; pairing its wrap-up with long talks made agents look free too early). Pure: no I/O, no clock.
 */
export interface WrapEnded {
  campaignId: string;
  event: { type: 'wrapEnded'; at: number; wrapMs: number; talkMs?: number; agentId: string };
}

interface Entry {
  campaignId: string;
  since?: number;
  talkMs?: number;
}

export class WrapUpFeed {
  private readonly agents = new Map<string, Entry>();

  /** The agent is reserved for a call of `campaignId` (a new call: what was known of the last one is dropped). */
  reserved(agentId: string, campaignId: string): void {
    this.agents.set(agentId, { campaignId });
  }

  /** The call the agent took for `campaignId` ended after `talkMs` of talk (from bridge to end). */
  talkEnded(agentId: string, campaignId: string, talkMs: number): void {
    const e = this.agents.get(agentId);
    if (e && e.campaignId === campaignId && Number.isFinite(talkMs)) e.talkMs = Math.max(0, talkMs);
  }

  /** An agent state change; returns the wrap-up that ended, if this change ends one of a tracked agent. */
  agentState(e: { agentId: string; from: string; to: string; at: number }): WrapEnded | undefined {
    const w = this.agents.get(e.agentId);
    if (!w) return undefined;
    if (e.to === 'wrap_up') {
      w.since = e.at;
      return undefined;
    }
    if (e.from !== 'wrap_up' || w.since === undefined) return undefined;
    this.agents.delete(e.agentId);
    return {
      campaignId: w.campaignId,
      event: {
        type: 'wrapEnded',
        at: e.at,
        wrapMs: e.at - w.since,
        ...(w.talkMs !== undefined ? { talkMs: w.talkMs } : {}),
        // Whose wrap-up it was: predictive's agentPace learns each agent's own pace from it (agent-pace.ts).
        agentId: e.agentId,
      },
    };
  }

  /** Agents of `campaignId` in wrap-up now. */
  inWrapUp(campaignId: string): number {
    let n = 0;
    for (const w of this.agents.values()) if (w.campaignId === campaignId && w.since !== undefined) n++;
    return n;
  }
}
