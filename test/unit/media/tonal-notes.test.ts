/**
 * Notes in a line's pure-tone frames (lib/media/tonal-notes.ts; media.amd.musicLineTonalMinNotes): a square-wave
 * arpeggio is as pure as a tone frame by frame, so the line's tonal gate (maxTonalShare) took it for a tone; a tone
 * holds one frequency (a SIT steps through three, then stops) and has no harmonics, a melody steps on a musical grid
 * and its instrument's notes carry harmonics.
 */
import t from 'tap';
import { FeatureExtractor } from '../../../lib/media/features';
import { mediaConfig } from '../../../lib/media/config';
import { tonalNotes } from '../../../lib/media/tonal-notes';
import { FRAME_SAMPLES } from '../../../lib/media/types';
import { run, S } from '../../helpers/media-signals';

const RATE = 8000;

/** Square-wave notes (odd harmonics to 3.8 kHz, 1/h), `noteMs` each, stepping through `hz` round and round. */
function squareNotes(ms: number, hz: readonly number[], noteMs: number, amp = 3000): Float64Array {
  const n = Math.round((ms * RATE) / 1000);
  const x = new Float64Array(n);
  let ph = 0;
  for (let i = 0; i < n; i++) {
    const f = hz[Math.floor(i / ((noteMs * RATE) / 1000)) % hz.length]!;
    ph += (2 * Math.PI * f) / RATE;
    let v = 0;
    for (let h = 1; h * f < 3800; h += 2) v += Math.sin(h * ph) / h;
    x[i] = amp * v;
  }
  return x;
}

/** Sine notes (no harmonics), as squareNotes. */
function sineNotes(ms: number, hz: readonly number[], noteMs: number, amp = 3000): Float64Array {
  const n = Math.round((ms * RATE) / 1000);
  let ph = 0;
  return Float64Array.from({ length: n }, (_, i) => {
    ph += (2 * Math.PI * hz[Math.floor(i / ((noteMs * RATE) / 1000)) % hz.length]!) / RATE;
    return amp * Math.sin(ph);
  });
}

/** A C-major arpeggio an octave and a bit up (C4 E4 G4 C5 E5). */
const ARPEGGIO = [262, 330, 392, 523, 659];

/** Per frame: purity, zero-crossing frequency and harmonic share, as the analyser's features give them. */
function frames(x: Float64Array): { purity: number[]; freq: number[]; harm: number[] } {
  const fx = new FeatureExtractor([]);
  const pcm = S.toInt16(x);
  const out = { purity: [] as number[], freq: [] as number[], harm: [] as number[] };
  for (let i = 0; i + FRAME_SAMPLES <= pcm.length; i += FRAME_SAMPLES) {
    const f = fx.compute(pcm.subarray(i, i + FRAME_SAMPLES));
    out.purity.push(f.purity);
    out.freq.push(f.freqHz);
    out.harm.push(f.harmonicShare);
  }
  return out;
}

function notesOf(x: Float64Array, minRunFrames = 5) {
  const f = frames(x);
  return tonalNotes(f.purity, f.freq, f.harm, 0, f.purity.length, minRunFrames, 0.03, new Float32Array(f.purity.length));
}

t.test('on by default (round eighteen) at four notes; the note length and the harmonic bar', async (t) => {
  const c = mediaConfig().amd;
  t.equal(c.musicLineTonalMinNotes, 4);
  t.equal(c.musicLineTonalNoteMinMs, 100);
  t.equal(c.musicLineTonalMinHarmonicShare, 0.04);
});

t.test('a square-wave arpeggio: pure frames on five notes, with harmonics', async (t) => {
  const x = squareNotes(3000, ARPEGGIO, 200);
  const f = frames(x);
  const pure = f.purity.filter((p) => p > 0.5).length / f.purity.length;
  t.ok(pure >= 0.8, `as tonal as a tone frame by frame (${pure})`);
  const n = notesOf(x);
  t.equal(n.notes, 5);
  t.ok(n.harmonicShare >= 0.04, `harmonic share ${n.harmonicShare}`);
});

