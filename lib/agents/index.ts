/**
 * Live agents (seed 001): the state machine, idle rules and the desk that the
 * runner (lib/dialer) and the API (lib/api/routes/agent-desk.ts) use.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AgentsConfig } from '../config/sections/agents';
import type { TelephonyDriver } from '../telephony/contract';
import { getAgent } from '../store/agents';
import { LiveAgentDesk } from './desk';

export { LiveAgentDesk, type AgentDefinition, type AgentDeskDeps, type DeskEvents } from './desk';
export { AgentDeskError } from './errors';
export * from './state';
export * from './idle';

/** The desk on the agent definitions of lib/store/agents.ts. Call `start()` after creating it. */
export function createAgentDesk(o: {
  redis: Redis;
  driver: TelephonyDriver;
  log: Logger;
  config: AgentsConfig;
  clock?: () => number;
  nodeId?: string;
  localReservations?: boolean;
}): LiveAgentDesk {
  return new LiveAgentDesk({
    ...o,
    directory: async (id) => {
      const a = await getAgent(o.redis, id);
      return a ? { id: a.id, name: a.name, sipUri: a.sipUri, groups: a.groups } : null;
    },
  });
}
