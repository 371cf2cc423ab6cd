/**
 * The configuration's validators are generated ahead of time
 * (lib/config/validators/generate.ts, run by `npm run build`) and checked in.
 * The checked-in files must be what the schemas generate now, and they must
 * behave as ajv compiling the schema at run time would: same defaults, same
 * first error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import Ajv from 'ajv';
import { generateValidators } from '../../../lib/config/validators/generate';
import { CONFIG_AJV_OPTIONS, validatorFor } from '../../../lib/config/validators';
import { configSchema } from '../../../lib/config/schema';
import { mediaSchema } from '../../../lib/config/sections/media';
import validateConfigSchema from '../../../lib/config/validators/config-schema';
import validateMediaSchema from '../../../lib/config/validators/media-schema';

const DIR = join(__dirname, '..', '..', '..', 'lib', 'config', 'validators');

t.test('the checked-in validators are what the schemas generate (else: npm run build)', async (t) => {
  const files = generateValidators();
  t.same(Object.keys(files).sort(), ['config-schema.d.ts', 'config-schema.js', 'media-schema.d.ts', 'media-schema.js']);
  for (const [file, text] of Object.entries(files)) {
    t.ok(readFileSync(join(DIR, file), 'utf8') === text, `${file} is up to date`);
  }
});

/** Runs a validator on a copy; returns the filled value and the errors. */
function run(v: { (d: unknown): boolean; errors?: unknown }, input: unknown): { ok: boolean; value: unknown; errors: unknown } {
  const value = structuredClone(input);
  const ok = v(value);
  return { ok, value, errors: ok ? null : v.errors };
}

const CASES: unknown[] = [
  {},
  { api: { port: 9000, keys: [{ key: 'a-key-of-16-chars-or-more', role: 'admin' }] } },
  { api: { port: 70000 } },
  { api: { prot: 1 } },
  { api: { keys: [{ role: 'admin' }] } },
  { api: { keys: [{ key: 'short', role: 'admin' }] } },
  { phone: { defaultRegion: 'jp' } },
  { telephony: { driver: 'asterisk' } },
  { media: { amd: { greetingMs: -1 } } },
  { redis: { port: '6379' } },
  { log: { level: 'loud' } },
  [],
  null,
];

t.test('the generated config validator fills and refuses as ajv compiling configSchema does', async (t) => {
  const compiled = new Ajv(CONFIG_AJV_OPTIONS).compile(configSchema);
  for (const input of CASES) t.same(run(validateConfigSchema, input), run(compiled, input), JSON.stringify(input));
  t.equal(run(validateConfigSchema, {}).ok, true);
  t.equal(run(validateConfigSchema, { api: { port: 70000 } }).ok, false, 'a bad value is refused (the comparison is not vacuous)');
});

t.test('the generated media validator fills and refuses as ajv compiling mediaSchema does', async (t) => {
  const compiled = new Ajv(CONFIG_AJV_OPTIONS).compile(mediaSchema);
  const media: unknown[] = [{}, { amd: { greetingMs: -1 } }, { defaultRegion: 'JP' }, { nope: true }];
  for (const input of media) t.same(run(validateMediaSchema, input), run(compiled, input), JSON.stringify(input));
});

t.test('a file generated from another schema is not used: the schema is compiled at run time instead', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  t.teardown(() => void process.off('warning', onWarning));
  t.equal(validatorFor('media-schema', mediaSchema, validateMediaSchema), validateMediaSchema, 'a current file is used as it is');
  const changed = structuredClone(mediaSchema) as typeof mediaSchema;
  (changed.properties as Record<string, unknown>).extra = { type: 'integer', default: 7 };
  const v = validatorFor('media-schema', changed, validateMediaSchema);
  t.not(v, validateMediaSchema);
  const value: Record<string, unknown> = {};
  t.equal(v(value), true);
  t.equal(value.extra, 7, 'the changed schema is the one applied (its new default is filled in)');
  t.equal(v({ extra: 'x' }), false);
  t.match(v.errors, [{ instancePath: '/extra', keyword: 'type' }]);
  await new Promise((r) => setImmediate(r));
  t.match(warnings, [{ code: 'DIALER_STALE_VALIDATOR', message: /media-schema\.js was generated from another schema/ }]);
});
