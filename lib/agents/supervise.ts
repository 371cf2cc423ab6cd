/**
 * Supervisors in an agent's call (seed 001 job monitor: listen in, whisper;
 * and barge): the dialer calls the supervisor's phone, as it calls agents'
 * phones, and once answered mixes it into the agent's call with the driver's
 * `monitor`. The mode can change while it runs; when the customer call ends
 * (or is put on hold / transferred) the supervisor's phone is hung up.
 * One supervision per agent, kept in this process (it holds the legs).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { LegEvent, LegId, MonitorMode, TelephonyDriver } from '../telephony/contract';
import type { LiveAgentDesk } from './desk';
import { AgentDeskError } from './errors';

export interface Supervision {
  agentId: string;
  /** Who asked (API key name). */
  by: string;
  phone: string;
  mode: MonitorMode;
  /** ringing: the supervisor's phone is being called; active: mixed into the call. */
  status: 'ringing' | 'active';
  supervisorLeg: LegId;
  agentLeg: LegId;
  customerLeg: LegId;
  since: number;
}

export interface SupervisionEvents {
  supervision: [{ agentId: string; status: 'ringing' | 'active' | 'ended'; mode: MonitorMode; by: string; at: number; reason?: string }];
}

export class Supervisor extends EventEmitter<SupervisionEvents> {
  private readonly byAgent = new Map<string, Supervision>();
  private readonly byLeg = new Map<LegId, Supervision>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly o: { driver: TelephonyDriver; desk: LiveAgentDesk; log: Logger; ringTimeoutSec: number; clock?: () => number },
  ) {
    super();
    this.unsubscribe = o.driver.onEvent((e) => this.onLeg(e));
  }

  private now(): number {
    return (this.o.clock ?? Date.now)();
  }

  get(agentId: string): Supervision | undefined {
    return this.byAgent.get(agentId);
  }

  list(): Supervision[] {
    return [...this.byAgent.values()];
  }

  /** Calls the supervisor's phone; the monitor starts when it answers. */
  async start(agentId: string, o: { phone: string; mode: MonitorMode; by: string }): Promise<Supervision> {
    const { driver } = this.o;
    if (!driver.monitor)
      throw new AgentDeskError('UNAVAILABLE', `the ${driver.name} telephony driver does not support listen-in, whisper or barge`);
    if (this.byAgent.has(agentId))
      throw new AgentDeskError('CONFLICT', `agent ${agentId} is already monitored by ${this.byAgent.get(agentId)!.by}`);
    const a = await this.o.desk.status(agentId);
    if (!a) throw new AgentDeskError('NOT_FOUND', `agent ${agentId} is not logged in`);
    if (a.state !== 'talking' || !a.leg || !a.customerLeg)
      throw new AgentDeskError('CONFLICT', `agent ${agentId} is not talking to a customer (state ${a.state})`);
    if (a.held) throw new AgentDeskError('CONFLICT', `agent ${agentId}'s customer is on hold`);
    let leg: LegId;
    try {
      leg = await driver.originate({
        to: o.phone,
        ringTimeoutMs: this.o.ringTimeoutSec * 1000,
        tags: { agentId, role: 'supervisor-phone' },
        nearLeg: a.leg,
      });
    } catch (err) {
      throw new AgentDeskError('UNAVAILABLE', `cannot call the supervisor's phone ${o.phone}: ${(err as Error).message}`);
    }
    const s: Supervision = {
      agentId,
      by: o.by,
      phone: o.phone,
      mode: o.mode,
      status: 'ringing',
      supervisorLeg: leg,
      agentLeg: a.leg,
      customerLeg: a.customerLeg,
      since: this.now(),
    };
    this.byAgent.set(agentId, s);
    this.byLeg.set(leg, s);
    this.byLeg.set(a.customerLeg, s);
    this.byLeg.set(a.leg, s);
    this.announce(s, 'ringing');
    return s;
  }

  async setMode(agentId: string, mode: MonitorMode): Promise<Supervision> {
    const s = this.byAgent.get(agentId);
    if (!s) throw new AgentDeskError('NOT_FOUND', `nobody monitors agent ${agentId}`);
    if (s.status === 'active') await this.o.driver.setMonitorMode!(s.supervisorLeg, mode);
    s.mode = mode;
    this.announce(s, s.status);
    return s;
  }

  /** Ends the supervision: the supervisor's phone is hung up, agent and customer stay together. */
  async stop(agentId: string, reason = 'stopped'): Promise<void> {
    const s = this.byAgent.get(agentId);
    if (!s) throw new AgentDeskError('NOT_FOUND', `nobody monitors agent ${agentId}`);
    await this.end(s, reason);
  }

  close(): void {
    this.unsubscribe();
    for (const s of this.byAgent.values()) void this.end(s, 'dialer stopped');
  }

  private async end(s: Supervision, reason: string): Promise<void> {
    if (this.byAgent.get(s.agentId) !== s) return;
    this.byAgent.delete(s.agentId);
    for (const l of [s.supervisorLeg, s.agentLeg, s.customerLeg]) if (this.byLeg.get(l) === s) this.byLeg.delete(l);
    if (s.status === 'active') await this.o.driver.stopMonitor?.(s.supervisorLeg).catch(() => undefined);
    await this.o.driver.hangup(s.supervisorLeg, { reason: `supervision ${reason}` }).catch(() => undefined);
    this.emit('supervision', { agentId: s.agentId, status: 'ended', mode: s.mode, by: s.by, at: this.now(), reason });
  }

  private announce(s: Supervision, status: 'ringing' | 'active'): void {
    this.emit('supervision', { agentId: s.agentId, status, mode: s.mode, by: s.by, at: this.now() });
  }

  private onLeg(e: LegEvent): void {
    const s = this.byLeg.get(e.legId);
    if (!s) return;
    const fail = (err: Error) => this.o.log.warn({ err, agentId: s.agentId }, 'supervision step failed');
    if (e.legId === s.supervisorLeg) {
      if (e.type === 'answer') {
        this.o.driver.monitor!({ supervisorLeg: s.supervisorLeg, agentLeg: s.agentLeg, mode: s.mode }).then(
          () => {
            s.status = 'active';
            this.announce(s, 'active');
          },
          (err: Error) => {
            fail(err);
            void this.end(s, `the call could not be joined: ${err.message}`);
          },
        );
      } else if (e.type === 'end')
        void this.end(
          s,
          e.cause.answered ? 'supervisor hung up' : `supervisor phone not answered (${e.cause.sipStatus ?? e.cause.by})`,
        ).catch(fail);
      return;
    }
    // The agent's call came apart (customer gone, hold, transfer, phone dropped).
    if (e.type === 'end' || e.type === 'unbridged') void this.end(s, 'the call ended').catch(fail);
  }
}
