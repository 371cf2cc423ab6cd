import type { FastifyPluginAsync } from 'fastify';
import { campaignRoutes } from './campaigns';
import { agentRoutes } from './agents';
import { groupRoutes } from './groups';
import { dncRoutes } from './dnc';
import listRoutes from './lists';
import contactRoutes from './contacts';
import importRoutes from './imports';
import relistRoutes from './relist';
import { agentLiveRoutes } from './agent-live';
import { callbackRoutes } from './callbacks';
import { monitor } from '../../monitor/plugin';
import { eventRoutes } from './events';
import { reportRoutes } from './reports';
import { metricsRoutes } from './metrics';
import { webhookRoutes } from './webhooks';
import { dashboardRoutes } from './dashboard';
import { messageRoutes } from './messages';
import { authRoutes } from './auth';
import { recordingRoutes } from './recordings';
import { agentPageRoutes } from './agent-page';
import { agentDataPlugin } from '../plugins/agent-data';
import { inboundDataPlugin } from '../plugins/inbound-data';
import { inboundRoutes } from './inbound';

/**
 * Every route plugin, one per resource, each with its JSON Schemas beside it.
 * Add a resource by adding its plugin here.
 */
export const routes: FastifyPluginAsync[] = [
  authRoutes,
  campaignRoutes,
  agentRoutes,
  groupRoutes,
  dncRoutes,
  listRoutes,
  contactRoutes,
  importRoutes,
  relistRoutes,
  agentLiveRoutes,
  callbackRoutes,
  // agentData first: the two after it read the store through it.
  agentDataPlugin,
  recordingRoutes,
  agentPageRoutes,
  // monitor first: it decorates app.monitor for the routes after it (fastify-plugin, not encapsulated).
  monitor,
  eventRoutes,
  reportRoutes,
  metricsRoutes,
  webhookRoutes,
  dashboardRoutes,
  // after monitor: messaging events are republished on its hub.
  messageRoutes,
  // inboundData first: the inbound routes read the store through it.
  inboundDataPlugin,
  inboundRoutes,
];
