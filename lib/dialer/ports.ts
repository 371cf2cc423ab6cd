/**
 * The seams between the campaign runner (calls to customers) and the agent
 * side (agents' nailed-up phone legs, their states). The runner never touches
 * agent state directly; it asks an `AgentDesk` to reserve and connect.
 */
import type { LegId } from '../telephony/contract';
import type { AgentSnapshot, BreakSnapshot } from '../pacing/types';

/** A contact as the agent's screen shows it (screen pop). */
export interface ScreenPop {
  campaignId: string;
  attemptId: string;
  listId: string;
  contactId: string;
  phone: string;
  name?: string;
  key1?: string;
  key2?: string;
  attributes?: Record<string, string>;
  attemptNo: number;
  /** AMD was not sure who answered and the notSure policy is agent-decides: the agent's disposition says. */
  amdNotSure?: boolean;
  /** A return call (issue 18): the caller's number and the contact's last campaign attempts. */
  inbound?: {
    id: string;
    caller?: string;
    did: string;
    lastAttempts: { campaignId: string; attemptNo: number; code: number; at: number }[];
  };
}

export interface Reservation {
  agentId: string;
  /** The agent's live phone leg (nailed up, on hold music). */
  legId: LegId;
  /** Opaque token proving the reservation, passed back on connect/release. */
  token: string;
}

export interface AgentDesk {
  /** Number of agents ready (on hold, waiting) for these groups right now. */
  readyCount(groups: readonly string[]): Promise<number>;
  /** Every logged-in agent of these groups who can take calls (not on break/away), for pacing. */
  snapshot?(groups: readonly string[]): Promise<AgentSnapshot[]>;
  /** Logged-in agents of these groups on a break, with since when (predictive's breakLaw). */
  onBreak?(groups: readonly string[]): Promise<BreakSnapshot[]>;
  /**
   * Agents logged in at this process, counted by group set (lib/scale/placement.ts),
   * for placing agent campaigns where their agents are; undefined when any
   * process can bridge any agent (agents are not local to a process).
   */
  localAgents?(): Promise<Record<string, number> | undefined>;
  /**
   * Atomically reserves the longest-waiting ready agent of any of the groups
   * (ready → reserved); `prefer` (a callback's owner) is taken first when ready,
   * and with `only` nobody else is. `pool` return_calls: among the agents
   * taking return calls instead (inbound routes; campaigns never ask for it).
   * Resolves null when none is ready.
   */
  reserve(
    groups: readonly string[],
    attemptId: string,
    prefer?: string,
    o?: { only?: boolean; pool?: 'ready' | 'return_calls' },
  ): Promise<Reservation | null>;
  /** The reserved agent did not get the call (customer hung up first): reserved → ready (or return calls), hold music continues. */
  release(r: Reservation): Promise<void>;
  /**
   * Connects the customer to the reserved agent: stops hold music, beeps the
   * agent, bridges the legs, sends the screen pop. reserved → talking.
   */
  connect(r: Reservation, customerLeg: LegId, pop: ScreenPop): Promise<void>;
  /** The customer leg ended while talking: talking → wrap-up (hold music again). */
  customerEnded(r: Reservation, info: { attemptId: string; resultCode: number }): Promise<void>;
}
