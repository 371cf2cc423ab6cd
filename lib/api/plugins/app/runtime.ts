/**
 * Wires the live dialer parts (`app.dialer`, started by the telephony plugin, ./telephony.ts) to the
 * monitor: supervisor events and inbound-call events go to its hub here; the monitor attaches the
 * runner's and desk's events itself once the app is ready (lib/monitor/plugin.ts). Without telephony
 * (API-only builds) there is nothing to wire.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { SupervisionEvents } from '../../../agents/supervise';

export type { DialerRuntime } from '../../../dialer/services';

async function runtimePlugin(app: FastifyInstance): Promise<void> {
  const rt = app.dialer;
  if (!rt) return;
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

export default fp(runtimePlugin, { name: 'runtime', dependencies: ['monitor', 'telephony'] });
