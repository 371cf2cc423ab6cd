/**
 * The messaging core (SMS/e-mail sending, receipts, replies) as a
 * fastify-plugin: it starts only when `messaging.enabled`, decorates
 * `app.messaging` for the message routes, republishes its events on the
 * monitor's hub, and stops with the app (onClose). Routes never start it.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

async function messagingPlugin(app: FastifyInstance): Promise<void> {
  if (!app.config.messaging.enabled || app.messaging) return;
  // Loaded only when enabled: the channels (SMTP, SMPP, phone numbers) are not part of a start without messaging.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startMessaging } = require('../../../messaging') as typeof import('../../../messaging');
  const m = await startMessaging({ config: app.config, redis: app.redis, log: app.log.child({ part: 'messaging' }) as unknown as Logger });
  app.decorate('messaging', m);
  const off = m.service.events.onEvent((e) => app.monitor.hub.publish({ type: e.type, at: e.at, campaignId: e.campaignId, data: e.data }));
  app.addHook('onClose', async () => {
    off();
    await m.stop();
  });
}

export default fp(messagingPlugin, { name: 'messaging', dependencies: ['monitor'], decorators: { fastify: ['config', 'redis'] } });
