/** Telephony driver selection and trunks. Owned by the driver work. */
import { freeswitchSchema, type FreeswitchConfig } from './freeswitch';

export const telephonySchema = {
  type: 'object',
  additionalProperties: true,
  default: {},
  properties: {
    driver: { type: 'string', enum: ['embedded', 'freeswitch'], default: 'embedded' },
    freeswitch: freeswitchSchema,
  },
} as const;

export interface TelephonyConfig {
  driver: 'embedded' | 'freeswitch';
  freeswitch: FreeswitchConfig;
  [k: string]: unknown;
}
