/**
 * The message channel contract, shaped like the telephony driver contract:
 * the messaging core sees only this; only channels see sockets, SMPP or SMTP.
 * A channel accepts or rejects each message synchronously with the peer
 * (SIP final response, submit_sm_resp, SMTP reply), then reports delivery
 * receipts and inbound messages as events.
 */
export type MessageKind = 'sms' | 'email';

export interface OutboundMessage {
  /** Our message id (ends up in SMTP Message-ID / logs; SMPP and SIP get their own ids). */
  id: string;
  /** E.164 number (sms) or e-mail address (email). */
  to: string;
  /** Sender number / address; the channel's configured one when absent. */
  from?: string;
  body: string;
  /** E-mail only. */
  subject?: string;
  /** Provider id of the inbound message this answers (SIP: In-Reply-To, RFC 3261 §20.21). */
  inReplyTo?: string;
}

export type SendResult =
  | { accepted: true; providerId: string }
  /** `permanent`: the peer refused this message for good (bad number, policy); false: a transient failure. */
  | { accepted: false; error: string; permanent: boolean };

export type ChannelEvent =
  | { type: 'receipt'; channel: string; providerId: string; status: 'delivered' | 'failed'; detail?: string; at: number }
  | { type: 'inbound'; channel: string; from: string; to: string; body: string; providerId?: string; at: number };

export interface MessageChannel {
  readonly name: 'sip' | 'smpp' | 'smtp';
  readonly kind: MessageKind;
  start(): Promise<void>;
  stop(): Promise<void>;
  send(msg: OutboundMessage): Promise<SendResult>;
  onEvent(fn: (e: ChannelEvent) => void): () => void;
}
