/**
 * The articulation of a line that passes on its spectral lines, judged on the spectrum (media.amd.musicLinesMaxModulation,
 * musicLinesMaxCombShare; lib/media/spectral-lines.ts modulation and combShare). In noise a chord's or an arpeggio's
 * pitch flickers, so the pitch onsets gate (musicLineMaxPitchOnsetsPerS) takes it for speech; its band levels do not
 * move at a voice's syllable rate, and its lines are several notes' partials, not one voice's harmonics.
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import { SpectralLines } from '../../../lib/media/spectral-lines';
import type { Verdict } from '../../../lib/media/types';
import { chords, run, S, voice, voiced, white } from '../../helpers/media-signals';

const RATE = 8000;

function measure(x: Float64Array): { lines: number; modulation: number; comb: number } {
  const sl = new SpectralLines(1000);
  const pcm = S.toInt16(x);
  for (let i = 0; i + 160 <= pcm.length; i += 160) sl.push(pcm.subarray(i, i + 160), true, -20);
  const lines = sl.value();
  return { lines, modulation: sl.modulation(), comb: sl.combShare() };
}

/** A flat voice (150 Hz, held like a note) saying five syllables a second: the voice most like music. */
const flatVoice = (ms: number) =>
  voiced(
    ms,
    () => 150,
    (t) => Math.pow(Math.sin((Math.PI * (t % 0.2)) / 0.2), 2) * 0.9 + 0.1,
  );

t.test('on by default (round seventeen) at 0.3, under the flat voices of the monotone dev set (0.38–0.54); no comb check', async (t) => {
  t.equal(mediaConfig().amd.musicLinesMaxModulation, 0.3);
  t.equal(mediaConfig().amd.musicLinesMaxCombShare, 0);
});

t.test('syllable-rate modulation and one harmonic series: a flat voice has both, chords neither', async (t) => {
  for (const [name, x] of [
    ['chords', chords(4000, 600, 3)],
    ['chords in white noise at 5 dB', white(chords(4000, 600, 3), 5)],
  ] as const) {
    const m = measure(x);
    t.ok(m.lines > 1.3, `${name}: lines ${m.lines}`);
    t.ok(m.modulation < 0.3, `${name}: modulation ${m.modulation}`);
    t.ok(m.comb < 0.85, `${name}: comb ${m.comb}`);
  }
  for (const [name, x] of [
    ['flat voice', flatVoice(4000)],
    ['flat voice in white noise at 10 dB', white(flatVoice(4000), 10)],
  ] as const) {
    const m = measure(x);
    t.ok(m.lines > 1.3, `${name}: its lines are strong (${m.lines})`);
    t.ok(m.modulation > 0.6, `${name}: modulation ${m.modulation}`);
    t.ok(m.comb > 0.95, `${name}: comb ${m.comb}`);
  }
  t.ok(measure(white(voice(4000), 10)).modulation > 0.6, 'a gliding voice in noise: modulated');
  t.equal(measure(chords(900)).modulation, 0, 'under a second: 0');
  t.equal(new SpectralLines(100).combShare(), 0, 'no line: 0');
});

// Chords in white noise at 5 dB, with the pitch onsets bar forced under their 0.87 voiced runs a second: the case of
// the music dev set's fast chords and bell arpeggios, whose flickering pitch makes 7.7–8.5.
const chordsInNoise = white(chords(6000), 5);
const opts = (modulation: number, comb = 0) => ({
  phase: 'answered' as const,
  overrides: { amd: { musicLineMaxPitchOnsetsPerS: 0.1, musicLinesMaxModulation: modulation, musicLinesMaxCombShare: comb } },
});
const onLines = (vs: Verdict[]) => vs.some((v) => v.kind === 'music' && /spectral lines on the line/.test(v.reason));
const features = (vs: Verdict[]) => (vs[0] as { features: Record<string, number> }).features;

t.test('lines refused by the pitch onsets: music when the spectrum does not articulate, at the edges', async (t) => {
  t.match(run(chordsInNoise, opts(0)), [{ kind: 'silence' }], 'off: the pitch onsets refuse it');
  const on = run(chordsInNoise, opts(0.3));
  t.ok(onLines(on), `on: ${JSON.stringify(on)}`);
  const f = features(on);
  t.ok(f.linePitchOnsetsPerS! >= 0.1, `its pitch onsets ${f.linePitchOnsetsPerS}`);
  t.ok(f.lineModulation! < 0.3, `modulation ${f.lineModulation}`);
  // The bars are the edges: just over the line's own figures it is music at the same moment; at them, not then
  // (the measure moves as the line goes on, so it may pass later, or never).
  const at = on[0]!.atMs;
  const moment = (vs: Verdict[]) => onLines(vs) && vs[0]!.atMs === at;
  t.ok(moment(run(chordsInNoise, opts(f.lineModulation! + 0.001))), 'the bar just over its modulation: the same verdict');
  t.notOk(moment(run(chordsInNoise, opts(f.lineModulation! - 0.0005))), 'the bar at its modulation: not then');
  const withComb = run(chordsInNoise, opts(0.3, 0.9));
  t.ok(moment(withComb), 'with the comb check: the same verdict');
  const comb = features(withComb).lineCombShare!;
  t.ok(comb > 0 && comb < 0.9, `comb ${comb}`);
  t.ok(moment(run(chordsInNoise, opts(0.3, comb + 0.001))), 'the comb bar just over its share: the same verdict');
  t.notOk(moment(run(chordsInNoise, opts(0.3, comb - 0.0005))), 'the comb bar at its share: not then');
});

t.test('a person, and a long greeting, in noise: nothing changed by the check', async (t) => {
  const hello = S.concat(voice(900), new Float64Array(4 * RATE));
  const greeting = S.concat(voice(5000), new Float64Array(2 * RATE));
  const flat = S.concat(flatVoice(5000), new Float64Array(2 * RATE));
  const on = { phase: 'answered' as const, overrides: { amd: { musicLinesMaxModulation: 0.3 } } };
  const off = { phase: 'answered' as const, overrides: { amd: { musicLinesMaxModulation: 0 } } };
  for (const snr of [5, 10, 30])
    for (const [name, x] of [
      ['hello', hello],
      ['greeting', greeting],
      ['flat greeting', flat],
    ] as const) {
      const y = white(x, snr);
      t.same(run(y, on), run(y, off), `${name} at ${snr} dB`);
    }
});
