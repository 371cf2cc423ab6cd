/**
 * The layout holds: no import cycles in lib/ and app/ (madge, as
 * `npm run cycles` runs it; `import type` counts too, see .madgerc: a
 * type-only cycle still ties two modules together), and routes reach the
 * store only through what the app decorates on the instance, never by
 * importing lib/store.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import t from 'tap';
import madge from 'madge';
import { NOT_ROUTE_FILES, ROUTES_DIR } from '../../../lib/api/app';

const ROOT = join(__dirname, '..', '..', '..');
const ROUTES = join(ROOT, 'lib', 'api', 'routes');
const STORE = join(ROOT, 'lib', 'store');

function storeImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const specs = [...src.matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.') && relative(STORE, resolve(dirname(file), s)).split('/')[0] !== '..');
}

t.test('no import cycles in lib/ and app/', async (t) => {
  const res = await madge([join(ROOT, 'lib'), join(ROOT, 'app')], {
    baseDir: ROOT,
    fileExtensions: ['ts'],
    tsConfig: join(ROOT, 'tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports: false } },
  });
  t.ok(Object.keys(res.obj()).length > 150, `${Object.keys(res.obj()).length} modules read`);
  t.same(res.circular(), [], 'no cycles');
});

t.test('no route imports lib/store: routes use the repositories on the instance (app.store, lib/api/plugins/app/store.ts)', async (t) => {
  const files = readdirSync(ROUTES).filter((f) => f.endsWith('.ts'));
  t.ok(files.length > 10, `${files.length} route files read`);
  const importing = files.map((f) => ({ f, imports: storeImports(join(ROUTES, f)) })).filter((x) => x.imports.length > 0);
  t.same(importing, [], 'no route file imports lib/store');
});

/** A route file as @fastify/autoload loads it (require: the project is CommonJS). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (f: string) => require(join(ROUTES, f)) as { default?: unknown };

t.test('routes are autoloaded: every route file but the shared pieces exports its plugin as default', async (t) => {
  t.equal(resolve(ROUTES_DIR), ROUTES, 'the app autoloads lib/api/routes');
  const files = readdirSync(ROUTES).filter((f) => f.endsWith('.ts'));
  const shared = files.filter((f) => NOT_ROUTE_FILES.test(f));
  t.same(shared.sort(), ['agent-common.ts', 'campaigns.schema.ts', 'inbound.schema.ts'], 'only these are left out');
  t.notOk(files.includes('index.ts'), 'no index file (autoload would load it alone)');
  for (const f of files.filter((x) => !shared.includes(x))) {
    const mod = load(f);
    t.type(mod.default, 'function', `${f} exports a plugin as default`);
  }
  for (const f of shared) {
    const mod = load(f);
    t.equal(mod.default, undefined, `${f} is not a plugin`);
  }
});

/**
 * The plugin tree as fastify/demo lays it out: lib/api/plugins/external (HTTP defaults: error shape,
 * security headers with CORS off, the auth-failure rate limit) and lib/api/plugins/app (config and Redis,
 * store repositories, auth, monitor, the dialer runtime, messaging). Every file there is a fastify-plugin
 * (not encapsulated, so what it decorates reaches the routes) with a name; one that owns something
 * (timers, sockets, subscriptions) closes it in an onClose hook, and one that does not says why.
 */
const PLUGINS = join(ROOT, 'lib', 'api', 'plugins');
const FP_META = Symbol.for('plugin-meta');
const FP_SKIP = Symbol.for('skip-override');

t.test('plugin tree: plugins/external and plugins/app, nothing else in plugins/', async (t) => {
  t.same(readdirSync(PLUGINS).sort(), ['app', 'external'], 'only the two folders');
  t.same(
    readdirSync(join(PLUGINS, 'external')).sort(),
    ['auth-failures.ts', 'security-headers.ts', 'sensible.ts'],
    'external: sensible defaults, helmet-like headers, rate limit on auth failures',
  );
  const app = readdirSync(join(PLUGINS, 'app')).sort();
  for (const f of ['config.ts', 'store.ts', 'auth.ts', 'monitor.ts', 'telephony.ts', 'runtime.ts', 'messaging.ts'])
    t.ok(app.includes(f), `app/${f} is there`);
});

