/**
 * Which wrong verdict a run got and through which path: the confusion table of the music dev benches
 * (detect-music-dev). A music run that is not music is a person, a machine, notsure, silence or a tone, and a
 * machine comes either through a beep (the beep detector after "speech") or through the shape model's greeting
 * rules; a person or machine may also be the model's best guess at the end of the analysis time. Those are
 * different levers (the beep detector, the greeting rules, the notSure policy), so the table keeps them apart.
 */
import type { Verdict } from '../../lib/media/types';
import { predicted } from '../detect-real';

/**
 * The decisive verdict's label (as `predicted`), with the path that decided it appended for a person or machine:
 * `machine (beep)` when a beep came with the machine verdict (the analyser gives one only when the beep came before
 * the model's own verdict), `(guess)` for the model's best guess when the analysis time ran out.
 */
export function verdictPath(vs: readonly Verdict[]): string {
  const p = predicted([...vs]);
  if (p === 'machine' && vs.some((v) => v.kind === 'beep')) return 'machine (beep)';
  if (p !== 'human' && p !== 'machine') return p;
  const v = vs.find((x) => x.kind === p);
  return v && 'reason' in v && v.reason.startsWith('best guess') ? `${p} (guess)` : p;
}

/** Adds one run's path to a count (keys in first-seen order). */
export function countPath(counts: Record<string, number>, path: string): void {
  counts[path] = (counts[path] ?? 0) + 1;
}
