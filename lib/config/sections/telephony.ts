/** Telephony driver selection and trunks. Owned by the driver work. */
export const telephonySchema = {
  type: 'object',
  additionalProperties: true,
  default: {},
  properties: {
    driver: { type: 'string', enum: ['embedded', 'freeswitch'], default: 'embedded' },
  },
} as const;

export interface TelephonyConfig {
  driver: 'embedded' | 'freeswitch';
  [k: string]: unknown;
}