for (const dir of ['external', 'app']) {
  for (const f of readdirSync(join(PLUGINS, dir)).filter((x) => x.endsWith('.ts'))) {
    t.test(`plugins/${dir}/${f} is a named fastify-plugin that closes what it owns`, async (t) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(join(PLUGINS, dir, f)) as { default?: Record<symbol, unknown> };
      const plugin = mod.default;
      t.type(plugin, 'function', 'default export is the plugin');
      t.equal(plugin?.[FP_SKIP], true, 'wrapped with fastify-plugin (not encapsulated)');
      const meta = plugin?.[FP_META] as { name?: string } | undefined;
      t.match(meta?.name, /^[a-z-]+$/, `named (${meta?.name})`);
      let src = readFileSync(join(PLUGINS, dir, f), 'utf8');
      const reexport = /export \{ \w+ as default \} from '([^']+)'/.exec(src);
      if (reexport) src = readFileSync(resolve(join(PLUGINS, dir), `${reexport[1]!}.ts`), 'utf8');
      const closes = /addHook\('onClose'/.test(src);
      const saysWhyNot = /nothing to close|no onClose/.test(src);
      t.ok(closes || saysWhyNot, closes ? 'has an onClose hook' : 'says why it has no onClose');
    });
  }
}

/** Every .ts file under `dir` (recursively), as paths relative to the root. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/**
 * "Messaging and telephony start only when enabled, in their plugins" (issue 13): nothing in lib/ or app/
 * but the plugin calls the function that starts them (the driver, desk and runner: lib/dialer/services.ts's
 * startServices; the channels: lib/messaging's startMessaging), and each plugin stops them in its onClose.
 * `dialer serve` and the demo enable telephony through buildApp; the behaviour (started, stopped in order on
 * SIGTERM) is test/e2e/campaign/graceful-stop.test.ts and test/integration/api/telephony-plugin.test.ts.
 */
t.test('telephony and messaging start only in their plugins, which stop them on close', async (t) => {
  const files = [...sources('lib'), ...sources('app')];
  t.ok(files.length > 150, `${files.length} source files read`);
  const callers = (fn: string) =>
    files.filter((f) => new RegExp(`\\b${fn}\\(`).test(readFileSync(join(ROOT, f), 'utf8').replace(/export async function \w+\(/g, '')));
  t.same(callers('startServices'), ['lib/api/plugins/app/telephony.ts'], 'only the telephony plugin starts the dialer services');
  t.same(callers('startMessaging'), ['lib/api/plugins/app/messaging.ts'], 'only the messaging plugin starts messaging');
  const tel = readFileSync(join(PLUGINS, 'app', 'telephony.ts'), 'utf8');
  t.match(tel, /if \(!opts\.telephony\) return;/, 'telephony starts only when enabled (buildApp({ telephony }))');
  t.match(tel, /addHook\('onClose', async \(\) => \{[^}]*await services\?\.stop\(\);/, 'and stops in its onClose');
  const msg = readFileSync(join(PLUGINS, 'app', 'messaging.ts'), 'utf8');
  t.match(msg, /if \(!app\.config\.messaging\.enabled/, 'messaging starts only when messaging.enabled');
  t.match(msg, /addHook\('onClose'[\s\S]*?await m\.stop\(\)/, 'and stops in its onClose');
  for (const f of ['app/server.ts', 'lib/demo/run.ts'])
    t.match(readFileSync(join(ROOT, f), 'utf8'), /buildApp\(\{[^}]*telephony: \{\}/, `${f} enables telephony through buildApp`);
  const runtime = readFileSync(join(PLUGINS, 'app', 'runtime.ts'), 'utf8');
  t.match(runtime, /dependencies: \[[^\]]*'telephony'/, 'the runtime plugin depends on the telephony plugin');
});

/**
 * Only `*.test.ts` files are tests, also when tap is given a folder: tap expands a folder to every .ts file in
 * it whatever `include` says, so helper scripts beside the tests ran as tests (`tap test/integration` failed
 * two: messaging/crash-sender.ts and campaign-crash-runner.ts). `.taprc`'s `exclude` keeps them out.
 */
t.test('tap given the test folders runs every *.test.ts file in them and nothing else', async (t) => {
  const tiers = ['test/unit', 'test/integration', 'test/contract', 'test/e2e'];
  const listed = execFileSync(process.execPath, [join(ROOT, 'node_modules/.bin/tap'), 'list', ...tiers], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  const tests = tiers.flatMap((d) => sources(d).filter((f) => f.endsWith('.test.ts'))).sort((a, b) => a.localeCompare(b, 'en'));
  t.ok(
    tiers.flatMap(sources).some((f) => !f.endsWith('.test.ts')),
    'there are helper .ts files beside the tests (what this guards against)',
  );
  t.ok(tests.length > 200, `${tests.length} test files`);
  t.same(listed, tests, 'tap lists exactly the *.test.ts files');
});
