/**
 * The dialer's live parts (driver, agent desk, runner, supervisor, inbound calls) are started by the API's
 * telephony plugin (lib/api/plugins/app/telephony.ts) when `dialer serve` enables it; the code lives in
 * lib/dialer/services.ts so that plugin can reach it (lib/ does not import app/). Re-exported here for the
 * tests that run the dialer without an API.
 */
export { createDriver, startServices, type DialerRuntime, type ServiceDeps, type Services } from '../lib/dialer/services';
