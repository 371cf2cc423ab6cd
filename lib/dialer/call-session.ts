/**
 * Carries out one attempt's call flow: feeds driver events and timer firings
 * into the pure `step`, and performs its effects on the driver, the agent
 * desk and the dial queue. All decisions are in call-flow.ts.
 */
import type { Logger } from 'pino';
import type { Claim } from '../store/dial-queue';
import type { LegEvent, LegId, MediaSource, TelephonyDriver } from '../telephony/contract';
import { initialCall, step, type CallPhase, type CallState, type FlowConfig, type FlowEffect, type FlowEvent } from './call-flow';
import type { AgentDesk, Reservation, ScreenPop } from './ports';
import type { ResultCode } from '../results/codes';

/** What one attempt's call is: data only, fixed when the attempt starts. */
export interface SessionPlan {
  flow: FlowConfig;
  /** The campaign's agent groups (an agent is reserved from them). */
  groups: readonly string[];
  botUri?: string;
  prompts: { abandon: MediaSource; message?: MediaSource; voicemail?: MediaSource; consent?: MediaSource };
}

/** What the session tells its owner (the runner): it records, publishes and routes legs from these. */
export type SessionReport =
  | { type: 'phase'; phase: CallPhase }
  /** An agent was reserved for this call (the runner feeds the agent's wrap-up to the campaign's pacing). */
  | { type: 'agent-reserved'; agentId: string }
  /** A further leg (the bot's) whose driver events are this session's. */
  | { type: 'leg-added'; legId: LegId }
  /** The attempt is over, once, with its result. */
  | { type: 'closed'; code: ResultCode };

/** The session's ports: the telephony and agent sides it acts on, and its owner. */
export interface SessionPorts {
  driver: TelephonyDriver;
  desk?: AgentDesk;
  log: Logger;
  now(): number;
  /** The contact as the agent's screen shows it, read when the agent is connected. */
  screenPop(s: CallSession): Promise<ScreenPop>;
  report(s: CallSession, r: SessionReport): void;
  /**
   * Resolves when the consent announcement may start: once the call's recording from the answer runs (true), or
   * when waiting for it was given up (false). Absent: at once. The announcement belongs in that recording.
   */
  consentReady?(s: CallSession): Promise<boolean>;
}

export class CallSession {
  state: CallState = initialCall();
  legId?: LegId;
  botLeg?: LegId;
  reservation?: Reservation;
  readonly startedAt: number;
  private timers = new Set<NodeJS.Timeout>();
  private playbackId?: string;
  private closed = false;

  constructor(
    readonly claim: Claim,
    private readonly plan: SessionPlan,
    private readonly d: SessionPorts,
  ) {
    this.startedAt = d.now();
  }

  /** Driver events of the customer leg (and the bot leg). */
  onLegEvent(e: LegEvent): void {
    if (e.legId === this.botLeg) return this.onBotEvent(e);
    switch (e.type) {
      case 'answer':
        return this.feed({ type: 'answer', at: e.at });
      case 'verdict':
        return this.feed({ type: 'verdict', at: e.at, verdict: e.verdict, phase: e.phase });
      case 'playback-done':
        if (e.id === this.playbackId) this.feed({ type: 'playback-done', at: e.at });
        return;
      case 'end':
        return this.feed({ type: 'end', at: e.at, cause: e.cause });
      default:
        return;
    }
  }

  feed(e: FlowEvent): void {
    const before = this.state.phase;
    const out = step(this.state, e, this.plan.flow);
    this.state = out.state;
    if (out.state.phase !== before) this.d.report(this, { type: 'phase', phase: out.state.phase });
    for (const fx of out.effects) void this.run(fx);
  }

  private at(): number {
    return this.d.now();
  }

