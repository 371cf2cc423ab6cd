/**
 * A telephony driver for desk tests that places no calls: it records every
 * driver call in order and lets the test deliver leg events (answer, end) as
 * a real driver would. The e2e test (test/e2e/agents/agent-desk.test.ts)
 * runs the same desk on the embedded driver with SIPp phones.
 */
import type { LegEvent, LegId, MediaSource, OriginateRequest, TelephonyDriver } from '../../../lib/telephony/contract';
import { TelephonyError } from '../../../lib/telephony/contract';

export interface DriverCall {
  op: string;
  leg?: LegId;
  args?: unknown;
}

export class RecordingDriver implements TelephonyDriver {
  readonly name = 'recording';
  readonly calls: DriverCall[] = [];
  readonly legs = new Set<LegId>();
  private listeners: ((e: LegEvent) => void)[] = [];
  private n = 0;
  /** Make the next originate fail (unreachable phone). */
  failOriginate?: string;

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  onEvent(l: (e: LegEvent) => void): () => void {
    this.listeners.push(l);
    return () => (this.listeners = this.listeners.filter((x) => x !== l));
  }
  emit(e: LegEvent): void {
    for (const l of this.listeners) l(e);
  }
  answer(leg: LegId): void {
    this.emit({ type: 'answer', legId: leg, at: Date.now() });
  }
  end(leg: LegId, by: 'remote' | 'local' = 'remote'): void {
    this.legs.delete(leg);
    this.emit({ type: 'end', legId: leg, at: Date.now(), cause: { by, answered: true, sipStatus: 200 } });
  }
  /** A customer leg created by "the runner". */
  customer(): LegId {
    const id = `cust-${++this.n}`;
    this.legs.add(id);
    return id;
  }
  private need(leg: LegId): void {
    if (!this.legs.has(leg)) throw new TelephonyError('UNKNOWN_LEG', `no leg ${leg}`);
  }

  async originate(req: OriginateRequest): Promise<LegId> {
    if (this.failOriginate) {
      const m = this.failOriginate;
      this.failOriginate = undefined;
      throw new TelephonyError('UNAVAILABLE', m);
    }
    const id = `leg-${++this.n}`;
    this.legs.add(id);
    this.calls.push({ op: 'originate', leg: id, args: req });
    return id;
  }
  async hangup(leg: LegId): Promise<void> {
    this.calls.push({ op: 'hangup', leg });
    this.need(leg);
    queueMicrotask(() => this.end(leg, 'local'));
  }
  async play(leg: LegId, source: MediaSource, opts?: { loop?: boolean }): Promise<string> {
    this.need(leg);
    this.calls.push({ op: 'play', leg, args: { source, loop: !!opts?.loop } });
    return `pb-${++this.n}`;
  }
  async stopPlayback(leg: LegId): Promise<void> {
    this.need(leg);
    this.calls.push({ op: 'stopPlayback', leg });
  }
  async beep(leg: LegId, opts?: { freqHz?: number; durationMs?: number }): Promise<void> {
    this.need(leg);
    this.calls.push({ op: 'beep', leg, args: opts });
  }
  async bridge(a: LegId, b: LegId): Promise<void> {
    this.need(a);
    this.need(b);
    this.calls.push({ op: 'bridge', leg: a, args: b });
  }
  async unbridge(a: LegId): Promise<void> {
    this.calls.push({ op: 'unbridge', leg: a });
  }
  async transfer(leg: LegId, target: string): Promise<void> {
    this.need(leg);
    if (target.includes('fail')) throw new TelephonyError('BAD_STATE', 'REFER rejected with 603');
    this.calls.push({ op: 'transfer', leg, args: target });
    queueMicrotask(() => this.end(leg, 'remote'));
  }
  health() {
    return { ok: true, detail: 'recording', activeLegs: this.legs.size };
  }
  /** Operations on one leg, in order, after index `from`. */
  ops(leg: LegId, from = 0): string[] {
    return this.calls
      .slice(from)
      .filter((c) => c.leg === leg)
      .map((c) => c.op);
  }
}
