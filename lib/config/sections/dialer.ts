/** Dialer runtime settings (runner, pacing, agents). Owned by the runtime work. */
import { Type, type Static } from '@sinclair/typebox';
import { agentsSchema } from './agents';
import { runnerSchema, promptsSchema } from './runner';
import { pacingSchema } from '../../pacing/schema';

export const dialerSchema = Type.Object(
  {
    agents: agentsSchema,
    runner: runnerSchema,
    prompts: promptsSchema,
    pacing: pacingSchema,
  },
  {
    additionalProperties: true,
    default: {},
  },
);

export type DialerConfig = Static<typeof dialerSchema>;
