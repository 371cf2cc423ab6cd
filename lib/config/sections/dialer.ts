/** Dialer runtime settings (runner, pacing, agents). Owned by the runtime work. */
import { agentsSchema, type AgentsConfig } from './agents';
import { runnerSchema, promptsSchema, type RunnerConfig, type PromptsConfig } from './runner';
import { pacingSchema, type PacingConfig } from '../../pacing/schema';

export const dialerSchema = {
  type: 'object',
  additionalProperties: true,
  default: {},
  properties: {
    agents: agentsSchema,
    runner: runnerSchema,
    prompts: promptsSchema,
    pacing: pacingSchema,
  },
} as const;

export type DialerConfig = Record<string, unknown> & {
  agents: AgentsConfig;
  runner: RunnerConfig;
  prompts: PromptsConfig;
  pacing: PacingConfig;
};
