/**
 * The shared contract suite against the freeswitch driver, with a live
 * drachtio-server and FreeSWITCH (freeswitch-conf/) and SIPp far ends on
 * 127.0.0.1. Configured by the dialer's own config keys, read by the config
 * loader from this process's environment (README: "Running the contract suite
 * against FreeSWITCH"), e.g.
 *   DIALER_TELEPHONY__FREESWITCH__DRACHTIO__HOST=127.0.0.1
 *   DIALER_TELEPHONY__FREESWITCH__DRACHTIO__SECRET=cymru
 *   DIALER_TELEPHONY__FREESWITCH__MEDIA_SERVERS='[{"address":"127.0.0.1","secret":"ClueCon","local":true,"listenAddress":"127.0.0.1"}]'
 * Without them it skips with a message.
 */
import t from 'tap';
import pino from 'pino';
import { loadConfig } from '../../lib/config';
import { createFreeswitchDriver } from '../../lib/telephony/drivers/freeswitch';
import { runContractSuite } from './suite';

const env = process.env;
const LIVE_KEY = 'DIALER_TELEPHONY__FREESWITCH__DRACHTIO__HOST';

if (!env[LIVE_KEY]) {
  t.test('freeswitch driver contract suite', { skip: `no live drachtio-server/FreeSWITCH: set ${LIVE_KEY}, DIALER_TELEPHONY__FREESWITCH__DRACHTIO__SECRET and DIALER_TELEPHONY__FREESWITCH__MEDIA_SERVERS to run it (README, deployment guide)` }, () => undefined);
} else {
  void runContractSuite(t, async (trunk, media) => {
    const config = loadConfig({
      env,
      overrides: {
        telephony: { driver: 'freeswitch', trunks: [{ name: trunk.name, address: trunk.address, ...(trunk.username ? { username: trunk.username, password: trunk.password } : {}) }] },
        ...(media ? { media } : {}),
      },
    });
    const driver = createFreeswitchDriver({ config, logger: pino({ level: env.DIALER_LOG__LEVEL ? 'info' : 'silent' }) });
    await driver.start();
    return driver;
  });
}
