/**
 * The layout holds: no import cycles in lib/ and app/ (madge, as
 * `npm run cycles` runs it; `import type` counts too, see .madgerc: a
 * type-only cycle still ties two modules together), and routes reach the
 * store only through what the app decorates on the instance, never by
 * importing lib/store.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import t from 'tap';
import madge from 'madge';

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

t.test('no route imports lib/store: routes use the repositories on the instance (app.store, lib/api/plugins/store.ts)', async (t) => {
  const files = readdirSync(ROUTES).filter((f) => f.endsWith('.ts'));
  t.ok(files.length > 10, `${files.length} route files read`);
  const importing = files.map((f) => ({ f, imports: storeImports(join(ROUTES, f)) })).filter((x) => x.imports.length > 0);
  t.same(importing, [], 'no route file imports lib/store');
});
