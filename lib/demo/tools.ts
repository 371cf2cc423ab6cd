/**
 * The Debian packages' programs the loopback demo runs. Checked up front so a
 * machine without them gets one sentence saying what to run, not a spawn error.
 */
import { spawnSync } from 'node:child_process';

/** program → [the Debian package scripts/setup.sh installs it from, a harmless flag]. */
export const DEMO_TOOLS: Record<string, [pkg: string, flag: string]> = {
  'redis-server': ['redis-server', '--version'],
  sipp: ['sip-tester', '-v'],
  sox: ['sox', '--version'],
  'espeak-ng': ['espeak-ng', '--version'],
};

/** The programs of `tools` that cannot be started (not installed, not on PATH). */
export function missingTools(tools: Record<string, [string, string]> = DEMO_TOOLS): string[] {
  return Object.entries(tools)
    .filter(
      ([tool, [, flag]]) =>
        (spawnSync(tool, [flag], { stdio: 'ignore', timeout: 10000 }).error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT',
    )
    .map(([tool]) => tool);
}
