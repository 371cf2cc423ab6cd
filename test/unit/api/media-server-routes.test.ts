/**
 * The media-server routes are registered only beside a live dialer whose driver pools FreeSWITCH servers, so
 * the API-only builds of the other API tests never meet them: a plain JSON Schema reply there (refused by
 * buildApp's untypedReply check) stopped every FreeSWITCH-driver start, caught only by the live suites. Their
 * schemas are checked here as buildApp checks them, and their replies serialized.
 */
import t from 'tap';
import Fastify, { type RouteOptions } from 'fastify';
import { missingSuccessSchema, untypedReply } from '../../../lib/api/app';
import { mediaServerRoutes } from '../../../lib/api/routes/media-servers';
import { errorSchema } from '../../../lib/api/errors';
import type { MediaServerStatus } from '../../../lib/telephony/contract';

t.test('media-server routes: typed 2xx replies, as buildApp requires, and their replies serialized', async (t) => {
  const fs1: MediaServerStatus = {
    name: 'fs1',
    address: '127.0.0.1',
    port: 8021,
    state: 'active',
    connected: true,
    legs: 2,
    sessions: 3,
    maxSessions: 1000,
  };
  const app = Fastify();
  app.addSchema(errorSchema); // the error replies' $ref (plugins/external/sensible.ts)
  t.teardown(() => app.close());
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (r) => void routes.push(r));
  await app.register(
    mediaServerRoutes({
      pool: { mediaServers: () => [fs1], drainMediaServer: (name) => (name === 'fs1' ? { ...fs1, state: 'draining' } : undefined) },
    }),
  );
  await app.ready();
  const names = routes.map((r) => `${String(r.method)} ${r.url}`);
  t.ok(names.includes('GET /telephony/media-servers') && names.includes('POST /telephony/media-servers/:name/drain'), names.join(', '));
  for (const r of routes)
    t.equal(missingSuccessSchema(r) ?? untypedReply(r), undefined, `${String(r.method)} ${r.url}: accepted by buildApp`);
  const list = await app.inject({ url: '/telephony/media-servers' });
  t.same(list.json(), [fs1], 'GET serializes each status whole');
  const drained = await app.inject({ method: 'POST', url: '/telephony/media-servers/fs1/drain' });
  t.same(drained.json(), { ...fs1, state: 'draining' }, 'drain answers the new state');
});
