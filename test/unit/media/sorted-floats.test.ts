/**
 * The level VAD's order statistics kept in order one value at a time (lib/media/sorted-floats.ts) equal sorting the
 * window afresh, bit for bit: the floor, the peak and the threshold of every frame, whether the history is shorter
 * than the floor window, as long, or longer, and whether the line starts with digital silence.
 */
import t from 'tap';
import { SortedFloats } from '../../../lib/media/sorted-floats';
import { LevelVad } from '../../../lib/media/level-vad';
import { mediaConfig } from '../../../lib/media/config';
import { FRAME_MS } from '../../../lib/media/types';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

t.test('inserts and removals keep the values in the order a fresh sort gives', async (t) => {
  const r = rng(11);
  const held: number[] = [];
  const s = new SortedFloats(64);
  let mismatches = 0;
  for (let k = 0; k < 5000; k++) {
    // Few distinct values, so equal values are common.
    const x = Math.fround(Math.round(r() * 40) / 4 - 60);
    if (held.length < 64 && (held.length === 0 || r() < 0.55)) {
      s.insert(x);
      held.push(x);
    } else {
      const out = held.splice(Math.floor(r() * held.length), 1)[0]!;
      s.remove(out);
    }
    const want = Float32Array.from(held).sort();
    if (want.length !== s.size || want.some((v, i) => v !== s.at(i))) mismatches++;
  }
  t.equal(mismatches, 0, 'every state equals the sorted multiset');
  t.throws(() => s.remove(12345), /not held/, 'removing a value not held is an error');
  const full = new SortedFloats(1);
  full.insert(1);
  t.throws(() => full.insert(2), /full/, 'a full set says so');
});

/**
 * The floor, peak and threshold as they were computed before the incremental order statistics: the window and the
 * whole history sorted afresh on every frame (the peak on every 5th, as the VAD reads it).
 */
function reference(cfg: ReturnType<typeof mediaConfig>['vad'], maxFrames: number, dbs: number[]) {
  const win = Math.max(5, Math.round(cfg.floorWindowMs / FRAME_MS));
  const out: { floor: number; peak: number }[] = [];
  let first = -1;
  let peak = NaN;
  dbs.forEach((d, k) => {
    if (first < 0 && d > cfg.absoluteMinDbfs) first = k;
    const n = Math.min(k + 1, maxFrames);
    const hist = dbs.slice(k + 1 - n, k + 1);
    if (n % 5 === 1 || n < 10) {
      const all = Float32Array.from(hist).sort();
      peak = all[Math.min(n - 1, Math.floor((cfg.peakPercentile / 100) * n))]!;
    }
    if (first < 0) return void out.push({ floor: cfg.absoluteMinDbfs, peak });
    const from = Math.max(first, k + 1 - Math.min(win, n));
    const w = Float32Array.from(dbs.slice(from, k + 1)).sort();
    out.push({ floor: w[Math.min(w.length - 1, Math.floor((cfg.floorPercentile / 100) * w.length))]!, peak });
  });
  return out;
}

t.test('the VAD floor and peak equal sorting the window afresh, frame by frame', async (t) => {
  const cfg = mediaConfig().vad;
  for (const maxFrames of [60, 150, 400]) {
    const r = rng(maxFrames);
    const v = new LevelVad(cfg, maxFrames);
    const dbs: number[] = [];
    const got: { floor: number; peak: number }[] = [];
    // 0.4 s of digital silence, then a line at -60 dBFS with words at -20 dBFS, 1,000 frames (longer than any history).
    for (let k = 0; k < 1000; k++) {
      const talk = k > 20 && Math.floor(k / 37) % 3 === 0;
      const e = k < 20 ? 0 : 160 * 32768 * 32768 * Math.pow(10, ((talk ? -20 : -60) + 6 * r()) / 10);
      v.push(e, 160);
      dbs.push(v.db[v.n - 1]!);
      got.push({ floor: v.floorDb, peak: v.peakDb });
    }
    const want = reference(cfg, maxFrames, dbs);
    const wrong = got.findIndex((g, k) => g.floor !== want[k]!.floor || (k >= 20 && g.peak !== want[k]!.peak));
    t.equal(wrong, -1, `history of ${maxFrames} frames: every frame's floor and peak as sorted afresh`);
  }
});
