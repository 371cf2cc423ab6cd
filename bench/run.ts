/**
 * `npm run bench -- <name> [args…]` runs bench/<name>.ts: its default export
 * or its `main`, called with the remaining arguments.
 */
import path from 'node:path';
import fs from 'node:fs';

async function run(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const available = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
    .map((f) => f.slice(0, -3));
  if (!name || !/^[a-z0-9-]+$/i.test(name) || !available.includes(name)) {
    console.error(`usage: npm run bench -- <name>   (one of: ${available.join(', ')})`);
    process.exit(2);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(__dirname, `${name}.ts`)) as { default?: unknown; main?: unknown };
  const fn = typeof mod.default === 'function' ? mod.default : mod.main;
  if (typeof fn !== 'function') throw new Error(`bench/${name}.ts exports neither a default function nor main`);
  await (fn as (args: string[]) => unknown)(args);
}

run().catch((e) => {
  console.error(e);
  process.exit(1);
});
