/**
 * `dialer.agents`: live agent settings (seed 001). Owned by the agents work;
 * plugged into `dialer` in ./dialer.ts.
 */
export const agentsSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /** Longest time in each state before the agent is released (logged out), seconds; 0 = never. Seed 001: 30/60 min. */
    idleLimits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        readySec: { type: 'integer', minimum: 0, default: 3600 },
        wrapUpSec: { type: 'integer', minimum: 0, default: 1800 },
        breakSec: { type: 'integer', minimum: 0, default: 3600 },
        awaySec: { type: 'integer', minimum: 0, default: 1800 },
      },
    },
    /** How often the sweeper looks for agents over their idle limit, seconds. */
    sweepIntervalSec: { type: 'number', minimum: 0.05, default: 15 },
    /** How long the agent's phone may ring at login before it is given up. */
    loginRingTimeoutSec: { type: 'integer', minimum: 1, maximum: 300, default: 30 },
    /** The "a customer is here" beep the agent hears before the bridge. */
    beep: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        freqHz: { type: 'integer', minimum: 100, maximum: 4000, default: 1000 },
        durationMs: { type: 'integer', minimum: 20, maximum: 2000, default: 200 },
      },
    },
    /** How long a supervisor's phone may ring when they ask to listen in. */
    supervisorRingTimeoutSec: { type: 'integer', minimum: 1, maximum: 300, default: 30 },
    /** Call recordings (campaigns turn them on with PUT /campaigns/:id/recording). */
    recording: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Folder of the WAV files (created at start; one sub-folder per campaign). */
        dir: { type: 'string', minLength: 1, default: 'data/recordings' },
        /** Recordings older than this are deleted (file and metadata); 0 = kept forever. */
        retentionDays: { type: 'number', minimum: 0, default: 90 },
        /** How often the retention sweep runs, seconds. */
        sweepIntervalSec: { type: 'number', minimum: 1, default: 3600 },
      },
    },
  },
} as const;

export interface AgentsConfig {
  idleLimits: { readySec: number; wrapUpSec: number; breakSec: number; awaySec: number };
  sweepIntervalSec: number;
  loginRingTimeoutSec: number;
  beep: { freqHz: number; durationMs: number };
  supervisorRingTimeoutSec: number;
  recording: { dir: string; retentionDays: number; sweepIntervalSec: number };
}
