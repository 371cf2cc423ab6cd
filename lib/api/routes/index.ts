import type { FastifyPluginAsync } from 'fastify';
import { campaignRoutes } from './campaigns';
import { agentRoutes } from './agents';
import { groupRoutes } from './groups';
import { dncRoutes } from './dnc';
import listRoutes from './lists';
import contactRoutes from './contacts';
import { customerRoutes } from './customers';
import importRoutes from './imports';
import relistRoutes from './relist';
import { agentLiveRoutes } from './agent-live';
import { callbackRoutes } from './callbacks';
import { eventRoutes } from './events';
import { reportRoutes } from './reports';
import { returnCallReportRoutes } from './return-call-reports';
import { metricsRoutes } from './metrics';
import { webhookRoutes } from './webhooks';
import { dashboardRoutes } from './dashboard';
import { messageRoutes } from './messages';
import { authRoutes } from './auth';
import { recordingRoutes } from './recordings';
import { agentPageRoutes } from './agent-page';
import { agentDeskRoutes } from './agent-desk';
import { superviseRoutes } from './supervise';
import { mediaServerRoutes } from './media-servers';

/** The routes that need the live dialer (`app.dialer`, plugins/runtime.ts): offered only when it runs in this process. */
const runtimeRoutes: FastifyPluginAsync = async (app) => {
  const d = app.dialer;
  if (!d) return;
  await app.register(agentDeskRoutes({ desk: d.desk, clock: d.clock }));
  if (d.supervisor) await app.register(superviseRoutes({ supervisor: d.supervisor }));
  if (d.inbound) await app.register(inboundCallRoutes({ inbound: d.inbound }));
  const { driver } = d;
  if (driver.mediaServers && driver.drainMediaServer) {
    const pool = { mediaServers: driver.mediaServers.bind(driver), drainMediaServer: driver.drainMediaServer.bind(driver) };
    await app.register(mediaServerRoutes({ pool }));
  }
};
import { inboundDataPlugin } from '../plugins/inbound-data';
import { inboundRoutes } from './inbound';
import { inboundCallRoutes } from './inbound-calls';
import { customerOutcomeRoutes } from './customer-outcomes';

/**
 * Every route plugin, one per resource, each with its JSON Schemas beside it.
 * Add a resource by adding its plugin here. They read what the app plugins
 * decorate (app.store, app.monitor, app.dialer, app.messaging: lib/api/app.ts
 * registers those first), so their order here does not matter.
 */
export const routes: FastifyPluginAsync[] = [
  authRoutes,
  campaignRoutes,
  agentRoutes,
  groupRoutes,
  dncRoutes,
  listRoutes,
  contactRoutes,
  customerRoutes,
  importRoutes,
  relistRoutes,
  agentLiveRoutes,
  callbackRoutes,
  recordingRoutes,
  agentPageRoutes,
  eventRoutes,
  reportRoutes,
  returnCallReportRoutes,
  metricsRoutes,
  webhookRoutes,
  dashboardRoutes,
  messageRoutes,
  runtimeRoutes,
  // inboundData first: the inbound routes read the store through it.
  inboundDataPlugin,
  inboundRoutes,
  customerOutcomeRoutes,
];
