/**
 * A misconfigured freeswitch driver refuses to start naming what is missing:
 * config keys (through the real loader and environment variables), and media
 * servers that lack the profile, modules or hold stream (pre-flight over ESL).
 */
import t from 'tap';
import pino from 'pino';
import { loadConfig, ConfigError } from '../../../lib/config';
import { createFreeswitchDriver } from '../../../lib/telephony/drivers/freeswitch';
import { preflightMediaServer } from '../../../lib/telephony/drivers/freeswitch/preflight';
import { parseReasonHeader, q850FromCauseName } from '../../../lib/telephony/drivers/freeswitch/causes';
import { FreeswitchDriver } from '../../../lib/telephony/drivers/freeswitch/driver';
import { CommandLog, FakeMrf, FakeSrf, ManualClock, TRUNK, fakeEsl, fsConfig, quietAnalyzer } from './fakes';

const silent = pino({ level: 'silent' });
const base = {
  DIALER_TELEPHONY__DRIVER: 'freeswitch',
  DIALER_TELEPHONY__TRUNKS: '[{"name":"carrier","address":"127.0.0.1:5070"}]',
  DIALER_TELEPHONY__FREESWITCH__DRACHTIO__HOST: '127.0.0.1',
  DIALER_TELEPHONY__FREESWITCH__DRACHTIO__SECRET: 'cymru',
  DIALER_TELEPHONY__FREESWITCH__MEDIA_SERVERS: '[{"address":"127.0.0.1","secret":"ClueCon"}]',
};

