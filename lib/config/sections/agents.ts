/**
 * `dialer.agents`: live agent settings (seed 001). Owned by the agents work;
 * plugged into `dialer` in ./dialer.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
export const agentsSchema = Type.Object(
  {
    /** Longest time in each state before the agent is released (logged out), seconds; 0 = never. Seed 001: 30/60 min. */
    idleLimits: Type.Object(
      {
        readySec: Type.Integer({ minimum: 0, default: 3600 }),
        wrapUpSec: Type.Integer({ minimum: 0, default: 1800 }),
        breakSec: Type.Integer({ minimum: 0, default: 3600 }),
        awaySec: Type.Integer({ minimum: 0, default: 1800 }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    /** How often the sweeper looks for agents over their idle limit, seconds. */
    sweepIntervalSec: Type.Number({ minimum: 0.05, default: 15 }),
    /** How long the agent's phone may ring at login before it is given up. */
    loginRingTimeoutSec: Type.Integer({ minimum: 1, maximum: 300, default: 30 }),
    /** The "a customer is here" beep the agent hears before the bridge. */
    beep: Type.Object(
      {
        freqHz: Type.Integer({ minimum: 100, maximum: 4000, default: 1000 }),
        durationMs: Type.Integer({ minimum: 20, maximum: 2000, default: 200 }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    /** How long a supervisor's phone may ring when they ask to listen in. */
    supervisorRingTimeoutSec: Type.Integer({ minimum: 1, maximum: 300, default: 30 }),
    /** Call recordings (campaigns turn them on with PUT /campaigns/:id/recording). */
    recording: Type.Object(
      {
        /** Folder of the WAV files (created at start; one sub-folder per campaign). */
        dir: Type.String({ minLength: 1, default: 'data/recordings' }),
        /** Recordings older than this are deleted (file and metadata); 0 = kept forever. */
        retentionDays: Type.Number({ minimum: 0, default: 90 }),
        /** How often the retention sweep runs, seconds. */
        sweepIntervalSec: Type.Number({ minimum: 1, default: 3600 }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
  },
  {
    additionalProperties: false,
    default: {},
  },
);

export type AgentsConfig = Static<typeof agentsSchema>;
