/**
 * Round eight's two noise rules at their edges:
 * - optionally (off by default: it cost the espeak corpus a held-out machine), the floor's fluctuation (the VAD
 *   threshold's margin) is measured on the line between the words, so a long sentence that fills the floor window
 *   does not lift the threshold into its own soft syllables (lib/media/level-vad.ts, vad.quietSpread);
 * - on a noisy line whose floor fluctuates as talk does, a burst a few dB under the loudest voice is background talk
 *   (lib/media/amd-model.ts backgroundBelowDbFor, amd.noisyBackgroundBelowDb / amd.talkFloorSpreadDb).
 */
import t from 'tap';
import { backgroundBelowDbFor } from '../../../lib/media/amd-model';
import { mediaConfig } from '../../../lib/media/config';
import { LevelVad } from '../../../lib/media/level-vad';
import { colored } from '../../../bench/corpus/real';
import { S, voiced } from '../../helpers/media-signals';

function vadOver(x: Float64Array, overrides?: Record<string, unknown>): LevelVad {
  const v = new LevelVad(mediaConfig(undefined, overrides).vad, 2000);
  const pcm = S.toInt16(x);
  const f = new Int16Array(160);
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    f.set(pcm.subarray(i, i + 160));
    v.pushFrame(f);
  }
  return v;
}

/** A 3.6 s sentence (syllables at 4 a second, soft dips between them, never silent) after 400 ms of the line. */
const sentence = () =>
  S.concat(
    S.silence(400),
    voiced(
      3600,
      (t) => 190 - 10 * t,
      (t) => 0.08 + 0.92 * Math.sin(Math.PI * ((t * 4) % 1)) ** 2,
    ),
    S.silence(100),
  );

t.test(
  'vad.quietSpread (off by default): a long sentence on a steady line does not lift the threshold into its soft syllables',
  async (t) => {
    const x = sentence();
    let seed = 11;
    const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const noisy = S.addNoise(x, S.rms(x, true), 20, r);
    const cfg = mediaConfig().vad;
    const on = vadOver(noisy, { vad: { quietSpread: true } });
    const margin = on.thresholdDb - on.floorDb;
    // White noise's 20 ms power barely moves: the margin stays near its minimum.
    t.ok(margin < cfg.minMarginDb + 2, `margin ${margin.toFixed(1)} dB over the floor (spread ${on.floorSpreadDb.toFixed(2)} dB)`);
    // The edge (the default): the whole window's spread is the sentence's (its syllables against its dips), not the line's.
    const off = vadOver(noisy);
    t.ok(off.thresholdDb - off.floorDb > margin + 3, `window spread: margin ${(off.thresholdDb - off.floorDb).toFixed(1)} dB`);
    // Before voice fills the window (the line and a word), both measure the same.
    const short = S.addNoise(S.concat(S.silence(2500), x.subarray(0, 8000 * 1.2)), S.rms(x, true), 20, r);
    t.equal(vadOver(short, { vad: { quietSpread: true } }).thresholdDb, vadOver(short).thresholdDb, 'a word on the line: unchanged');
  },
);

t.test('background talk a few dB under the person: only on a noisy line whose floor moves as talk does', async (t) => {
  const c = mediaConfig().amd;
  const talk = { peakDb: -20, floorDb: -29, floorSpreadDb: 2.2 };
  t.equal(backgroundBelowDbFor(c, talk), c.noisyBackgroundBelowDb, 'talk 9 dB under the voice, floor spread 2.2 dB');
  t.equal(backgroundBelowDbFor(c, { ...talk, floorSpreadDb: 0.3 }), c.backgroundBelowDb, 'steady noise (white/pink): the 18 dB rule');
  t.equal(backgroundBelowDbFor(c, { ...talk, floorDb: -45 }), c.backgroundBelowDb, 'a quieter line (25 dB): the 18 dB rule');
  t.equal(backgroundBelowDbFor({ ...c, noisyBackgroundBelowDb: 0 }, talk), c.backgroundBelowDb, '0: off');
  // The spreads the VAD measures: steady noise stays under talkFloorSpreadDb, several talkers at once above it.
  let seed = 5;
  const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const kind of ['white', 'pink', 'brown'] as const) {
    const v = vadOver(S.scale(colored(kind, 4000, r), 2000));
    t.ok(v.floorSpreadDb < c.talkFloorSpreadDb, `${kind}: ${v.floorSpreadDb.toFixed(2)} dB`);
  }
  // Six talkers (harmonic voices at their own pitch and syllable rate) summed: the floor moves with their syllables.
  const talkers = Array.from({ length: 6 }, (_, k) =>
    voiced(
      4000,
      (t) => 120 + 25 * k + 15 * Math.sin(2 * Math.PI * 0.7 * t + k),
      (t) => Math.max(0, Math.sin(Math.PI * (t * (3 + 0.6 * k) + k / 6)) ** 2 - 0.1),
      600,
    ),
  );
  const babble = Float64Array.from(talkers[0]!, (_, i) => talkers.reduce((a, x) => a + x[i]!, 0));
  const v = vadOver(babble);
  t.ok(v.floorSpreadDb >= c.talkFloorSpreadDb, `six talkers: ${v.floorSpreadDb.toFixed(2)} dB`);
});
