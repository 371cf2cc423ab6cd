import type { TestCallResult } from '../../lib/telephony/test-call';

/** A bench call succeeded: answered, and ended by us (the stage's hang-up), not by the far end or an error. */
export const ok = (r: TestCallResult | Error): boolean => !(r instanceof Error) && r.end.answered && r.end.by === 'local';

/** Why calls failed, most common first (at most 3 kinds). */
export function reasons(results: Array<TestCallResult | Error>): Record<string, number> {
  const c: Record<string, number> = {};
  for (const r of results) {
    if (ok(r)) continue;
    const k =
      r instanceof Error ? r.message.slice(0, 60) : `${r.end.by}/${r.end.sipStatus ?? '-'}/${r.end.answered ? 'answered' : 'unanswered'}`;
    c[k] = (c[k] ?? 0) + 1;
  }
  return Object.fromEntries(
    Object.entries(c)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3),
  );
}
