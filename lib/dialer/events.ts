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
