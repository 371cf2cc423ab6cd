/**
 * The example configurations in config/ load and validate against the schema
 * (through DIALER_CONFIG, as `dialer serve` reads them) and describe the
 * deployments their README names.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../../lib/config';

const DIR = join(__dirname, '..', '..', '..', 'config');
const load = (name: string) => loadConfig({ env: { DIALER_CONFIG: join(DIR, name) } });

t.test('every config/*.json validates against the schema', async (t) => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  t.same(files.sort(), ['cluster.json', 'single-box.json', 'test.json']);
  for (const f of files) t.doesNotThrow(() => load(f), f);
});

t.test('each example is the deployment it says', async (t) => {
  const one = load('single-box.json');
  t.equal(one.telephony.driver, 'embedded');
  t.equal(one.redis.url, '', 'its own redis-server');
  t.equal(one.telephony.trunks.length, 1);
  t.ok(one.telephony.trunks[0]!.username && one.telephony.trunks[0]!.password, 'a trunk with credentials');
  t.ok(one.log.redactPhoneNumbers);
  t.ok(
    one.api.keys.every((k) => k.keyHash && !k.key),
    'keys only as hashes',
  );

  const many = load('cluster.json');
  t.equal(many.telephony.driver, 'freeswitch');
  t.ok(many.redis.cluster.length >= 3, 'Redis Cluster seeds');
  t.ok(many.telephony.freeswitch.mediaServers.length >= 2, 'several media servers');
  t.ok(many.api.keys.every((k) => k.keyHash && !k.key));

  const test = load('test.json');
  t.equal(test.api.host, '127.0.0.1');
  t.ok(
    test.telephony.trunks.every((tr) => tr.address.startsWith('127.')),
    'loopback only',
  );
});

t.test('environment variables override the file, naming the key when wrong', async (t) => {
  const c = loadConfig({ env: { DIALER_CONFIG: join(DIR, 'single-box.json'), DIALER_API__PORT: '9000' } });
  t.equal(c.api.port, 9000);
  t.throws(() => loadConfig({ env: { DIALER_CONFIG: join(DIR, 'single-box.json'), DIALER_API__PORT: '"x"' } }), /api\.port/);
});
