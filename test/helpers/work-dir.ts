import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface TestLike {
  teardown(fn: () => unknown): void;
  passing(): boolean;
  comment(...args: unknown[]): void;
}

/**
 * A temporary folder for one test's files (SIPp traces, configs, a dialer's
 * data): removed when the test passed, kept when it failed, its path printed
 * in the TAP output either way so a failure can be read afterwards.
 * Call it before starting the processes that write into it: tap runs
 * teardowns last registered first, so the folder goes after they stopped.
 */
export function workDir(t: TestLike, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.comment(`work folder ${dir} (removed if this test passes)`);
  t.teardown(() => {
    if (t.passing()) rmSync(dir, { recursive: true, force: true });
    else t.comment(`work folder kept for the failure: ${dir}`);
  });
  return dir;
}
