/**
 * Messaging from configuration: the SMS channel (SIP MESSAGE or SMPP), the
 * e-mail channel (SMTP) when configured, the core service and the campaign
 * runner. `startMessaging` starts them all; `stop` ends them in order.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { MessageChannel, MessageKind } from './channel';
import { SipMessageChannel } from './channels/sip';
import { MessageCampaignRunner } from './runner';
import { MessagingService } from './service';

export interface Messaging {
  service: MessagingService;
  runner: MessageCampaignRunner;
  stop(): Promise<void>;
}

/* eslint-disable @typescript-eslint/no-require-imports -- SMPP and SMTP (nodemailer) are loaded only when configured: time to /health */
export function createChannels(config: Readonly<Config>, log: Logger): Partial<Record<MessageKind, MessageChannel>> {
  const m = config.messaging;
  const out: Partial<Record<MessageKind, MessageChannel>> = {};
  if (m.smsChannel === 'smpp' && m.smpp.url) {
    const { SmppChannel } = require('./channels/smpp') as typeof import('./channels/smpp');
    out.sms = new SmppChannel({ ...m.smpp, log: log.child({ channel: 'smpp' }) });
  } else if (m.smsChannel === 'sip') {
    const trunk = m.sip.trunkAddress || config.telephony.trunks[0]?.address;
    if (trunk)
      out.sms = new SipMessageChannel({
        ...m.sip,
        trunk,
        userAgent: config.telephony.embedded.sip.userAgent,
        log: log.child({ channel: 'sip-message' }),
      });
  }
  if (m.smtp.url) {
    const { SmtpChannel } = require('./channels/smtp') as typeof import('./channels/smtp');
    out.email = new SmtpChannel({ ...m.smtp, log: log.child({ channel: 'smtp' }) });
  }
  return out;
}
/* eslint-enable @typescript-eslint/no-require-imports */

export async function startMessaging(
  deps: { config: Readonly<Config>; redis: Redis; log: Logger },
  opts: { channels?: Partial<Record<MessageKind, MessageChannel>>; runner?: boolean; clock?: () => number } = {},
): Promise<Messaging> {
  const { config, redis, log } = deps;
  const service = new MessagingService({
    redis,
    config: config.messaging,
    region: config.phone.defaultRegion,
    log,
    channels: opts.channels ?? createChannels(config, log),
    clock: opts.clock,
  });
  await service.start();
  const runner = new MessageCampaignRunner(service, { tickMs: config.messaging.tickMs, leaseMs: config.messaging.leaseMs });
  if (opts.runner !== false) runner.start();
  return {
    service,
    runner,
    stop: async () => {
      await runner.stop();
      await service.stop();
    },
  };
}

export { MessagingService } from './service';
export { MessagingEvents, MESSAGE_EVENT_TYPES, type MessagingEvent } from './events';
export type { MessageChannel, ChannelEvent, OutboundMessage, SendResult } from './channel';
