/** Dialer runtime settings (runner, pacing, agents). Owned by the runtime work. */
export const dialerSchema = {
  type: 'object',
  additionalProperties: true,
  default: {},
  properties: {},
} as const;

export type DialerConfig = Record<string, unknown>;
