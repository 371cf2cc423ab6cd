/**
 * Round thirteen's edge for the multi-burst rule's pause on a line with white-like noise (lib/media/amd-features.ts,
 * amd.pauseNoiseMargin): a sentence's soft voiced stretch 7 dB under white noise adds under 1 dB to the line, so it
 * fails vad.voicedMarginDb, and its periodicity falls to 0.4–0.5, under amd.pauseMinPeriodicity: the whole stretch read
 * as pause, and one sentence as two (a person called a machine). White noise alone has periodicity 0.23 (median) to
 * 0.36 (99th percentile): measured against the line's own noise, that stretch is still voice. A real pause (the line's
 * noise alone) stays pause, and on a line whose noise is talk (babble: periodicity 0.6 and more) nothing changes.
 */
import t from 'tap';
import { FrameSide, FEATURE_NAMES, shape } from '../../../lib/media/amd-features';
import { shapeOptions } from '../../../lib/media/amd-model';
import { mediaConfig } from '../../../lib/media/config';
import { LevelVad } from '../../../lib/media/level-vad';
import { FRAME_MS } from '../../../lib/media/types';

/** One 20 ms frame of `db` dBFS power with periodicity `per`, as LevelVad.push takes it. */
const frame = (v: LevelVad, db: number, per: number) => v.push(160 * 32768 * 32768 * Math.pow(10, db / 10), 160, per, per >= 0.5 ? 40 : 0);
type Seg = [ms: number, db: (i: number) => number, per: (i: number) => number];
function vadOf(segs: Seg[]): LevelVad {
  const v = new LevelVad(mediaConfig().vad, 2000);
  for (const [ms, db, per] of segs) for (let i = 0; i < ms / FRAME_MS; i++) frame(v, db(i), per(i));
  return v;
}
/** White noise at −40 dBFS: its level wobbles ±0.3 dB, its periodicity 0.18–0.30. */
const WHITE = [0.18, 0.22, 0.26, 0.3, 0.24, 0.2, 0.28, 0.23];
const white = (ms: number): Seg => [ms, (i) => -40 + 0.3 * Math.sin(i * 1.7), (i) => WHITE[i % WHITE.length]!];
/** Babble at −40 dBFS: other voices, periodicity 0.55–0.85. */
const babble = (ms: number): Seg => [ms, (i) => -40 + 0.3 * Math.sin(i * 1.7), (i) => 0.55 + 0.3 * ((i * 7) % 5) * 0.25];
const word = (ms: number): Seg => [ms, () => -20, () => 0.9];
/** A soft voiced stretch under the noise: 0.4 dB over the line, periodicity 0.42–0.48. */
const hidden = (ms: number): Seg => [ms, (i) => -39.6 + 0.1 * (i % 2), (i) => 0.42 + 0.02 * (i % 4)];

function pauseOf(v: LevelVad, pauseNoiseMargin: number) {
  const c = mediaConfig();
  const o = { ...shapeOptions(c.amd, c.vad, c.amd.backgroundBelowDb), pauseNoiseMargin };
  const s = shape(v, new FrameSide(v.db.length), o, new Float64Array(FEATURE_NAMES.length));
  return { bursts: s.bursts, gapMs: Math.round(s.x[7]! * 1000), pauseMs: s.unvoicedPauseMs };
}

t.test('a soft voiced stretch under white noise is voice, measured against the line noise; a real pause is not', async (t) => {
  // 1.4 s of words, a 200 ms soft stretch, a 160 ms catch of breath, 1.4 s more: one sentence.
  const soft = vadOf([white(1000), word(1400), hidden(200), white(160), word(1400), white(1500)]);
  const off = pauseOf(soft, 0);
  t.equal(off.bursts, 2);
  t.ok(off.pauseMs >= 340, `the edge: against pauseMinPeriodicity alone, ${off.pauseMs} ms of pause`);
  const on = pauseOf(soft, 0.12);
  t.ok(on.pauseMs <= 180, `against the line's noise: ${on.pauseMs} ms of pause`);
  t.equal(on.gapMs, off.gapMs, 'the labelled gap itself is the same');
  // A recording's pause between sentences: the line's noise alone for 400 ms.
  const pause = pauseOf(vadOf([white(1000), word(1400), white(400), word(1400), white(1500)]), 0.12);
  t.ok(pause.pauseMs >= 380, `a real pause: ${pause.pauseMs} ms`);
});

t.test('amd.pauseNoiseMargin: no change on a line whose noise is talk (babble has a pitch)', async (t) => {
  const soft = vadOf([babble(1000), word(1400), hidden(200), babble(160), word(1400), babble(1500)]);
  t.equal(pauseOf(soft, 0.12).pauseMs, pauseOf(soft, 0).pauseMs);
});
