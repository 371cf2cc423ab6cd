/** Telephony driver selection and trunks. Owned by the driver work. */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../typebox';
import { freeswitchSchema } from './freeswitch';
import { embeddedSchema, trunksSchema } from './embedded';

export const telephonySchema = Type.Object(
  {
    driver: StringEnum(['embedded', 'freeswitch'], { default: 'embedded' }),
    freeswitch: freeswitchSchema,
    embedded: embeddedSchema,
    /** SIP trunks (carriers); the first is the default. */
    trunks: trunksSchema,
  },
  {
    additionalProperties: true,
    default: {},
  },
);

export type TelephonyConfig = Static<typeof telephonySchema>;
