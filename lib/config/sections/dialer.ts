/** Dialer runtime settings (runner, pacing, agents). Owned by the runtime work. */
import { agentsSchema, type AgentsConfig } from './agents';

export const dialerSchema = {
  type: 'object',
  additionalProperties: true,
  default: {},
  properties: {
    agents: agentsSchema,
  },
} as const;

export type DialerConfig = Record<string, unknown> & { agents: AgentsConfig };
