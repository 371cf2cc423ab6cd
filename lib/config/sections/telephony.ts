/** Telephony driver selection and trunks. Owned by the driver work. */
import { freeswitchSchema, type FreeswitchConfig } from './freeswitch';
import { embeddedSchema, trunksSchema, type EmbeddedConfig, type TrunkConfig } from './embedded';

export const telephonySchema = {
  type: 'object',
  additionalProperties: true,
  default: {},
  properties: {
    driver: { type: 'string', enum: ['embedded', 'freeswitch'], default: 'embedded' },
    freeswitch: freeswitchSchema,
    embedded: embeddedSchema,
    /** SIP trunks (carriers); the first is the default. */
    trunks: trunksSchema,
  },
} as const;

export interface TelephonyConfig {
  driver: 'embedded' | 'freeswitch';
  freeswitch: FreeswitchConfig;
  embedded: EmbeddedConfig;
  trunks: TrunkConfig[];
  [k: string]: unknown;
}
