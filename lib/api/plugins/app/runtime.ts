/**
 * The live dialer parts (telephony driver, agent desk, campaign runner,
 * supervisor) as a fastify-plugin: when the API runs beside them, `buildApp`
 * is given them and this decorates `app.dialer`; the agent desk and
 * supervisor routes register only then. The monitor attaches their events once
 * the app is ready (lib/monitor/plugin.ts), and supervisor events go to its
 * hub here. Without a runtime (API-only tests) nothing is decorated.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { LiveAgentDesk } from '../../../agents/desk';
import type { SupervisionEvents, Supervisor } from '../../../agents/supervise';
import type { CampaignRunner } from '../../../dialer/runner';
import type { TelephonyDriver } from '../../../telephony/contract';
import type { InboundCalls } from '../../../inbound/service';

export interface DialerRuntime {
  driver: TelephonyDriver;
  desk: LiveAgentDesk;
  /** Absent when only the desk runs (agent desktop tests). */
  runner?: CampaignRunner;
  /** Listen, whisper, barge (routes/supervise.ts); absent: those routes are not offered. */
  supervisor?: Supervisor;
  /** Return calls (issue 18); absent: /inbound-calls/:id/dnc is not offered and no inbound.* events. */
  inbound?: InboundCalls;
  /** The desk routes' clock (tests); Date.now when absent. */
  clock?: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The live dialer parts, when the API runs beside them. */
    dialer?: DialerRuntime;
  }
}

async function runtimePlugin(app: FastifyInstance, opts: { runtime?: DialerRuntime }): Promise<void> {
  const rt = opts.runtime;
  if (!rt) return;
  app.decorate('dialer', rt);
  const inbound = rt.inbound;
  if (inbound) {
    inbound.setPublisher((e) => app.monitor.hub.publish(e));
    app.addHook('onClose', async () => inbound.setPublisher(undefined));
  }
  const supervisor = rt.supervisor;
  if (supervisor) {
    // On the supervisors' stream only (not 'agent.': an agent's own stream does not tell them who listens).
    const onSupervision = (e: SupervisionEvents['supervision'][0]) =>
      app.monitor.hub.publish({ type: 'supervisor.monitor', at: e.at, agentId: e.agentId, data: { ...e } });
    supervisor.on('supervision', onSupervision);
    app.addHook('onClose', async () => {
      supervisor.off('supervision', onSupervision);
    });
  }
}

export default fp(runtimePlugin, { name: 'runtime', dependencies: ['monitor'] });
