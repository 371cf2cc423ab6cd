/**
 * The analyser's interleaved kernels (several Goertzel bins, autocorrelation lags or announcement lags per pass over
 * the samples) give bit for bit what one bin or one lag at a time gives: the same arithmetic in the same order per
 * bin and per lag. Checked against straightforward one-at-a-time versions on noise, tones and voice-like sound.
 */
import t from 'tap';
import { FeatureExtractor } from '../../../lib/media/features';
import { periodicity } from '../../../lib/media/level-vad';
import { SAMPLE_RATE } from '../../../lib/media/types';
import { liveWindow, scoreAt, scoreBlock } from '../../../lib/media/announcement-score';
import { contourOf } from '../../../lib/media/announcement-contours';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** One bin at a time: Goertzel read out at half and full frame, share of the energy and the phase-turn offset. */
function oneBin(x: Int16Array, f: number, energy: number): { share: number; offsetHz: number } {
  const n = x.length;
  const half = n >> 1;
  const w = (2 * Math.PI * f) / SAMPLE_RATE;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < half; i++) {
    const s0 = x[i]! + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  let yr = s1 - Math.cos(w) * s2;
  let yi = Math.sin(w) * s2;
  const r1 = yr * Math.cos(w * (n / 2 - 1)) + yi * Math.sin(w * (n / 2 - 1));
  const i1 = yi * Math.cos(w * (n / 2 - 1)) - yr * Math.sin(w * (n / 2 - 1));
  for (let i = half; i < n; i++) {
    const s0 = x[i]! + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  yr = s1 - Math.cos(w) * s2;
  yi = Math.sin(w) * s2;
  const re = yr * Math.cos(w * (n - 1)) + yi * Math.sin(w * (n - 1));
  const im = yi * Math.cos(w * (n - 1)) - yr * Math.sin(w * (n - 1));
  const r2 = re - r1;
  const i2 = im - i1;
  const turn = Math.atan2(i2 * r1 - r2 * i1, r2 * r1 + i2 * i1);
  return { share: energy > 0 ? (2 * (re * re + im * im)) / (n * energy) : 0, offsetHz: (turn * SAMPLE_RATE) / (2 * Math.PI * half) };
}

function frames(r: () => number): Int16Array[] {
  const out: Int16Array[] = [];
  for (let k = 0; k < 60; k++) {
    const x = new Int16Array(160);
    const f0 = 90 + 300 * r();
    for (let i = 0; i < 160; i++) {
      const tt = (k * 160 + i) / SAMPLE_RATE;
      const v =
        k % 3 === 0
          ? 8000 * (r() - 0.5)
          : k % 3 === 1
            ? 6000 * Math.sin(2 * Math.PI * 440 * tt) + 6000 * Math.sin(2 * Math.PI * 350 * tt)
            : [1, 2, 3, 4, 5].reduce((s, h) => s + (3000 / h) * Math.sin(2 * Math.PI * f0 * h * tt), 0);
      x[i] = Math.round(v);
    }
    out.push(x);
  }
  return out;
}

t.test('Goertzel bins four at a time equal one at a time, for every bank size', async (t) => {
  const all = [350, 440, 480, 620, 913.8, 950, 985.2, 1370.6, 1400, 1428.5, 1776.7, 1800];
  const xs = frames(rng(5));
  for (let size = 0; size <= all.length; size++) {
    const bank = all.slice(0, size);
    const fx = new FeatureExtractor(bank, 50);
    let wrong = 0;
    for (const x of xs) {
      const o = fx.compute(x);
      bank.forEach((f, b) => {
        const want = oneBin(x, f, o.energy);
        if (o.bins[b] !== want.share || o.binOffsetHz[b] !== want.offsetHz) wrong++;
      });
    }
    t.equal(wrong, 0, `${size} bins: every share and offset bit for bit`);
  }
});

t.test('the autocorrelation four lags at a time equals one lag at a time', async (t) => {
  const r = rng(9);
  const LEN = 160;
  const WIN = 96;
  let wrong = 0;
  for (let k = 0; k < 200; k++) {
    const d = new Float64Array(LEN);
    const lag0 = 12 + Math.floor(r() * 40);
    for (let i = 0; i < LEN; i++) d[i] = Math.sin((2 * Math.PI * i) / lag0) * 1000 + (r() - 0.5) * 300 * (k % 4);
    const got = new Float64Array(58);
    periodicity(d, got);
    // One lag at a time, as the function was written before.
    const t0 = LEN - WIN;
    let e0 = 0;
    for (let n = t0; n < LEN; n++) e0 += d[n]! * d[n]!;
    let e1 = 0;
    for (let n = t0 - 10; n < LEN - 10; n++) e1 += d[n]! * d[n]!;
    for (let lag = 10; lag <= 57; lag++) {
      let c = 0;
      for (let n = t0; n < LEN; n++) c += d[n]! * d[n - lag]!;
      if (got[lag] !== (e1 > 0 ? c / Math.sqrt(e0 * e1) : 0)) wrong++;
      const out = d[LEN - 1 - lag]!;
      const inn = d[t0 - lag - 1] ?? 0;
      e1 += inn * inn - out * out;
    }
  }
  t.equal(wrong, 0, '200 windows × 48 lags bit for bit');
});

t.test('announcement scores four lags at a time equal one lag at a time, at every kind of lag', async (t) => {
  const r = rng(13);
  const series = (n: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i / 3) + r());
  let compared = 0;
  let wrong = 0;
  for (let k = 0; k < 60; k++) {
    const n = 30 + Math.floor(r() * 120);
    const live = liveWindow(series(n), series(n))!;
    const m = 20 + Math.floor(r() * 200);
    const refFull = contourOf(series(m), series(m));
    const cover = Math.max(1, n - Math.floor(r() * 20));
    const minSpan = 1 + Math.floor(r() * 20);
    const out = new Float64Array(4);
    // Negative lags (the live window starts before the reference), interior ones, and lags running past its end.
    for (let lag = -n + 1; lag + 3 <= refFull.e.length; lag++) {
      scoreBlock(live, refFull, lag, cover, minSpan, out);
      for (let j = 0; j < 4; j++) {
        compared++;
        if (!Object.is(out[j], scoreAt(live, refFull, lag + j, cover, minSpan))) wrong++;
      }
    }
  }
  t.ok(compared > 10000, `${compared} scores compared`);
  t.equal(wrong, 0, 'every score bit for bit');
});
