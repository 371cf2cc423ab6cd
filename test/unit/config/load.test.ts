import t from 'tap';
import { loadConfig, ConfigError } from '../../../lib/config';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

t.test('defaults fill an empty config', async (t) => {
  const c = loadConfig({ env: {} });
  t.equal(c.api.port, 8080);
  t.equal(c.redis.url, '');
  t.equal(c.phone.defaultRegion, 'JP');
  t.equal(c.telephony.driver, 'embedded');
  t.ok(Object.isFrozen(c.api));
});

t.test('environment overrides nest with double underscores and parse JSON', async (t) => {
  const c = loadConfig({ env: { DIALER_API__PORT: '9001', DIALER_PHONE__DEFAULT_REGION: 'US', DIALER_LOG__REDACT_PHONE_NUMBERS: 'true' } });
  t.equal(c.api.port, 9001);
  t.equal(c.phone.defaultRegion, 'US');
  t.equal(c.log.redactPhoneNumbers, true);
});

t.test('a bad value refuses with the key named', async (t) => {
  t.match(
    thrown(() => loadConfig({ env: { DIALER_API__PORT: '70000' } })),
    { name: 'ConfigError', key: 'api.port', message: /api\.port must be <= 65535/ },
  );
  t.match(
    thrown(() => loadConfig({ env: { DIALER_API__PROT: '1' } })),
    { key: 'api.prot', message: 'config key api.prot is not known (set by environment variable DIALER_API__PROT)' },
  );
  t.match(
    thrown(() => loadConfig({ env: { DIALER_TELEPHONY__DRIVER: 'asterisk' } })),
    { name: 'ConfigError', key: 'telephony.driver' },
  );
  t.type(
    thrown(() => loadConfig({ env: {}, overrides: { api: { keys: [{ key: 'short', role: 'admin' }] } } })),
    ConfigError,
  );
});

t.test('DIALER_* variables without the __ of a config key are not configuration and do not stop the start', async (t) => {
  const c = loadConfig({ env: { DIALER_LIVE_KEEP: '1', DIALER_HOME: '/srv/dialer', DIALER_: 'x', DIALER_API__PORT: '9002' } });
  t.equal(c.api.port, 9002);
  t.match(
    thrown(() => loadConfig({ env: { DIALER_APII__PORT: '1' } })),
    {
      key: 'apii',
      message: 'config key apii is not known (set by environment variable DIALER_APII__PORT)',
    },
  );
});

t.test('an unreadable file is named', async (t) => {
  t.match(
    thrown(() => loadConfig({ env: {}, file: '/nonexistent/dialer.json' })),
    { key: 'DIALER_CONFIG', message: /cannot be read/ },
  );
});

t.test('dialer.pacing.predictive carries the per-call threshold keys, defaulted and refused by name', async (t) => {
  const c = loadConfig({ env: {} });
  t.match(c.dialer.pacing.predictive, { thresholdPriorAnswers: 200, thresholdRecent: true, shiftGuardRate: 0, shiftGuardChance: 0.2 });
  const old = loadConfig({ env: {}, overrides: { dialer: { pacing: { predictive: { thresholdPriorAnswers: 0, shiftGuardChance: 0 } } } } });
  t.match(old.dialer.pacing.predictive, { thresholdPriorAnswers: 0, shiftGuardChance: 0 }, "round twelve's rule, one setting away");
  t.match(
    thrown(() => loadConfig({ env: { DIALER_DIALER__PACING__PREDICTIVE__SHIFT_GUARD_CHANCE: '1' } })),
    { name: 'ConfigError', key: 'dialer.pacing.predictive.shiftGuardChance' },
  );
});

t.test('dialer.pacing.predictive carries the break law keys (round nineteen), off by default', async (t) => {
  const c = loadConfig({ env: {} });
  t.match(c.dialer.pacing.predictive, { breakLaw: false, breakLeavers: false, breakPriorMs: 900_000 });
  const on = loadConfig({ env: {}, overrides: { dialer: { pacing: { predictive: { breakLaw: true, breakLeavers: true } } } } });
  t.match(on.dialer.pacing.predictive, { breakLaw: true, breakLeavers: true });
  t.match(
    thrown(() => loadConfig({ env: { DIALER_DIALER__PACING__PREDICTIVE__BREAK_PRIOR_MS: '10' } })),
    { name: 'ConfigError', key: 'dialer.pacing.predictive.breakPriorMs' },
  );
});
