/**
 * A busy/reorder played far down (round twelve): under tones.minLevel (mean |sample| 40, ≈ −58 dBFS) a frame still
 * counts for the cadence when it is cadenceMinOverFloorDb over the line's noise floor and at least
 * cadenceQuietMinLevel: the tone's level is judged against the line.
 */
import t from 'tap';
import type { Verdict } from '../../../lib/media/types';
import { run, S } from '../../helpers/media-signals';

const patternOf = (vs: Verdict[]) => vs.find((v): v is Extract<Verdict, { kind: 'busy' }> => v.kind === 'busy')?.pattern ?? null;

/** NA reorder (480+620 Hz, 250/250 ms) whose two tones peak at `amp` together, over white noise of RMS `noiseRms`. */
function quietReorder(amp: number, noiseRms: number, seed = 1): Float64Array {
  const x = S.concat(S.silence(300), S.cadence([480, 620], [250, 250], 5000, amp));
  const n = S.noise(S.durationMs(x), S.rng(seed));
  const g = noiseRms / (S.rms(n) || 1);
  return Float64Array.from(x, (v, i) => v + g * n[i]!);
}

t.test('a reorder at mean |sample| ≈ 20 (≈ −64 dBFS) on a quiet line is a reorder, early and after answer', async (t) => {
  // Two tones of peak 16 each: RMS ≈ 16, mean |sample| ≈ 13–20 per frame, under minLevel 40.
  const x = quietReorder(32, 0.5);
  t.equal(patternOf(run(x, { phase: 'early', region: 'NA' })), 'reorder');
  t.equal(patternOf(run(x, { phase: 'answered', region: 'NA' })), 'reorder');
});

t.test('…and not with the quiet-line rule off (cadenceQuietMinLevel 0): minLevel alone hears nothing', async (t) => {
  const x = quietReorder(32, 0.5);
  t.equal(patternOf(run(x, { phase: 'early', region: 'NA', overrides: { tones: { cadenceQuietMinLevel: 0 } } })), null);
});

t.test('the same tone only 10 dB over the line noise is not heard under minLevel (not clear of the floor)', async (t) => {
  // Tone RMS 16; noise RMS 16 / √10 ≈ 5: the frame is ≈ 10 dB over the floor, under cadenceMinOverFloorDb 20.
  t.equal(patternOf(run(quietReorder(32, 5), { phase: 'early', region: 'NA' })), null);
});

t.test('under cadenceQuietMinLevel nothing is heard, however clean the line', async (t) => {
  t.equal(patternOf(run(quietReorder(8, 0), { phase: 'early', region: 'NA' })), null);
});
