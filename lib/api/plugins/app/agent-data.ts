/**
 * The store as the agent desktop and recording routes use it, decorated on
 * the instance (`app.agentData`) so that those routes do not import lib/store
 * (test/unit/house/structure.test.ts). Each member is bound to the app's Redis.
 * Owns nothing to close: the Redis connection is the caller's (plugins/app/config.ts).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { getCampaign } from '../../../store/campaigns';
import { getContact } from '../../../store/contacts';
import { getDisposition, type DispositionRecord } from '../../../store/agent-dispositions';
import { saveDispositionAndDecide } from '../../../dialer/agent-decision';
import type { DialerEvent } from '../../../dialer/events';
import { fromDialerEvent } from '../../../monitor/sources';
import { getAgentLive } from '../../../store/agent-live';
import { agentCallAt, agentCalls, getScript, setScript } from '../../../store/agent-calls';
import {
  getRecording,
  getRecordingSettings,
  listRecordings,
  recordingId,
  setRecordingSettings,
  type RecordingMeta,
  type RecordingSettings,
} from '../../../store/recordings';
import { readAttempts } from '../../../reports/source';
import { getAgent } from '../../../store/agents';
import { listCampaigns } from '../../../store/campaigns';
import { listCallbacks, type Callback } from '../../../store/callbacks';

/**
 * The agent's own callbacks in every campaign that dials for one of the
 * agent's groups (not only the campaign of the last call), soonest first.
 */
async function agentCallbacks(redis: Redis, agentId: string): Promise<Callback[]> {
  const agent = await getAgent(redis, agentId);
  if (!agent) return [];
  const groups = new Set(agent.groups);
  const served = (await listCampaigns(redis)).filter((c) => c.agentGroups.some((g) => groups.has(g)));
  const lists = await Promise.all(served.map((c) => listCallbacks(redis, c.id, { owner: agentId })));
  return lists.flat().sort((a, b) => a.dueAt - b.dueAt);
}

export type { RecordingMeta };
export { RECORDING_FROM, type RecordingFrom } from '../../../store/recordings';

function agentData(redis: Redis, publish?: (e: DialerEvent) => void) {
  return {
    getCampaign: (id: string) => getCampaign(redis, id),
    getContact: (listId: string, contactId: string) => getContact(redis, listId, contactId),
    getDisposition: (campaignId: string, attemptId: string) => getDisposition(redis, campaignId, attemptId),
    saveDisposition: (d: DispositionRecord) => saveDispositionAndDecide(redis, d, publish),
    getAgentLive: (id: string) => getAgentLive(redis, id),
    agentCallAt: (agentId: string, campaignId: string, attemptId: string) => agentCallAt(redis, agentId, campaignId, attemptId),
    agentCalls: (agentId: string, since: number) => agentCalls(redis, agentId, since),
    getScript: (campaignId: string) => getScript(redis, campaignId),
    setScript: (campaignId: string, text: string) => setScript(redis, campaignId, text),
    getRecording: (id: string) => getRecording(redis, id),
    recordingId,
    listRecordings: (f: Parameters<typeof listRecordings>[1]) => listRecordings(redis, f),
    getRecordingSettings: (campaignId: string) => getRecordingSettings(redis, campaignId),
    setRecordingSettings: (campaignId: string, s: RecordingSettings) => setRecordingSettings(redis, campaignId, s),
    readAttempts: (campaignId: string) => readAttempts(redis, campaignId),
    agentCallbacks: (agentId: string) => agentCallbacks(redis, agentId),
  };
}

export type AgentData = ReturnType<typeof agentData>;

declare module 'fastify' {
  interface FastifyInstance {
    agentData: AgentData;
  }
}

export const agentDataPlugin = fp(
  async (app: FastifyInstance) => {
    // A re-coding is announced on the monitor hub (registered later: looked up when a disposition is saved).
    app.decorate(
      'agentData',
      agentData(app.redis, (e) => {
        if (app.hasDecorator('monitor')) app.monitor.hub.publish(fromDialerEvent(e));
      }),
    );
  },
  { name: 'agent-data' },
);

export default agentDataPlugin;
