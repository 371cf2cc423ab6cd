/**
 * The configuration's TypeScript type is derived from its schema (lib/config/schema.ts, TypeBox), not
 * written beside it: these assertions compile only while that holds. Checked by `npm run typecheck`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { configSchema } from '../../lib/config/schema';
import type { Config, Role, ApiKeyConfig } from '../../lib/config';
import type { TrunkConfig } from '../../lib/config/sections/embedded';
import { assertType, type Equal } from './expect';

// Keys, value types and enums come from the schema.
assertType<Equal<Config['api']['port'], number>>();
assertType<Equal<Config['log']['level'], 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>>();
assertType<Equal<Config['telephony']['driver'], 'embedded' | 'freeswitch'>>();
assertType<Equal<Role, 'admin' | 'supervisor' | 'agent'>>();
assertType<Equal<Config['redis']['cluster'], string[]>>();
// A key with a default is always there after loadConfig; one without a default (and not required) is optional.
assertType<Equal<TrunkConfig['maxChannels'], number>>();
assertType<Equal<undefined extends TrunkConfig['username'] ? true : false, true>>();
assertType<Equal<undefined extends ApiKeyConfig['keyHash'] ? true : false, true>>();
assertType<Equal<undefined extends Config['api']['port'] ? true : false, false>>();

declare const config: Config;
// @ts-expect-error a key the schema does not define is not in the type
void config.api.portt;
// @ts-expect-error nor a section it does not define
void config.nonsense;

// A schema change changes the type: the same schema with api.port as a string and one key more.
const changed = Type.Object({
  ...configSchema.properties,
  api: Type.Object({ ...configSchema.properties.api.properties, port: Type.String(), tls: Type.Boolean({ default: false }) }),
});
type Changed = Static<typeof changed>;
void changed;
assertType<Equal<Changed['api']['port'], string>>();
assertType<Equal<Changed['api']['tls'], boolean>>();
// @ts-expect-error the unchanged type has no api.tls
void config.api.tls;
