/**
 * The live agent desk: agents' nailed-up phone legs, their state in Redis and
 * the runner's `AgentDesk` port. Every change goes through the pure machine in
 * ./state.ts, is committed with a compare-and-set script (agent-apply.lua),
 * and only then are its effects carried out on the telephony driver.
 */
import { reserveAgentOnNode } from '../scale/agents';
import { groupSetKey } from '../scale/placement';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AgentsConfig } from '../config/sections/agents';
import type { AgentDesk, Reservation, ScreenPop } from '../dialer/ports';
import type { AgentSnapshot, BreakSnapshot } from '../pacing/types';
import type { LegEvent, LegId, TelephonyDriver } from '../telephony/contract';
import { blindTransfer } from '../telephony/transfer';
import {
  agentKeys,
  applyAgentChange,
  getAgentLive,
  listLiveAgents,
  readyCount,
  reserveAgent,
  type AgentLive,
  type ReservePool,
  type UnsavedInput,
} from '../store/agent-live';
import { AgentDeskError } from './errors';
import { idleDecision } from './idle';
import {
  hasCall,
  returnCallsAfter,
  transition,
  type AgentEffect,
  type AgentEvent,
  type AgentState,
  type NextState,
  type SettableState,
} from './state';

/** What the desk needs to know about an agent definition (lib/store/agents.ts). */
export interface AgentDefinition {
  id: string;
  name: string;
  sipUri: string;
  groups: string[];
}

export interface AgentDeskDeps {
  redis: Redis;
  driver: TelephonyDriver;
  log: Logger;
  config: AgentsConfig;
  /** Looks an agent definition up (lib/store/agents.ts getAgent). */
  directory: (id: string) => Promise<AgentDefinition | null>;
  clock?: () => number;
  /** Names this desk in Redis (default host:pid:random); agents it holds are logged out when its heartbeat expires. */
  nodeId?: string;
  /** Reserve only agents whose phone leg this desk holds (several dialer processes; lib/scale/agents.ts). */
  localReservations?: boolean;
}

/** Events the desk emits (monitor, SSE, history). */
export interface DeskEvents {
  state: [{ agentId: string; from: AgentState; to: AgentState; event: AgentEvent['type']; at: number; reason?: string }];
  'screen-pop': [{ agentId: string; pop: ScreenPop; at: number }];
}

interface StepOptions {
  /** Refuses the step (throws) or skips it (returns false) before anything changes. */
  guard?: (a: AgentLive | null) => boolean | void;
  /** Extra fields to write with the transition. */
  set?: Record<string, string | number>;
  /** Why (logged, kept as lastReason when the agent ends logged out). */
  reason?: string;
  /** Driver work that must succeed before the change is committed (blind transfer). */
  before?: (a: AgentLive) => Promise<void>;
  /** Effects already done by `before`. */
  skip?: AgentEffect['type'][];
  /** Login: the agent starts in return-calls mode. */
  returnCalls?: boolean;
}

const CALL_FIELDS = ['token', 'attemptId', 'campaignId', 'customerLeg', 'pop', 'held'];
const MAX_CAS_TRIES = 8;
const PACING_STATE: Partial<Record<AgentState, AgentSnapshot['state']>> = {
  ready: 'ready',
  reserved: 'reserved',
  talking: 'talking',
  wrap_up: 'wrapup',
};

