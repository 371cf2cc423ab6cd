/**
 * The freeswitch driver's pool of media servers (issue 19): each server's
 * state and load, and drain: a server taken out for maintenance gets no new
 * calls, its calls go on until they end, then it leaves the pool (its event
 * socket is closed; GET shows it no more). Drain is per dialer process: each
 * process that uses the server is told (they do not share their pools).
 * Needs the running dialer with a pooling driver: registered by
 * routes/index.ts when `app.dialer.driver` has one.
 */
import { Type } from '@sinclair/typebox';
import { ReqObject, type RoutePlugin } from '../typebox';
import { errorResponses, notFound } from '../errors';
import { ADMIN, SUPERVISOR } from '../auth';
import { StringEnum } from '../../config/typebox';
import type { MediaServerStatus } from '../../telephony/contract';

const tags = ['system'];

/** TypeBox (lib/api/typebox.ts): the reply is typed, and the document is what the plain schema said. */
const statusSchema = Type.Object({
  name: Type.Optional(Type.String()),
  address: Type.Optional(Type.String()),
  port: Type.Optional(Type.Integer()),
  state: Type.Optional(
    StringEnum(['active', 'draining', 'left'] as const, {
      description: 'active: takes new calls; draining: takes none, its calls go on; left: drained and disconnected',
    }),
  ),
  connected: Type.Optional(Type.Boolean({ description: 'its event socket is up (a server that died is not, until it is back)' })),
  legs: Type.Optional(Type.Integer({ description: "this process's call legs on it" })),
  sessions: Type.Optional(Type.Integer({ description: "FreeSWITCH's session count at its last HEARTBEAT" })),
  maxSessions: Type.Optional(Type.Integer()),
});

export interface MediaServerPoolControl {
  mediaServers(): MediaServerStatus[];
  drainMediaServer(name: string): MediaServerStatus | undefined;
}

export function mediaServerRoutes(deps: { pool: MediaServerPoolControl }): RoutePlugin {
  return async (app) => {
    app.get(
      '/telephony/media-servers',
      {
        config: { roles: SUPERVISOR },
        schema: {
          tags,
          summary: "This process's media servers (freeswitch driver): state, its legs there, FreeSWITCH's session count",
          response: { 200: Type.Array(statusSchema), ...errorResponses },
        },
      },
      async () => deps.pool.mediaServers(),
    );

    app.post(
      '/telephony/media-servers/:name/drain',
      {
        config: { roles: ADMIN },
        schema: {
          tags,
          summary: 'Drain a media server: no new calls go to it, its calls go on until they end, then it leaves the pool',
          params: ReqObject({ name: Type.String({ description: 'its config name, else address:port' }) }),
          response: { 200: statusSchema, ...errorResponses },
        },
      },
      async (req) => {
        const s = deps.pool.drainMediaServer(req.params.name);
        if (!s) throw notFound('media server', req.params.name);
        return s;
      },
    );
  };
}

/** Autoloaded (lib/api/app.ts): offered only beside a live dialer whose driver has a media-server pool (FreeSWITCH). */
const liveMediaServerRoutes: RoutePlugin = async (app) => {
  const driver = app.dialer?.driver;
  if (!driver?.mediaServers || !driver.drainMediaServer) return;
  const pool = { mediaServers: driver.mediaServers.bind(driver), drainMediaServer: driver.drainMediaServer.bind(driver) };
  await app.register(mediaServerRoutes({ pool }));
};
export default liveMediaServerRoutes;