  private async run(fx: FlowEffect): Promise<void> {
    try {
      switch (fx.type) {
        case 'hangup':
          if (this.legId) await this.d.driver.hangup(this.legId, { reason: fx.reason });
          return;
        case 'timer': {
          const h = setTimeout(
            () => {
              this.timers.delete(h);
              this.feed({ type: 'timer', at: this.at(), name: fx.name });
            },
            Math.max(0, fx.at - this.at()),
          );
          this.timers.add(h);
          return;
        }
        case 'reserve-agent': {
          // A callback's agent was reserved before dialling.
          let r: Reservation | null;
          try {
            r = this.reservation ?? (this.d.desk ? await this.d.desk.reserve(this.plan.groups, this.claim.attemptId) : null);
          } catch (err) {
            // A store error (a Redis failover: CLUSTERDOWN, a closed connection) is asked again every reserveRetryMs
            // like "no agent free", until the abandon deadline: left alone, the person waited for the deadline and
            // was abandoned (14) though the store came back in time.
            this.d.log.warn({ err, attemptId: this.claim.attemptId }, 'reserving an agent failed; asking again');
            r = null;
          }
          if (r) {
            this.reservation = r;
            this.d.report(this, { type: 'agent-reserved', agentId: r.agentId });
            this.feed({ type: 'agent-reserved', at: this.at(), agentId: r.agentId });
          } else this.feed({ type: 'no-agent', at: this.at() });
          return;
        }
        case 'release-agent':
          if (this.reservation && this.d.desk) {
            const r = this.reservation;
            this.reservation = undefined;
            await this.d.desk.release(r);
          }
          return;
        case 'connect-agent':
          if (!this.reservation || !this.d.desk || !this.legId) return;
          try {
            await this.d.desk.connect(this.reservation, this.legId, await this.d.screenPop(this));
            this.feed({ type: 'connected', at: this.at() });
          } catch (err) {
            this.d.log.warn({ err, attemptId: this.claim.attemptId }, 'connecting the agent failed');
            const r = this.reservation;
            this.reservation = undefined;
            await this.d.desk.release(r).catch(() => undefined);
            this.feed({ type: 'connect-failed', at: this.at(), reason: (err as Error).message });
          }
          return;
        case 'connect-bot':
          return await this.connectBot();
        case 'play': {
          if (!this.legId) return;
          const src = this.plan.prompts[fx.what];
          if (!src) {
            this.feed({ type: 'playback-done', at: this.at() });
            return;
          }
          if (fx.what === 'consent' && this.d.consentReady && !(await this.d.consentReady(this))) {
            this.d.log.warn({ attemptId: this.claim.attemptId }, "consent announcement played before the call's recording had started");
          }
          // The call may have ended while the recording started.
          if (this.closed) return;
          this.playbackId = await this.d.driver.play(this.legId, src);
          return;
        }
        case 'agent-customer-ended':
          if (this.reservation && this.d.desk)
            await this.d.desk.customerEnded(this.reservation, { attemptId: this.claim.attemptId, resultCode: this.state.code ?? 20 });
          return;
        case 'close':
          this.finish(fx.code);
          return;
      }
    } catch (err) {
      this.d.log.error({ err, effect: fx.type, attemptId: this.claim.attemptId }, 'call effect failed');
      if (fx.type === 'hangup' || fx.type === 'play') {
        // The leg is probably gone; make sure the attempt still ends.
        if (this.legId) await this.d.driver.hangup(this.legId).catch(() => undefined);
      }
    }
  }

  private async connectBot(): Promise<void> {
    if (!this.plan.botUri || !this.legId) {
      this.feed({ type: 'connect-failed', at: this.at(), reason: 'no bot URI' });
      return;
    }
    this.botLeg = await this.d.driver.originate({
      to: this.plan.botUri,
      ringTimeoutMs: 15000,
      tags: { attemptId: this.claim.attemptId, role: 'bot' },
    });
    this.d.report(this, { type: 'leg-added', legId: this.botLeg });
  }

  private onBotEvent(e: LegEvent): void {
    if (e.type === 'answer' && this.legId && this.botLeg) {
      this.d.driver.bridge(this.legId, this.botLeg).then(
        () => this.feed({ type: 'connected', at: this.at() }),
        (err: Error) => this.feed({ type: 'connect-failed', at: this.at(), reason: err.message }),
      );
    } else if (e.type === 'end') {
      const wasConnected = this.state.phase === 'connected';
      this.botLeg = undefined;
      if (wasConnected && this.legId) void this.d.driver.hangup(this.legId).catch(() => undefined);
      else if (!wasConnected) this.feed({ type: 'connect-failed', at: e.at, reason: `bot leg ended (${e.cause.sipStatus ?? e.cause.by})` });
    }
  }

  private finish(code: ResultCode): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.timers) clearTimeout(h);
    this.timers.clear();
    if (this.botLeg) void this.d.driver.hangup(this.botLeg).catch(() => undefined);
    // A pre-reserved (callback) agent who never got the customer goes back to ready.
    if (this.reservation && this.state.bridgedAt === undefined && this.d.desk) {
      const r = this.reservation;
      this.reservation = undefined;
      void this.d.desk.release(r).catch(() => undefined);
    }
    this.d.report(this, { type: 'closed', code });
  }

  /** The runner is stopping: hang up and let the end event close the attempt. */
  async abort(reason: string): Promise<void> {
    if (!this.closed) this.feed({ type: 'interrupt', at: this.at() });
    if (this.legId && !this.closed) await this.d.driver.hangup(this.legId, { reason }).catch(() => undefined);
  }
}