async function startError(env: Record<string, string | undefined>): Promise<ConfigError> {
  const config = loadConfig({ env });
  const driver = createFreeswitchDriver({ config, logger: silent });
  try {
    await driver.start();
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('start() did not refuse');
}

t.test('each missing key is named', async (t) => {
  const cases: Array<[string, string]> = [
    ['DIALER_TELEPHONY__FREESWITCH__DRACHTIO__HOST', 'telephony.freeswitch.drachtio.host'],
    ['DIALER_TELEPHONY__FREESWITCH__DRACHTIO__SECRET', 'telephony.freeswitch.drachtio.secret'],
    ['DIALER_TELEPHONY__FREESWITCH__MEDIA_SERVERS', 'telephony.freeswitch.mediaServers'],
    ['DIALER_TELEPHONY__TRUNKS', 'telephony.trunks'],
  ];
  for (const [envKey, key] of cases) {
    const err = await startError({ ...base, [envKey]: undefined });
    t.type(err, ConfigError, key);
    t.equal(err.key, key);
    t.match(err.message, key);
  }
  const noSecret = await startError({ ...base, DIALER_TELEPHONY__FREESWITCH__MEDIA_SERVERS: '[{"address":"10.0.0.5"}]' });
  t.equal(noSecret.key, 'telephony.freeswitch.mediaServers.0.secret');
  const remoteStream = await startError({ ...base, DIALER_TELEPHONY__FREESWITCH__AUDIO_MODE: 'stream' });
  t.equal(remoteStream.key, 'telephony.freeswitch.mediaServers.0.local');
  t.match(remoteStream.message, /audio pipe exists only on the FreeSWITCH host/);
});

t.test('native detection needs an address FreeSWITCH sends the audio fork to (mediaServers[].forkAddress)', async (t) => {
  // base: a remote media server, audioMode auto → native there, no forkAddress nor listenAddress.
  const auto = await startError(base);
  t.type(auto, ConfigError);
  t.equal(auto.key, 'telephony.freeswitch.mediaServers.0.forkAddress');
  t.match(auto.message, /required for native detection on 127\.0\.0\.1 \(audioMode "auto"\).*person\/machine decision/);
  // With one, or a listenAddress, or a local media server (loopback), start() gets past the config checks
  // (then fails to connect: nothing listens) — with dialer.runner.notSure at its default.
  for (const servers of [
    '[{"address":"10.0.0.5","secret":"ClueCon","forkAddress":"10.0.0.2"}]',
    '[{"address":"10.0.0.5","secret":"ClueCon","listenAddress":"10.0.0.2"}]',
    '[{"address":"127.0.0.1","secret":"ClueCon","local":true}]',
  ]) {
    const past = await startError({
      ...base,
      DIALER_TELEPHONY__FREESWITCH__MEDIA_SERVERS: servers,
      DIALER_TELEPHONY__FREESWITCH__AUDIO_MODE: 'native',
      DIALER_TELEPHONY__FREESWITCH__DRACHTIO__PORT: '9',
      DIALER_TELEPHONY__FREESWITCH__CONNECT_TIMEOUT_MS: '500',
    });
    t.notOk(past instanceof ConfigError, `${servers}: not a config error: ${past.message}`);
    t.match(past.message, /cannot connect to drachtio-server 127\.0\.0\.1:9/);
  }
  // Stream mode on a local server needs no fork address.
  const stream = await startError({
    ...base,
    DIALER_TELEPHONY__FREESWITCH__MEDIA_SERVERS: '[{"address":"127.0.0.1","secret":"ClueCon","local":true}]',
    DIALER_TELEPHONY__FREESWITCH__AUDIO_MODE: 'stream',
    DIALER_TELEPHONY__FREESWITCH__DRACHTIO__PORT: '9',
    DIALER_TELEPHONY__FREESWITCH__CONNECT_TIMEOUT_MS: '500',
  });
  t.notOk(stream instanceof ConfigError, `stream: ${stream.message}`);
});

t.test('schema rejects unknown and ill-typed freeswitch keys', async (t) => {
  const keyOf = (extra: Record<string, string>) => {
    try {
      loadConfig({ env: { ...base, ...extra } });
    } catch (err) {
      return (err as ConfigError).key;
    }
    return 'accepted';
  };
  t.equal(keyOf({ DIALER_TELEPHONY__FREESWITCH__AUDIO_MODE: 'magic' }), 'telephony.freeswitch.audioMode');
  t.equal(keyOf({ DIALER_TELEPHONY__FREESWITCH__DRACHTIO__PORTT: '1' }), 'telephony.freeswitch.drachtio.portt');
  const c = loadConfig({ env: base });
  t.match(c.telephony.freeswitch, {
    audioMode: 'auto',
    holdStream: 'dialer_hold',
    beepDetector: 'spandsp',
    mediaServers: [{ port: 8021, profile: 'drachtio_mrf', local: false }],
  });
});

t.test('pre-flight names the missing profile, module or hold stream and the file to fix', async (t) => {
  const ms = { address: '10.0.0.5', port: 8021, secret: 'x', profile: 'drachtio_mrf', listenAddress: '', local: false, forkAddress: '' };
  const needs = { spandsp: true, avmd: true };
  const run = (answers: Record<string, string>) =>
    fakeEsl(
      new CommandLog(),
      answers,
    )({ address: ms.address, port: 8021, secret: 'x' }).then((esl) => preflightMediaServer(esl, ms, 'dialer_hold', needs));
  await t.resolves(run({}));
  await t.rejects(
    run({ 'sofia status': '  internal\tprofile\tsip:mod_sofia@10.0.0.5:5060\tRUNNING (0)\n' }),
    /no running sofia profile "drachtio_mrf".*sip_profiles\/drachtio_mrf.xml/,
  );
  await t.rejects(
    run({ 'module_exists mod_avmd': 'false' }),
    /has not loaded mod_avmd \(freeswitch-conf\/autoload_configs\/modules.conf.xml\)/,
  );
  await t.rejects(run({ 'local_stream show': 'moh\n' }), /no local_stream "dialer_hold"/);
});

t.test('a failing media server stops start() with the reason; nothing is left connected', async (t) => {
  const log = new CommandLog();
  const srf = new FakeSrf(log);
  const mrf = new FakeMrf(log);
  const d = new FreeswitchDriver({
    config: { freeswitch: fsConfig({ beepDetector: 'avmd' }), trunks: [TRUNK], defaultRegion: 'JP' },
    srf,
    mrf,
    esl: fakeEsl(log, { 'module_exists mod_avmd': 'false' }),
    openTap: async () => {
      throw new Error('unused');
    },
    openFork: async () => {
      throw new Error('unused');
    },
    createAnalyzer: quietAnalyzer,
    clock: new ManualClock(),
    logger: silent,
  });
  await t.rejects(d.start(), /freeswitch driver: FreeSWITCH fs1:8021 has not loaded mod_avmd/);
  t.notOk(srf.connected, 'drachtio disconnected again');
  t.equal(mrf.servers.size, 0, 'fsmrf never connected to a server that failed pre-flight');
  t.same(log.lines().at(-1), 'esl close');
});

t.test('Reason headers and hangup causes', async (t) => {
  t.same(parseReasonHeader('SIP;cause=200;text="Call completed elsewhere", Q.850;cause=17;text="User busy"'), {
    q850: 17,
    text: 'User busy',
  });
  t.same(parseReasonHeader(undefined), {});
  t.equal(q850FromCauseName('USER_BUSY'), 17);
  t.equal(q850FromCauseName('ORIGINATOR_CANCEL'), undefined, 'FreeSWITCH-only causes are not Q.850');
  t.equal(q850FromCauseName('whatever'), undefined);
});

t.test('the fork port range (forkPortMin/forkPortMax): a bad one is refused at start naming the key', async (t) => {
  const withFork = {
    ...base,
    DIALER_TELEPHONY__FREESWITCH__MEDIA_SERVERS: '[{"address":"127.0.0.1","secret":"ClueCon","forkAddress":"127.0.0.1"}]',
  };
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ DIALER_TELEPHONY__FREESWITCH__FORK_PORT_MIN: '40000' }, 'telephony.freeswitch.forkPortMax', /must be set when forkPortMin is/],
    [{ DIALER_TELEPHONY__FREESWITCH__FORK_PORT_MAX: '40000' }, 'telephony.freeswitch.forkPortMin', /must be set when forkPortMax is/],
    [
      { DIALER_TELEPHONY__FREESWITCH__FORK_PORT_MIN: '1000', DIALER_TELEPHONY__FREESWITCH__FORK_PORT_MAX: '2000' },
      'telephony.freeswitch.forkPortMin',
      /privileged/,
    ],
    [
      { DIALER_TELEPHONY__FREESWITCH__FORK_PORT_MIN: '41000', DIALER_TELEPHONY__FREESWITCH__FORK_PORT_MAX: '40000' },
      'telephony.freeswitch.forkPortMax',
      /below forkPortMin 41000/,
    ],
    [
      { DIALER_TELEPHONY__FREESWITCH__FORK_PORT_MIN: '40001', DIALER_TELEPHONY__FREESWITCH__FORK_PORT_MAX: '40001' },
      'telephony.freeswitch.forkPortMax',
      /no even port/,
    ],
  ];
  for (const [env, key, re] of cases) {
    const err = await startError({ ...withFork, ...env });
    t.type(err, ConfigError, key);
    t.equal(err.key, key);
    t.match(err.message, re);
  }
  // Out of the port space: the schema names the key.
  t.throws(() => loadConfig({ env: { ...withFork, DIALER_TELEPHONY__FREESWITCH__FORK_PORT_MAX: '70000' } }), /forkPortMax/);
});
