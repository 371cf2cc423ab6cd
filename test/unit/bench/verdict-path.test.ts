/**
 * The music benches' confusion paths (bench/lib/verdict-path.ts): which wrong verdict a run got and how — a machine
 * through a beep is told from one through the greeting rules, and the model's best guess from a decided verdict.
 */
import t from 'tap';
import { countPath, verdictPath } from '../../../bench/lib/verdict-path';
import type { Verdict } from '../../../lib/media/types';

t.test('verdictPath: the decisive verdict, with the path of a person or machine', async (t) => {
  const music: Verdict = { kind: 'music', atMs: 2000, reason: 'pitched sound with held notes on the line for 2000 ms' };
  t.equal(verdictPath([music]), 'music');
  const byBeep: Verdict[] = [
    { kind: 'machine', atMs: 1760, reason: 'beep 470 Hz after 1500 ms of audio' },
    { kind: 'beep', atMs: 1760, freqHz: 470, durationMs: 400 },
  ];
  t.equal(verdictPath(byBeep), 'machine (beep)', 'a machine that a beep decided');
  const long: Verdict = { kind: 'machine', atMs: 4700, reason: 'greeting longer than 4500 ms (3 bursts)' };
  t.equal(verdictPath([long]), 'machine', 'a machine the greeting rules decided');
  const guess: Verdict = { kind: 'machine', atMs: 5000, reason: 'best guess after 5000 ms of analysis' };
  t.equal(verdictPath([guess]), 'machine (guess)');
  const person: Verdict = { kind: 'human', atMs: 2100, reason: '900 ms greeting in 1 burst(s), then 1200 ms quiet' };
  t.equal(verdictPath([person]), 'human');
  t.equal(verdictPath([{ ...person, reason: 'best guess after 5000 ms of analysis' }]), 'human (guess)');
  t.equal(verdictPath([{ kind: 'notsure', atMs: 5000, reason: 'no class above 0.6 after 5000 ms', lean: 'music' }]), 'notsure');
  t.equal(verdictPath([{ kind: 'silence', atMs: 5000, durationMs: 5000 }]), 'silence');
  t.equal(verdictPath([{ kind: 'busy', atMs: 3000, region: 'NA', pattern: 'reorder' }]), 'reorder', 'a tone by its name');
  t.equal(verdictPath([]), 'none');
});

t.test('countPath: counts each path', async (t) => {
  const c: Record<string, number> = {};
  for (const p of ['human', 'machine (beep)', 'human']) countPath(c, p);
  t.same(c, { human: 2, 'machine (beep)': 1 });
});
