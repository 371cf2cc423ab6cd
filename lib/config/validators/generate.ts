/**
 * Writes the configuration's validators as standalone JavaScript (ajv's
 * `standaloneCode`): `config-schema.js` (the whole configSchema) and
 * `media-schema.js` (the media section alone, for lib/media/config.ts), each
 * with a `.d.ts`. Compiling configSchema with ajv took most of `dialer serve`'s
 * time to /health (hundreds of milliseconds warm, seconds on a loaded machine);
 * the generated code is the function ajv would have compiled, so validation,
 * defaults and error objects are the same.
 *
 * Run by scripts/build.sh (`npm run build`) before tsc; the files are checked
 * in so that the sources run under tsx too. test/unit/config/validators.test.ts
 * fails when a schema changed and the files were not regenerated (and ./index.ts
 * then compiles the schema at run time instead of using a stale file).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import type { TSchema } from '@sinclair/typebox';
import { configSchema } from '../schema';
import { mediaSchema } from '../sections/media';
import { CONFIG_AJV_OPTIONS, schemaHash } from './index';

const TARGETS: { name: string; schema: TSchema; source: string }[] = [
  { name: 'config-schema', schema: configSchema, source: 'configSchema (lib/config/schema.ts)' },
  { name: 'media-schema', schema: mediaSchema, source: 'mediaSchema (lib/config/sections/media.ts)' },
];

const DTS = `import type { ErrorObject } from 'ajv';

/** Validates in place (fills defaults); on false, \`errors\` holds ajv's first error. */
declare const validate: { (data: unknown): boolean; errors?: ErrorObject[] | null; schemaHash: string };
export default validate;
`;

/** File name (in this folder) → its text. */
export function generateValidators(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of TARGETS) {
    const ajv = new Ajv({ ...CONFIG_AJV_OPTIONS, code: { source: true } });
    const code = standaloneCode(ajv, ajv.compile(t.schema));
    const header = `// Generated from ${t.source} by lib/config/validators/generate.ts (npm run build). Do not edit.\n`;
    // The schema's hash, so that ./index.ts can tell a file generated from an older schema.
    out[`${t.name}.js`] = `${header}${code};module.exports.schemaHash = ${JSON.stringify(schemaHash(t.schema))};\n`;
    out[`${t.name}.d.ts`] = header + DTS;
  }
  return out;
}

if (require.main === module) {
  // Only what changed is written: an unchanged file keeps its time, so nothing looks newer than the build.
  for (const [file, text] of Object.entries(generateValidators())) {
    const path = join(__dirname, file);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
  }
}
