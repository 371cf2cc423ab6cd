/** Prometheus scrape endpoint (text exposition format 0.0.4). */
import { Type } from '@sinclair/typebox';
import type { RoutePlugin } from '../typebox';
import { errorResponses } from '../errors';
import { SUPERVISOR } from '../auth';

export const metricsRoutes: RoutePlugin = async (app) => {
  app.get(
    '/metrics',
    {
      // Prometheus sends the key with `authorization: { credentials: <key> }` in its scrape config.
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['system'],
        summary:
          'Prometheus metrics: calls by state and result, calls per second, abandon rate, agents by state, Redis and driver health, event-loop lag',
        response: { 200: Type.String({ description: 'text/plain; version=0.0.4' }), ...errorResponses },
      },
    },
    async (_req, reply) => {
      app.monitor.ensureWatching();
      const reg = app.monitor.metrics.registry;
      return reply.header('content-type', reg.contentType).send(await reg.metrics());
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default metricsRoutes;
