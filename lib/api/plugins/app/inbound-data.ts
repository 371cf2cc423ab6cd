/**
 * The inbound-route store as the inbound routes use it, decorated on the
 * instance (`app.inboundData`) so that the route file does not import
 * lib/store (test/unit/house/structure.test.ts). Bound to the app's Redis.
 * Owns nothing to close: the Redis connection is the caller's (plugins/app/config.ts).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { deleteRoute, getInboundCall, getRoute, listRoutes, putRoute, recentInboundCalls, setOverride } from '../../../store/inbound';
import { addCustomerOutcome, listCustomerOutcomes } from '../../../store/customer-outcomes';
import type { OutcomeRecord } from '../../../domain/customer-outcome';
import type { InboundRoute, Override } from '../../../inbound/route';

function inboundData(redis: Redis) {
  return {
    putRoute: (r: InboundRoute) => putRoute(redis, r),
    getRoute: (did: string) => getRoute(redis, did),
    listRoutes: () => listRoutes(redis),
    deleteRoute: (did: string) => deleteRoute(redis, did),
    setOverride: (did: string, o: Override | undefined) => setOverride(redis, did, o),
    recentCalls: (limit: number) => recentInboundCalls(redis, limit),
    getCall: (id: string) => getInboundCall(redis, id),
    addOutcome: (r: OutcomeRecord) => addCustomerOutcome(redis, r),
    listOutcomes: (campaignIds: readonly string[], listId: string, contactId: string) =>
      listCustomerOutcomes(redis, campaignIds, listId, contactId),
  };
}

export type InboundData = ReturnType<typeof inboundData>;

declare module 'fastify' {
  interface FastifyInstance {
    inboundData: InboundData;
  }
}

export const inboundDataPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('inboundData', inboundData(app.redis));
  },
  { name: 'inbound-data' },
);

export default inboundDataPlugin;