export class LiveAgentDesk extends EventEmitter<DeskEvents> implements AgentDesk {
  private readonly redis: Redis;
  private readonly driver: TelephonyDriver;
  private readonly log: Logger;
  private readonly clock: () => number;
  readonly nodeId: string;
  /** legId → agentId for agent phone legs and the customer legs bridged to them. */
  private readonly agentLegs = new Map<LegId, string>();
  private readonly customerLegs = new Map<LegId, string>();
  /** Events of unknown legs while an originate is pending (an answer could beat its promise). */
  private early: LegEvent[] = [];
  private pendingOriginates = 0;
  private unsubscribe?: () => void;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: AgentDeskDeps) {
    super();
    this.redis = deps.redis;
    this.driver = deps.driver;
    this.log = deps.log.child({ part: 'agent-desk' });
    this.clock = deps.clock ?? Date.now;
    this.nodeId = deps.nodeId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /**
   * Listens to the driver, announces this desk (heartbeat), logs out agents
   * whose desk is gone (their phone legs died with it), starts the sweeper.
   */
  async start(opts: { sweep?: boolean } = {}): Promise<void> {
    this.unsubscribe = this.driver.onEvent(
      (e) => void this.onLegEvent(e).catch((err: Error) => this.log.error({ err, legId: e.legId }, 'agent leg event failed')),
    );
    await this.heartbeat();
    for (const a of await listLiveAgents(this.redis)) {
      if (a.owner === this.nodeId) await this.dropLeg(a, 'dialer restarted: phone leg lost');
    }
    await this.recoverOrphans();
    const every = this.deps.config.sweepIntervalSec * 1000;
    this.timers.push(
      setInterval(
        () =>
          void this.heartbeat()
            .then(() => this.recoverOrphans())
            .catch((err: Error) => this.log.error({ err }, 'desk heartbeat failed')),
        every,
      ),
    );
    if (opts.sweep !== false) {
      this.timers.push(setInterval(() => void this.sweep().catch((err: Error) => this.log.error({ err }, 'idle sweep failed')), every));
    }
    for (const timer of this.timers) timer.unref();
  }

  /** Logs out this desk's agents (their legs end with the driver) and withdraws the heartbeat. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const a of await listLiveAgents(this.redis).catch(() => [])) {
      if (a.owner !== this.nodeId) continue;
      await this.dropLeg(a, 'dialer stopped');
      if (a.leg) await this.quiet(this.driver.hangup(a.leg, { reason: 'dialer stopped' }));
    }
    await this.redis.del(agentKeys.node(this.nodeId)).catch(() => undefined);
    this.unsubscribe?.();
  }

  private heartbeatTtlMs(): number {
    return Math.max(10_000, 3 * this.deps.config.sweepIntervalSec * 1000);
  }

  private async heartbeat(): Promise<void> {
    await this.redis.set(agentKeys.node(this.nodeId), String(this.clock()), 'PX', this.heartbeatTtlMs());
  }

  /** Agents held by a desk whose heartbeat expired (crashed process): their legs are gone. */
  async recoverOrphans(): Promise<string[]> {
    const gone: string[] = [];
    for (const a of await listLiveAgents(this.redis)) {
      if (a.owner === this.nodeId) continue;
      if (a.owner && (await this.redis.exists(agentKeys.node(a.owner)))) continue;
      if (await this.dropLeg(a, 'dialer process gone: phone leg lost')) gone.push(a.id);
    }
    return gone;
  }

  private dropLeg(a: AgentLive, reason: string): Promise<boolean> {
    return this.step(a.id, { type: 'phone_ended' }, { guard: (cur) => cur?.ver === a.ver && cur.state !== 'logged_out', reason }).catch(
      (err: Error) => {
        this.log.warn({ err, agentId: a.id }, 'could not log out an agent whose leg is gone');
        return false;
      },
    );
  }

  // ---- the runner's port ------------------------------------------------

  async readyCount(groups: readonly string[]): Promise<number> {
    if (!this.deps.localReservations) return readyCount(this.redis, groups);
    return (await this.snapshot(groups)).filter((a) => a.state === 'ready').length;
  }

  /**
   * Logged-in agents of these groups who can take calls (not connecting, on
   * break or away), for pacing. With local reservations only this desk's own
   * agents count: pacing on agents another process holds would dial calls no
   * agent here can take (system abandons; found by test/e2e/scale/fault.test.ts).
   * Agents taking return calls never take a campaign's call, so they do not count.
   */
  async snapshot(groups: readonly string[]): Promise<AgentSnapshot[]> {
    const want = new Set(groups);
    const out: AgentSnapshot[] = [];
    for (const a of await listLiveAgents(this.redis)) {
      if (this.deps.localReservations && a.owner !== this.nodeId) continue;
      if (a.returnCalls) continue;
      const state = PACING_STATE[a.state];
      if (state && a.groups.some((g) => want.has(g))) out.push({ state, since: a.since, agentId: a.id });
    }
    return out;
  }

  /**
   * Logged-in agents of these groups on a break, with since when, for predictive's breakLaw: most come back within the
   * budget's horizon. The same agents as `snapshot` would count once back (this desk's own with local reservations,
   * none taking return calls).
   */
  async onBreak(groups: readonly string[]): Promise<BreakSnapshot[]> {
    const want = new Set(groups);
    const out: BreakSnapshot[] = [];
    for (const a of await listLiveAgents(this.redis)) {
      if (this.deps.localReservations && a.owner !== this.nodeId) continue;
      if (a.returnCalls) continue;
      if (a.state === 'break' && a.groups.some((g) => want.has(g))) out.push({ since: a.since, agentId: a.id });
    }
    return out;
  }

  async localAgents(): Promise<Record<string, number> | undefined> {
    if (!this.deps.localReservations) return undefined;
    const out: Record<string, number> = {};
    for (const a of await listLiveAgents(this.redis)) {
      if (a.owner !== this.nodeId || a.returnCalls || a.groups.length === 0) continue;
      const key = groupSetKey(a.groups);
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  /**
   * Reserves the longest-waiting ready agent of the groups; `prefer` (a
   * callback's owner) first when ready, and nobody else with `only`. `pool`:
   * the campaigns' ready agents (default) or those taking return calls.
   */
  async reserve(
    groups: readonly string[],
    attemptId: string,
    prefer?: string,
    o: { only?: boolean; pool?: ReservePool } = {},
  ): Promise<Reservation | null> {
    const token = randomUUID();
    const now = this.clock();
    const args = { token, attemptId, now, prefer, only: o.only, pool: o.pool };
    const r = this.deps.localReservations
      ? await reserveAgentOnNode(this.redis, groups, this.nodeId, args)
      : await reserveAgent(this.redis, groups, args);
    if (!r) return null;
    this.emit('state', { agentId: r.agentId, from: o.pool ?? 'ready', to: 'reserved', event: 'reserve', at: now });
    return { agentId: r.agentId, legId: r.legId, token };
  }

  async release(r: Reservation): Promise<void> {
    await this.step(r.agentId, { type: 'release' }, { guard: (a) => a?.state === 'reserved' && a.token === r.token });
  }

  async connect(r: Reservation, customerLeg: LegId, pop: ScreenPop): Promise<void> {
    const done = await this.step(
      r.agentId,
      { type: 'connect' },
      {
        guard: (a) => {
          if (a?.state !== 'reserved' || a.token !== r.token) {
            throw new AgentDeskError(
              'CONFLICT',
              `agent ${r.agentId} is no longer reserved for attempt ${pop.attemptId} (state ${a?.state ?? 'unknown'})`,
            );
          }
        },
        set: { customerLeg, campaignId: pop.campaignId, attemptId: pop.attemptId, pop: JSON.stringify(pop), held: '0' },
      },
    ).catch(async (err: Error) => {
      // The bridge failed after the commit: the customer is not with the agent, so the call is over for them.
      if (!(err instanceof AgentDeskError)) await this.customerEnded(r, { attemptId: pop.attemptId, resultCode: 0 }).catch(() => undefined);
      throw err;
    });
    if (!done) throw new AgentDeskError('CONFLICT', `agent ${r.agentId} could not be connected`);
  }

  async customerEnded(r: Reservation, info: { attemptId: string; resultCode: number }): Promise<void> {
    await this.step(r.agentId, { type: 'customer_ended' }, { guard: (a) => a?.state === 'talking' && a.attemptId === info.attemptId });
  }

  // ---- agent actions (API) ---------------------------------------------

  /** The dialer calls the agent's phone; once answered the agent is ready (or taking return calls) on hold music. */
  async login(agentId: string, o: { returnCalls?: boolean } = {}): Promise<AgentLive> {
    const def = await this.deps.directory(agentId);
    if (!def) throw new AgentDeskError('NOT_FOUND', `agent ${agentId} does not exist`);
    if (def.groups.length === 0)
      throw new AgentDeskError(
        'UNPROCESSABLE',
        `agent ${agentId} is in no agent group, so no campaign could reach them; add them to a group first`,
      );
    await this.step(
      agentId,
      { type: 'login' },
      {
        set: { name: def.name, uri: def.sipUri, groups: JSON.stringify(def.groups), owner: this.nodeId, lastReason: '' },
        returnCalls: o.returnCalls,
      },
    );
    return (await getAgentLive(this.redis, agentId))!;
  }

  async logout(agentId: string, reason = 'logged out'): Promise<void> {
    await this.step(agentId, { type: 'logout' }, { reason });
  }

  async setState(agentId: string, state: SettableState): Promise<void> {
    await this.step(agentId, { type: 'set_state', state });
  }

  /** Wrap-up done: the disposition was validated and saved by the caller; picks the next state. */
  async finishWrapUp(agentId: string, next: NextState, attemptId?: string): Promise<void> {
    await this.step(
      agentId,
      { type: 'dispose', next },
      {
        guard: (a) => {
          if (attemptId && a?.state === 'wrap_up' && a.attemptId !== attemptId) {
            throw new AgentDeskError('CONFLICT', `agent ${agentId} is wrapping up attempt ${a.attemptId}, not ${attemptId}`);
          }
        },
        reason: next === 'end' ? 'ended after wrap-up' : undefined,
      },
    );
  }

  async hangupCustomer(agentId: string): Promise<void> {
    await this.step(agentId, { type: 'hangup_customer' });
  }

  async transfer(agentId: string, target: string): Promise<void> {
    // Drivers without a native transfer (REFER) get the dialer-side one.
    const transfer =
      this.driver.transfer?.bind(this.driver) ?? (async (leg: string, to: string) => void (await blindTransfer(this.driver, leg, to)));
    await this.step(
      agentId,
      { type: 'transfer' },
      {
        before: async (a) => {
          await this.driver.unbridge(a.leg!).catch(() => undefined);
          try {
            await transfer(a.customerLeg!, target);
          } catch (err) {
            await this.driver.bridge(a.leg!, a.customerLeg!).catch(() => undefined);
            throw new AgentDeskError('UNAVAILABLE', `transfer to ${target} failed: ${(err as Error).message}`);
          }
        },
        skip: ['transferCustomer'],
      },
    );
  }

  async hold(agentId: string): Promise<void> {
    await this.step(
      agentId,
      { type: 'hold' },
      {
        guard: (a) => {
          if (a?.held) throw new AgentDeskError('CONFLICT', `agent ${agentId}'s customer is already on hold`);
        },
        set: { held: '1' },
      },
    );
  }

  async unhold(agentId: string): Promise<void> {
    await this.step(
      agentId,
      { type: 'unhold' },
      {
        guard: (a) => {
          if (a?.state === 'talking' && !a.held) throw new AgentDeskError('CONFLICT', `agent ${agentId}'s customer is not on hold`);
        },
        set: { held: '0' },
      },
    );
  }

  status(agentId: string): Promise<AgentLive | null> {
    return getAgentLive(this.redis, agentId);
  }

  /** Releases every agent of this desk over its idle limit at `now`; returns their ids. */
  async sweep(now = this.clock()): Promise<string[]> {
    const released: string[] = [];
    for (const a of await listLiveAgents(this.redis)) {
      // Only the desk holding the leg can hang it up.
      if (a.owner !== this.nodeId) continue;
      const d = idleDecision(a.state, a.since, now, this.deps.config.idleLimits);
      if (!d.release) continue;
      const ok = await this.step(
        a.id,
        { type: 'idle_timeout' },
        { guard: (cur) => cur?.ver === a.ver, reason: `released: ${d.reason}` },
      ).catch((err: Error) => {
        this.log.warn({ err, agentId: a.id }, 'idle release failed');
        return false;
      });
      if (ok) released.push(a.id);
    }
    return released;
  }

  // ---- driver events ---------------------------------------------------

  private async onLegEvent(e: LegEvent): Promise<void> {
    const agentId = this.agentLegs.get(e.legId);
    if (agentId) return this.onAgentLeg(agentId, e);
    const viaCustomer = this.customerLegs.get(e.legId);
    if (viaCustomer && e.type === 'end') {
      this.customerLegs.delete(e.legId);
      // The runner reports it too (customerEnded); whichever comes second is a no-op.
      await this.step(viaCustomer, { type: 'customer_ended' }, { guard: (a) => a?.state === 'talking' && a.customerLeg === e.legId });
      return;
    }
    if (this.pendingOriginates > 0 && this.early.length < 256) this.early.push(e);
  }

  private async onAgentLeg(agentId: string, e: LegEvent): Promise<void> {
    if (e.type === 'answer') {
      await this.step(agentId, { type: 'phone_answered' }, { guard: (a) => a?.state === 'connecting' && a.leg === e.legId });
    } else if (e.type === 'end') {
      this.agentLegs.delete(e.legId);
      const why = e.cause.answered
        ? `phone leg ended (${e.cause.by}${e.cause.sipStatus ? ` ${e.cause.sipStatus}` : ''})`
        : `phone not answered (${e.cause.sipStatus ?? e.cause.by})`;
      await this.step(
        agentId,
        { type: 'phone_ended' },
        { guard: (a) => !!a && a.state !== 'logged_out' && a.leg === e.legId, reason: why },
      );
    }
  }

  // ---- the step: decide, commit, carry out ------------------------------

  /** Applies one event; false when the guard skipped it. Retries on concurrent changes. */
  private async step(agentId: string, event: AgentEvent, o: StepOptions = {}): Promise<boolean> {
    for (let i = 0; i < MAX_CAS_TRIES; i++) {
      const a = await getAgentLive(this.redis, agentId);
      if (o.guard && o.guard(a) === false) return false;
      const from: AgentState = a?.state ?? 'logged_out';
      const wasReturnCalls = o.returnCalls ?? (from !== 'logged_out' && !!a?.returnCalls);
      const tr = transition(from, event, { returnCalls: wasReturnCalls });
      if (i === 0 && o.before) await o.before(a!);
      const now = this.clock();
      const set: Record<string, string | number> = { state: tr.state, since: tr.state === from && a ? a.since : now, ...o.set };
      const del: string[] = [];
      if (returnCallsAfter(tr.state, wasReturnCalls)) set.mode = 'return_calls';
      else del.push('mode');
      let queue: 'enqueue' | 'enqueue-rc' | 'dequeue' | undefined;
      let unsaved: UnsavedInput | undefined;
      for (const eff of tr.effects) {
        if (eff.type === 'enqueueReady') {
          queue = eff.pool === 'ready' ? 'enqueue' : 'enqueue-rc';
          set.readySince = eff.keepSince && a?.readySince ? a.readySince : now;
        } else if (eff.type === 'dequeueReady') queue = 'dequeue';
        else if (eff.type === 'clearCall') del.push(...CALL_FIELDS);
        else if (eff.type === 'saveUnsaved' && a && hasCall(a.state)) unsaved = this.unsavedFrom(a, event, now, o.reason);
      }
      if (tr.state === 'logged_out') {
        del.push('leg', 'readySince', ...CALL_FIELDS.filter((f) => !del.includes(f)));
        set.lastReason = o.reason ?? event.type.replace(/_/g, ' ');
      }
      const live = tr.state === 'logged_out' ? 'remove' : from === 'logged_out' ? 'add' : undefined;
      const res = await applyAgentChange(this.redis, agentId, {
        expectVer: a?.ver ?? 0,
        queue,
        set,
        del: del.filter((f) => !(f in set)),
        unsaved,
        live,
      });
      if (!res.ok) continue;
      this.log.info({ agentId, from, to: tr.state, event: event.type, reason: o.reason }, 'agent state');
      this.emit('state', { agentId, from, to: tr.state, event: event.type, at: now, ...(o.reason ? { reason: o.reason } : {}) });
      await this.carryOut(
        agentId,
        a,
        set,
        tr.effects.filter((x) => !o.skip?.includes(x.type)),
      );
      return true;
    }
    throw new AgentDeskError('CONFLICT', `agent ${agentId} is changing too fast; try again`);
  }

  private unsavedFrom(a: AgentLive, event: AgentEvent, now: number, reason?: string): UnsavedInput {
    return {
      id: randomUUID(),
      agentId: a.id,
      createdAt: now,
      campaignId: a.campaignId,
      attemptId: a.attemptId,
      pop: a.pop,
      callState: a.state,
      reason: reason ?? event.type,
    };
  }

  /** Carries out a committed transition's effects on the driver. */
  private async carryOut(
    agentId: string,
    before: AgentLive | null,
    set: Record<string, string | number>,
    effects: AgentEffect[],
  ): Promise<void> {
    const leg = before?.leg;
    const customerLeg = (set.customerLeg as string | undefined) ?? before?.customerLeg;
    for (const eff of effects) {
      switch (eff.type) {
        case 'originatePhone':
          await this.originate(agentId, String(set.uri));
          break;
        case 'hangupPhone':
          if (leg) {
            this.agentLegs.delete(leg);
            await this.quiet(this.driver.hangup(leg, { reason: String(set.lastReason ?? 'logout') }));
          }
          break;
        case 'playHold':
          if (leg) await this.quiet(this.driver.play(leg, { kind: 'hold' }, { loop: true }));
          break;
        case 'stopHold':
          if (leg) await this.driver.stopPlayback(leg);
          break;
        case 'beep':
          if (leg) await this.driver.beep(leg, this.deps.config.beep);
          break;
        case 'bridge':
          if (leg && customerLeg) {
            this.customerLegs.set(customerLeg, agentId);
            await this.driver.bridge(leg, customerLeg);
          }
          break;
        case 'screenPop':
          this.emit('screen-pop', { agentId, pop: JSON.parse(String(set.pop)) as ScreenPop, at: this.clock() });
          break;
        case 'holdCustomer':
          if (leg && customerLeg) {
            await this.driver.unbridge(leg);
            await this.driver.play(customerLeg, { kind: 'hold' }, { loop: true });
          }
          break;
        case 'unholdCustomer':
          if (leg && customerLeg) await this.driver.bridge(leg, customerLeg);
          break;
        case 'hangupCustomer':
          if (customerLeg) {
            this.customerLegs.delete(customerLeg);
            await this.quiet(this.driver.hangup(customerLeg, { reason: 'agent hung up' }));
          }
          break;
        default:
          break; // queue, record and clear effects were committed by agent-apply.lua
      }
    }
  }

  private async originate(agentId: string, uri: string): Promise<void> {
    let legId: LegId;
    this.pendingOriginates++;
    try {
      legId = await this.driver.originate({
        to: uri,
        ringTimeoutMs: this.deps.config.loginRingTimeoutSec * 1000,
        tags: { agentId, role: 'agent-phone' },
      });
    } catch (err) {
      if (--this.pendingOriginates === 0) this.early = [];
      await this.step(
        agentId,
        { type: 'phone_ended' },
        { guard: (a) => a?.state === 'connecting' && !a.leg, reason: `cannot call the agent's phone: ${(err as Error).message}` },
      );
      throw new AgentDeskError('UNAVAILABLE', `cannot call agent ${agentId}'s phone ${uri}: ${(err as Error).message}`);
    }
    // Until the leg is on the agent and mapped, its events wait in `early`.
    const kept = await this.setLeg(agentId, legId);
    if (kept) this.agentLegs.set(legId, agentId);
    const buffered = this.early.filter((e) => e.legId === legId);
    this.early = this.early.filter((e) => e.legId !== legId);
    if (--this.pendingOriginates === 0) this.early = [];
    if (kept) for (const e of buffered) await this.onAgentLeg(agentId, e);
  }

  /** Records the phone leg on the agent (compare-and-set; no state change). */
  private async setLeg(agentId: string, legId: LegId): Promise<boolean> {
    for (let i = 0; i < MAX_CAS_TRIES; i++) {
      const a = await getAgentLive(this.redis, agentId);
      if (!a || a.state !== 'connecting') break;
      if ((await applyAgentChange(this.redis, agentId, { expectVer: a.ver, set: { leg: legId } })).ok) return true;
    }
    // Logged out (or changed) while the phone was being called.
    await this.quiet(this.driver.hangup(legId, { reason: 'login cancelled' }));
    return false;
  }

  private async quiet(p: Promise<unknown>): Promise<void> {
    await p.catch((err: Error) => this.log.warn({ err }, 'driver call failed (leg probably gone)'));
  }
}
