/**
 * Which live dialer process drives which running campaign: weighted
 * rendezvous hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam,
 * "Consistent Hashing with Bounded Loads", 2018), computed by every process
 * from the same inputs (the running campaigns, the registry), so they agree
 * without talking. Pure: no I/O.
 *
 * Why bounds: plain rendezvous hashing spreads many campaigns evenly, but a
 * handful of campaigns lands where the hash says, and with agents that is
 * wrong. An agent's phone leg lives in the process that logged the agent in
 * (scale.localAgents), so a campaign with agents can only be served by the
 * agents of the process driving it: after a takeover one process carried both
 * agent campaigns while another's agents sat idle for about 70 s
 * (test/e2e/scale/fault.test.ts). So:
 *  - a campaign with agents goes to a process holding logged-in agents of its
 *    groups (when any does), by rendezvous score weighted by that number of
 *    agents, but no process takes more than its share, rounded up, of the
 *    agent campaigns that compete for those agents: ceil(n · w / W), n those
 *    campaigns, w this process's agents of them, W all processes' agents of
 *    them;
 *  - a campaign without agents goes by rendezvous score weighted by capacity,
 *    but no process holds more than its share of all campaigns (those with
 *    agents included: they use its channels too), ceil(N · capacity / total
 *    capacity);
 *  - where every candidate is at its bound (overlapping groups, or agent
 *    campaigns that only one process can serve, can make the bounds
 *    infeasible), the least filled against its bound takes it: a bound
 *    spreads work, it never leaves a campaign without a process.
 * A campaign stays with the process holding its lease while that process is
 * a candidate within its bound: moving a campaign drains its calls first, so
 * a campaign ending elsewhere must not send the others back and forth. So a
 * process that joins takes campaigns only as the bounds require, and one
 * that leaves gives its campaigns to the best-ranked process with room.
 * Campaigns are placed in a fixed order (with agents first; in each kind
 * those kept by their holders first; then by id), so every process gets the
 * same answer from the same inputs.
 * Plain rendezvous hashing (`ownerOf`) is the case of one campaign.
 */
import { createHash } from 'node:crypto';

export interface PlacementMember {
  owner: string;
  /** Calls it can carry: its weight for campaigns without agents. */
  capacity: number;
  healthy: boolean;
  /**
   * Agents logged in at this process, counted by group set: key = the
   * agent's groups sorted and joined with "," (an agent in two groups is
   * counted once, under both). Absent: this process does not say (agents
   * are not local, or an older process).
   */
  agents?: Readonly<Record<string, number>>;
}

export interface PlacementCampaign {
  id: string;
  /** Agent groups it bridges people to; empty for a campaign without agents. */
  groups: readonly string[];
  /** The process holding its runner lease now, if any: it keeps it while within its bound. */
  holder?: string;
}

/** 0 < u < 1 from a hash of campaign and member. */
export function unit(campaignId: string, owner: string): number {
  const h = createHash('sha1').update(`${campaignId}\u0000${owner}`).digest();
  return (h.readUInt32BE(0) + 1) / 4294967297;
}

/** Weighted rendezvous score: the highest -w / ln(u) wins; shares follow w. */
export function score(campaignId: string, owner: string, weight: number): number {
  return -Math.max(weight, 1e-9) / Math.log(unit(campaignId, owner));
}

/** Logged-in agents of a member that can take calls of these groups. */
export function agentsFor(m: PlacementMember, groups: readonly string[]): number {
  if (!m.agents || groups.length === 0) return 0;
  const want = new Set(groups);
  let n = 0;
  for (const [set, count] of Object.entries(m.agents)) if (set.split(',').some((g) => want.has(g))) n += count;
  return n;
}

/** The group-set key an agent is counted under (PlacementMember.agents). */
export function groupSetKey(groups: readonly string[]): string {
  return [...new Set(groups)].sort().join(',');
}

const shares = (groupsA: readonly string[], groupsB: readonly string[]) => groupsA.some((g) => groupsB.includes(g));

/** Campaign id -> owner, for every campaign (none when there is no member). */
export function placeCampaigns(campaigns: readonly PlacementCampaign[], members: readonly PlacementMember[]): Map<string, string> {
  const out = new Map<string, string>();
  const pool = members.some((m) => m.healthy) ? members.filter((m) => m.healthy) : [...members];
  if (pool.length === 0) return out;
  const byId = (a: PlacementCampaign, b: PlacementCampaign) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const withGroups = [...campaigns].filter((c) => c.groups.length > 0).sort(byId);
  const without = [...campaigns].filter((c) => c.groups.length === 0).sort(byId);
  const totalCapacity = pool.reduce((s, m) => s + Math.max(1, m.capacity), 0);
  const load = new Map<string, number>(pool.map((m) => [m.owner, 0]));
  const placedWithAgents: { owner: string; groups: readonly string[] }[] = [];

  /** Places c; with `heldOnly`, only on its holder and only within the holder's bound (else leaves it for later). */
  const place = (c: PlacementCampaign, heldOnly: boolean): void => {
    const withAgents = c.groups.length > 0 ? pool.filter((m) => agentsFor(m, c.groups) > 0) : [];
    const candidates = withAgents.length > 0 ? withAgents : pool;
    const weight = (m: PlacementMember) => (withAgents.length > 0 ? agentsFor(m, c.groups) : Math.max(1, m.capacity));
    const ranked = candidates
      .map((m) => ({ m, s: score(c.id, m.owner, weight(m)) }))
      .sort((a, b) => b.s - a.s || (a.m.owner < b.m.owner ? -1 : 1));
    const rivals = campaigns.filter((x) => x.groups.length > 0 && shares(x.groups, c.groups)).length;
    const allAgents = withAgents.reduce((sum, x) => sum + agentsFor(x, c.groups), 0);
    /** Its load against its bound: above 1 it is over its share. */
    const fill = (m: PlacementMember): number => {
      if (withAgents.length > 0) {
        const mine = placedWithAgents.filter((p) => p.owner === m.owner && shares(p.groups, c.groups)).length;
        return (mine + 1) / Math.ceil((rivals * agentsFor(m, c.groups)) / allAgents);
      }
      return ((load.get(m.owner) ?? 0) + 1) / Math.ceil((campaigns.length * Math.max(1, m.capacity)) / totalCapacity);
    };
    let chosen: PlacementMember | undefined;
    if (heldOnly) chosen = ranked.find((r) => r.m.owner === c.holder && fill(r.m) <= 1)?.m;
    // The best-ranked one within its bound; if none is, the least filled (ties: the best-ranked).
    else chosen = (ranked.find((r) => fill(r.m) <= 1) ?? ranked.reduce((best, r) => (fill(r.m) < fill(best.m) ? r : best))).m;
    if (!chosen) return;
    out.set(c.id, chosen.owner);
    load.set(chosen.owner, (load.get(chosen.owner) ?? 0) + 1);
    if (withAgents.length > 0) placedWithAgents.push({ owner: chosen.owner, groups: c.groups });
  };
  // Campaigns with agents first (fewer places can take them), each class held ones first: every holder keeps
  // what fits its bound before anything moves, so only the campaigns the bounds require move.
  for (const cls of [withGroups, without]) {
    for (const c of cls) if (c.holder !== undefined) place(c, true);
    for (const c of cls) if (!out.has(c.id)) place(c, false);
  }
  return out;
}
