/**
 * The dialer's event bus: everything the runner decides or sees, for SSE
 * streams, webhooks and logs. Events are plain data with a type and a time.
 */
import { EventEmitter } from 'node:events';

export type DialerEvent =
  | { type: 'pacing.trace'; at: number; campaignId: string; calls: number; reason: string; trace: unknown }
  | { type: 'call.started'; at: number; campaignId: string; attemptId: string; legId: string; ref: string; attemptNo: number }
  | { type: 'call.phase'; at: number; campaignId: string; attemptId: string; phase: string; detail?: unknown }
  | { type: 'call.ended'; at: number; campaignId: string; attemptId: string; ref: string; code: number; final: boolean; agentId?: string }
  | { type: 'attempt.skipped'; at: number; campaignId: string; attemptId: string; ref: string; code: number; reason: string }
  /**
   * A closed attempt's result changed after its call.ended (notSure "agent-decides": the agent's disposition,
   * lib/dialer/agent-decision.ts). call.ended carried `from`; the attempt's one result is now `to`.
   */
  | {
      type: 'attempt.recoded';
      at: number;
      campaignId: string;
      attemptId: string;
      ref: string;
      attemptNo: number;
      from: number;
      to: number;
      /** Who entered the disposition (the API caller). */
      by: string;
      agentId?: string;
      /** What the contact did: final with `to`, queued again, or unchanged (a later attempt exists). */
      contact: 'final' | 'queued' | 'unchanged';
    }
  | { type: 'campaign.lease'; at: number; campaignId: string; owner: string; held: boolean }
  | { type: 'campaign.completed'; at: number; campaignId: string }
  /** Why a running campaign places no call, published when it changes (lib/dialer/steps/dialing-status.ts). */
  | {
      type: 'campaign.dialing';
      at: number;
      campaignId: string;
      state: 'dialing' | 'idle';
      reason?: string;
      detail?: string;
      until?: number | null;
    };

export class DialerEvents extends EventEmitter {
  emitEvent(e: DialerEvent): void {
    this.emit('event', e);
  }
  onEvent(fn: (e: DialerEvent) => void): () => void {
    this.on('event', fn);
    return () => this.off('event', fn);
  }
}
