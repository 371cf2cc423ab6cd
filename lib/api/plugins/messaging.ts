/**
 * The messaging core (SMS/e-mail sending, receipts, replies) as a
 * fastify-plugin: it starts only when `messaging.enabled`, decorates
 * `app.messaging` for the message routes, republishes its events on the
 * monitor's hub, and stops with the app (onClose). Routes never start it.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { startMessaging } from '../../messaging';

async function messagingPlugin(app: FastifyInstance): Promise<void> {
  if (!app.config.messaging.enabled || app.messaging) return;
  const m = await startMessaging({ config: app.config, redis: app.redis, log: app.log.child({ part: 'messaging' }) as unknown as Logger });
  app.decorate('messaging', m);
  const off = m.service.events.onEvent((e) => app.monitor.hub.publish({ type: e.type, at: e.at, campaignId: e.campaignId, data: e.data }));
  app.addHook('onClose', async () => {
    off();
    await m.stop();
  });
}

export default fp(messagingPlugin, { name: 'messaging', dependencies: ['monitor'], decorators: { fastify: ['config', 'redis'] } });
