/**
 * `--media '<json>'`: the media config overrides the detection benches and scripts/train-amd.ts run under (deep-merged
 * by lib/media/config.ts `mediaConfig`, which names a bad key). Absent: none. A value that is not a JSON object, or the
 * option with no value, stops the run naming the option, before any audio is read.
 */
export function mediaOverrides(args: readonly string[]): Record<string, unknown> | undefined {
  const i = args.indexOf('--media');
  if (i < 0) return undefined;
  const json = args[i + 1] ?? '';
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw new Error(`--media: not JSON (${(e as Error).message}): ${json}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`--media: a JSON object of media overrides, got ${json}`);
  return v as Record<string, unknown>;
}
