/**
 * Music on the line by its spectral lines (media.amd.musicLineMinLines; lib/media/spectral-lines.ts): chords give the
 * voice-range pitch tracker no period at all (their pitched share is near 0), so the whole-line rule's pitch share
 * and hold fail, while their partials stay at fixed frequencies. With the cue on, such a line is music when its lines
 * reach the bar and the line's other gates hold; a person's answer and a long greeting, in noise, are not.
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import type { Verdict } from '../../../lib/media/types';
import { chords, run, S, voice, white } from '../../helpers/media-signals';

const RATE = 8000;
const withLines = (bar: number) => ({ phase: 'answered' as const, overrides: { amd: { musicLineMinLines: bar } } });
const onLines = (vs: Verdict[]) => vs.some((v) => v.kind === 'music' && /spectral lines on the line/.test(v.reason));

t.test('on by default (round sixteen) at 1.3, over the flat voices of the monotone dev set (1.0–1.17)', async (t) => {
  t.equal(mediaConfig().amd.musicLineMinLines, 1.3);
});

t.test('chords with no pitch: silence without the cue, music on their spectral lines with it', async (t) => {
  for (const [name, x] of [
    ['clean', chords(6000)],
    ['white noise at 5 dB', white(chords(6000), 5)],
  ] as const) {
    t.match(run(x, withLines(0)), [{ kind: 'silence' }], `${name}: off`);
    const on = run(x, withLines(1));
    t.ok(onLines(on), `${name}: on, ${JSON.stringify(on)}`);
    const f = (on[0] as { features: Record<string, number> }).features;
    t.ok(f.linePeriodicShare! < 0.1, `${name}: next to no pitch (${f.linePeriodicShare})`);
    t.ok(f.lineSpectralLines! >= 1, `${name}: lines ${f.lineSpectralLines}`);
    // The bar is the edge: just above the line's own figure, it is not music on its lines.
    t.notOk(onLines(run(x, withLines(f.lineSpectralLines! + 0.5))), `${name}: not with the bar above its lines`);
  }
});

t.test('a person, and a long greeting, in noise: nothing changed by the cue', async (t) => {
  const hello = S.concat(voice(900), new Float64Array(4 * RATE));
  const greeting = S.concat(voice(5000), new Float64Array(2 * RATE));
  for (const snr of [5, 10, 30])
    for (const [name, x] of [
      ['hello', hello],
      ['greeting', greeting],
    ] as const) {
      const y = white(x, snr);
      t.same(run(y, withLines(1)), run(y, withLines(0)), `${name} at ${snr} dB`);
    }
});
