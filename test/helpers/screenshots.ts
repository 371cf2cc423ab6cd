/**
 * Where e2e tests save their page screenshots. A test run writes them under
 * test/.artifacts/screenshots (ignored by git): an ordinary run must not
 * rewrite the README's images (ports, times and ids differ on every run).
 * `npm run screenshots` sets DIALER_SCREENSHOTS_DIR=docs to refresh docs/*.png
 * on purpose.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export function screenshotPath(file: string): string {
  const dir = resolve(ROOT, process.env.DIALER_SCREENSHOTS_DIR || 'test/.artifacts/screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, file);
}