t.test('a steady tone: one note, no harmonics; a SIT: three notes', async (t) => {
  const tone = notesOf(sineNotes(3000, [440], 3000));
  t.equal(tone.notes, 1);
  t.ok(tone.harmonicShare < 0.02, `harmonic share ${tone.harmonicShare}`);
  // SIT (ITU-T E.180): 913.8, 1370.6, 1776.7 Hz, 274-380 ms each.
  t.equal(notesOf(sineNotes(1000, [913.8, 1370.6, 1776.7], 330)).notes, 3);
});

t.test('notes shorter than the run asked, or a glide, are no notes', async (t) => {
  t.equal(notesOf(squareNotes(3000, ARPEGGIO, 60)).notes, 0, '60 ms notes under 100 ms runs');
  // A continuous glide 300 → 600 Hz over 3 s (0.46 % a frame): its runs stay within 3 % of their first frame for six
  // frames, but drift over 1.5 % inside them: no note.
  const n = 3 * RATE;
  let ph = 0;
  const glide = Float64Array.from({ length: n }, (_, i) => {
    ph += (2 * Math.PI * 300 * Math.pow(2, i / n)) / RATE;
    return 3000 * Math.sin(ph);
  });
  t.equal(notesOf(glide).notes, 0);
});

t.test('edges: the notes and harmonic bars, and empty input', async (t) => {
  const e = tonalNotes([], [], [], 0, 0, 5, 0.03, new Float32Array(0));
  t.same(e, { notes: 0, harmonicShare: 0 });
  // Pure frames held on two frequencies 1 % apart are one note; 2 % apart, one run that drifts over 1.5 %: none;
  // 4 % apart, two.
  const purity = new Array(20).fill(0.9);
  const harm = new Array(20).fill(0.05);
  const two = (b: number) => [...new Array(10).fill(400), ...new Array(10).fill(b)];
  t.equal(tonalNotes(purity, two(404), harm, 0, 20, 5, 0.03, new Float32Array(20)).notes, 1);
  t.equal(tonalNotes(purity, two(408), harm, 0, 20, 5, 0.03, new Float32Array(20)).notes, 0);
  t.equal(tonalNotes(purity, two(416), harm, 0, 20, 5, 0.03, new Float32Array(20)).notes, 2);
  // Runs of exactly minRunFrames count, one frame fewer does not.
  t.equal(tonalNotes(purity.slice(0, 5), new Array(5).fill(400), harm, 0, 5, 5, 0.03, new Float32Array(5)).notes, 1);
  t.equal(tonalNotes(purity.slice(0, 4), new Array(4).fill(400), harm, 0, 4, 5, 0.03, new Float32Array(4)).notes, 0);
  // The median over pure frames only.
  t.equal(
    tonalNotes([0.9, 0.9, 0.9, 0.1], [400, 400, 400, 400], [0.01, 0.02, 0.03, 0.9], 0, 4, 1, 0.03, new Float32Array(4)).harmonicShare,
    0.019999999552965164,
  );
});

const first = (x: Float64Array, amd: Record<string, unknown>) =>
  run(x, { phase: 'answered', overrides: { amd } }).find((v) => v.kind !== 'beep')?.kind;

t.test('through the analyser: a square-wave arpeggio is music with the exception on, a tone is not', async (t) => {
  const on = { musicLineTonalMinNotes: 4 };
  const off = { musicLineTonalMinNotes: 0 };
  const arp = squareNotes(6000, ARPEGGIO, 250);
  t.equal(first(arp, on), 'music', 'on: music');
  t.not(first(arp, off), 'music', 'off: the tonal gate takes it for a tone');
  // Its notes asked one more than it has, or its harmonics asked over what it carries: not music.
  t.not(first(squareNotes(6000, ARPEGGIO.slice(0, 3), 250), on), 'music', 'three notes (a SIT has three)');
  t.not(first(arp, { ...on, musicLineTonalMinHarmonicShare: 0.5 }), 'music', 'harmonics asked over its own');
  // A sine melody: as stepped, but no harmonics (a generated tone's mark).
  t.not(first(sineNotes(6000, ARPEGGIO, 250), on), 'music', 'pure sine notes');
  t.not(first(sineNotes(6000, [440], 6000), on), 'music', 'a steady tone');
});
