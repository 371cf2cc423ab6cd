/**
 * E-mail through SMTP (nodemailer) from a configured From address, whose
 * domain is the sending domain (Message-IDs are minted in it). The server's
 * acceptance is "accepted"; an SMTP 5xx for the recipient is a permanent
 * rejection, 4xx and connection trouble are transient.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { ChannelEvent, MessageChannel, OutboundMessage, SendResult } from '../channel';
import { checkEmail } from '../address';
import { ChannelEvents } from './emitter';

export interface SmtpChannelOptions {
  url: string;
  from: string;
  insecureTls?: boolean;
  timeoutMs?: number;
  log: Logger;
}

export class SmtpChannel implements MessageChannel {
  readonly name = 'smtp' as const;
  readonly kind = 'email' as const;
  private transport?: Transporter;
  private readonly events = new ChannelEvents();
  readonly domain: string;

  constructor(private readonly o: SmtpChannelOptions) {
    const f = checkEmail(o.from);
    if (!f.ok) throw new Error(`messaging.smtp.from: ${f.reason}`);
    this.domain = o.from.split('@')[1]!;
  }

  onEvent(fn: (e: ChannelEvent) => void): () => void {
    return this.events.on(fn);
  }

  async start(): Promise<void> {
    const t = this.o.timeoutMs ?? 15000;
    this.transport = nodemailer.createTransport(this.o.url, {
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
      tls: this.o.insecureTls ? { rejectUnauthorized: false } : undefined,
    } as never);
  }

  async stop(): Promise<void> {
    this.transport?.close();
    this.transport = undefined;
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    if (!this.transport) return { accepted: false, error: 'SMTP channel is not started', permanent: false };
    const messageId = `<${msg.id}@${this.domain}>`;
    try {
      const info = await this.transport.sendMail({
        from: msg.from ?? this.o.from,
        to: msg.to,
        subject: msg.subject ?? '',
        text: msg.body,
        messageId,
        headers: { 'X-Dialer-Message-Id': msg.id },
      });
      if (info.rejected?.length) return { accepted: false, error: `server rejected ${info.rejected.join(', ')}`, permanent: true };
      return { accepted: true, providerId: info.messageId ?? messageId };
    } catch (err) {
      const e = err as Error & { responseCode?: number; code?: string };
      const code = e.responseCode;
      return { accepted: false, error: code ? `SMTP ${code}: ${e.message}` : e.message, permanent: code !== undefined && code >= 500 };
    }
  }
}
