/**
 * Messaging events, for SSE, webhooks and logs (the monitor hub republishes
 * them; see plugin.ts). `message.reply` is seed 004's "SMS reply received".
 */
import { EventEmitter } from 'node:events';

export const MESSAGE_EVENT_TYPES = [
  'message.sent',
  'message.status',
  'message.reply',
  'message.optout',
  'message.optin',
  'message.campaign',
] as const;
export type MessageEventType = (typeof MESSAGE_EVENT_TYPES)[number];

export interface MessagingEvent {
  type: MessageEventType;
  at: number;
  campaignId?: string;
  data: Record<string, unknown>;
}

export class MessagingEvents extends EventEmitter {
  emitEvent(e: MessagingEvent): void {
    this.emit('event', e);
  }
  onEvent(fn: (e: MessagingEvent) => void): () => void {
    this.on('event', fn);
    return () => this.off('event', fn);
  }
}
