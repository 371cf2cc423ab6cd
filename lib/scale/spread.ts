/**
 * Work spreading over live dialer processes. Each process heartbeats into a
 * registry in Redis with its capacity (channels it can carry) and health
 * (driver health(): active legs); a process that stops beating drops out
 * after `memberTtlMs`. Every process computes the same owner for each
 * campaign by weighted rendezvous hashing over the live members, so:
 *  - a process takes a campaign's runner lease only when it is the campaign's
 *    owner (or the lease has been free for a while: nobody better took it);
 *  - when a process joins, the campaigns it now owns are drained by their
 *    holders (no new calls, the calls in flight end normally) and handed over;
 *  - when one dies, its campaigns' owners change at once and their leases
 *    run out after campaignLeaseMs; the new holder reaps the dead process's
 *    calls in flight (closed with runner.interruptedCode).
 */
import type { Redis, Result } from 'ioredis';
import { keys } from '../store/keys';
import { placeCampaigns, type PlacementCampaign, type PlacementMember } from './placement';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    memberBeat(members: string, info: string, owner: string, ttlMs: number, infoJson: string): Result<string[], Context>;
  }
}

export interface MemberInfo {
  /** Calls this process can carry (weight of its share). */
  capacity: number;
  activeLegs: number;
  healthy: boolean;
  /** Campaign leases it holds. */
  campaigns: number;
  /** Agents logged in here by group set (placement.ts); absent when agents are not local. */
  agents?: Record<string, number>;
}

export interface Member extends MemberInfo {
  owner: string;
}

const memberKeys = { members: keys.global('dialers'), info: keys.global('dialer-info') };

/**
 * Weighted rendezvous hashing for one campaign alone: the member with the
 * highest -w / ln(u) owns it (w = capacity). Removing or adding a member
 * moves only the campaigns it owned or now owns. Unhealthy members own
 * nothing while a healthy one exists. The runner places all running
 * campaigns together with bounded loads (placement.ts), of which this is the
 * case of a single campaign.
 */
export function ownerOf(campaignId: string, members: readonly PlacementMember[]): string | undefined {
  return placeCampaigns([{ id: campaignId, groups: [] }], members).get(campaignId);
}

export interface SpreadOptions {
  owner: string;
  /** Drop out of the registry this long after the last heartbeat. */
  memberTtlMs: number;
  /** Heartbeat at most this often. */
  beatMs: number;
  /** Capacity and health advertised with each heartbeat. */
  advertise: () => Omit<MemberInfo, 'campaigns'>;
}

export class WorkSpread {
  private members: Member[] = [];
  private lastBeat = 0;
  private timer?: NodeJS.Timeout;
  private placement?: Map<string, string>;
  held = 0;
  /** This process's logged-in agents by group set, advertised with each heartbeat (the runner keeps it current). */
  agents?: Record<string, number>;

  constructor(
    private readonly redis: Redis,
    private readonly o: SpreadOptions,
  ) {}

  /**
   * Heartbeats (throttled to beatMs) and refreshes the list of live members.
   * The first call also starts a timer that keeps beating between calls, so a
   * long tick on a busy machine does not make this process look dead.
   */
  async beat(now: number): Promise<void> {
    if (!this.timer && this.o.beatMs > 0) {
      this.timer = setInterval(() => void this.beat(Date.now()).catch(() => undefined), this.o.beatMs);
      this.timer.unref();
    }
    if (now - this.lastBeat < this.o.beatMs) return;
    this.lastBeat = now;
    const info: MemberInfo = { ...this.o.advertise(), campaigns: this.held, ...(this.agents ? { agents: this.agents } : {}) };
    const raw = await this.redis.memberBeat(memberKeys.members, memberKeys.info, this.o.owner, this.o.memberTtlMs, JSON.stringify(info));
    this.members = parseMembers(raw);
  }

  /** Leaves the registry (clean stop): the others take over at once. */
  async leave(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.lastBeat = Number.MAX_SAFE_INTEGER;
    await this.redis.memberBeat(memberKeys.members, memberKeys.info, this.o.owner, this.o.memberTtlMs, '').catch(() => undefined);
  }

  get live(): readonly Member[] {
    return this.members;
  }

  /** Places the running campaigns over the live members (placement.ts); `mine` answers from it. */
  plan(campaigns: readonly PlacementCampaign[]): void {
    this.placement = placeCampaigns(campaigns, this.members);
  }

  /** Should this process drive the campaign? True while the registry is unknown (single process). */
  mine(campaignId: string): boolean {
    if (this.members.length === 0) return true;
    const owner = this.placement?.get(campaignId) ?? ownerOf(campaignId, this.members);
    return owner === undefined || owner === this.o.owner || !this.members.some((m) => m.owner === this.o.owner);
  }
}

export function parseMembers(raw: readonly string[]): Member[] {
  const out: Member[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    let info: Partial<MemberInfo> = {};
    try {
      info = JSON.parse(raw[i + 1]!) as Partial<MemberInfo>;
    } catch {
      // a member with unreadable info still counts, with weight 1
    }
    out.push({
      owner: raw[i]!,
      capacity: Number(info.capacity ?? 1),
      activeLegs: Number(info.activeLegs ?? 0),
      healthy: info.healthy !== false,
      campaigns: Number(info.campaigns ?? 0),
      ...(parseAgents(info.agents) ?? {}),
    });
  }
  return out;
}

/** A member's advertised agents, kept only when well formed (group-set key -> positive count). */
function parseAgents(raw: unknown): { agents: Record<string, number> } | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const agents: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>))
    if (typeof v === 'number' && v > 0 && Number.isFinite(v)) agents[k] = v;
  return { agents };
}

/** The live dialer processes as the registry holds them (for the API / monitoring). */
export async function liveMembers(redis: Redis): Promise<Member[]> {
  const now = Date.now();
  const owners = await redis.zrangebyscore(memberKeys.members, `(${now}`, '+inf');
  if (owners.length === 0) return [];
  const infos = await redis.hmget(memberKeys.info, ...owners);
  return parseMembers(owners.flatMap((o, i) => [o, infos[i] ?? '{}']));
}
