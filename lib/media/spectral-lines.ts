/**
 * Spectral lines: how much of a sound's spectrum stays at fixed frequencies over the line, whatever its polyphony.
 *
 * Music holds its partials at fixed frequencies for a note's length, and tonal music comes back to the same notes
 * (a scale's degrees, a chord's tones, a bass on the root), so over a few seconds the spectral peaks pile up on a few
 * frequencies: horizontal lines in the spectrogram. A voice's harmonics glide with its pitch contour and its formants
 * move with every syllable, so its peaks spread over the band; noise's peaks land anywhere. This is the "continuous
 * frequency activation" of Seyerlehner, Pohle, Schedl and Widmer ("Automatic music detection in television
 * productions", DAFx 2007): a binarised peak map of the spectrogram, its per-bin activation (the share of frames with
 * a peak there) and the prominence of that activation's own peaks. Unlike the voice-range pitch tracker (level-vad.ts
 * periodicity, 70–400 Hz lags), it does not need one steady period: a chord, an FM bell's inharmonic partials, a
 * tremolo or a 100 ms arpeggio each leave their lines.
 *
 * Every other 20 ms frame: a 64 ms Hann window (the frame and the 44 ms before it; 15.6 Hz bins), a real FFT
 * (fft.js), and a peak wherever a bin is a local maximum at least `PEAK_RATIO` times the mean power of the bins within
 * ±`NEIGHBOURS` of it (a sinusoid's Hann main lobe is 4 bins wide; a partial stands out of its neighbourhood in noise
 * down to a few dB of local SNR). All-zero frames (lost packets, digital silence) are not counted. Cost: a 512-point
 * real FFT and ≈ 200 compares per analysed frame, taken lazily (only once the cue is asked: the espeak run takes 1,000
 * spectra where the eager class took ≈ 18,600); measured with the whole analyser by `npm run bench -- detect`.
 *
 * With a `floorRatio` (amd.musicLineMinFloorLines) each analysed frame also gets a second peak map, its peaks taken
 * over each bin's own noise floor (minimum statistics, floorPeaks) rather than over the neighbourhood mean, which
 * broadband noise fills: `value(minDb, 1)` is the same activation over that map.
 *
 * With an `lpcOrder` (amd.musicLinesPeakTest "lpc") each analysed frame also gets a third peak map, its peaks taken
 * over the frame's own all-pole envelope (lpcPeaks): `value(minDb, 2)` is the activation over that map.
 */
import FFT from 'fft.js';
import { autocorrelation, levinson, predictorPowerAt } from './lpc';
import { FRAME_MS } from './types';

const N = 512;
const HALF = N / 2;
/** The band searched for lines: 150 Hz–3.4 kHz (the telephone band, a bass note's second harmonic up). */
export const LINE_LO_BIN = Math.round((150 * N) / 8000);
export const LINE_HI_BIN = Math.round((3400 * N) / 8000);
const NEIGHBOURS = 8;
const PEAK_RATIO = 4;
/** Activation peaks summed (Seyerlehner et al. sum the five strongest). */
const TOP = 5;
/** Half-width (bins) of the region an activation peak's prominence is taken over (±94 Hz). */
const PROM_BINS = 6;
/** Frames per analysed frame (40 ms: a note of 100 ms still spans two or three). */
const HOP = 2;
/** Peaks kept per analysed frame (a dense chord with its partials has a dozen or two in the band). */
const MAX_PEAKS = 32;
/** Peaks kept per analysed frame on the floor map (its lowest ratio lets more through). */
const FLOOR_MAX_PEAKS = 64;
/** Minimum statistics (floorPeaks): the smoothing of each bin's power (40 ms hops: ≈ 110 ms time constant) and the window. */
const FLOOR_ALPHA = 0.7;
const FLOOR_SUBWINDOWS = 4;
const FLOOR_SUBFRAMES = 10;

/**
 * Bands (bins) whose level envelopes give the line's syllable-rate modulation (`modulation`): four octave-ish bands of
 * the telephone band (a voice's first formant, second formant, and the two upper ranges), each rising and falling with
 * every syllable of a voice.
 */
const BAND_EDGES = [150, 500, 1000, 2000, 3400].map((f) => Math.round((f * N) / 8000));
const NB = BAND_EDGES.length - 1;
/** The syllable-rate band of the envelopes' modulation spectrum (Hz): speech's 4 Hz, ±a syllable's range. */
const MOD_LO_HZ = 2.5;
const MOD_HI_HZ = 6;
/** The comb's pitch range (Hz) and its tolerance (bins) for a line to sit on a harmonic (`combShare`). */
const COMB_LO_HZ = 80;
const COMB_HI_HZ = 420;
const COMB_STEP_HZ = 0.5;
const COMB_TOL_BINS = 0.6;

/** The cos and sin of 2πm/N, m < N (lpcPeaks: the predictor's response at a bin). */
const COS_N = Float64Array.from({ length: N }, (_, m) => Math.cos((2 * Math.PI * m) / N));
const SIN_N = Float64Array.from({ length: N }, (_, m) => Math.sin((2 * Math.PI * m) / N));

const HANN = Float64Array.from({ length: N }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
/**
 * fft.js (radix-4, real transform): the same power as the radix-2 FFT first written here (to 1e-13 relative) in half
 * the time; its tables are built once, and it keeps no state between calls.
 */
const FFT_N = new FFT(N);

/** Power spectrum (bins 0…HALF) of N real samples `x` (windowed by the caller) into `out`; `spec` is scratch (2N). */
export function realPower(x: Float64Array, out: Float64Array, spec = new Float64Array(2 * N)): Float64Array {
  // realTransform fills bins 0…N/2 (interleaved re, im), the half a real signal needs.
  FFT_N.realTransform(spec, x);
  for (let k = 0; k <= HALF; k++) out[k] = spec[2 * k]! ** 2 + spec[2 * k + 1]! ** 2;
  return out;
}

export class SpectralLines {
  /** Per analysed frame: its level (dBFS, as the VAD measured it) and how many peaks it has, and their bins. */
  private readonly db: Float32Array;
  private readonly peaks: Uint8Array;
  private readonly bins: Uint8Array;
  /** Per analysed frame: the index of the frame it ends among those pushed with `count` (0 = the line's first sound). */
  private readonly src: Uint32Array;
  /** Frames analysed (every HOP-th frame pushed with `count`, not all-zero), at most the capacity. */
  n = 0;
  private pushed = 0;
  private readonly buf = new Float64Array(N);
  private readonly win = new Float64Array(N);
  private readonly pow = new Float64Array(HALF + 1);
  private readonly spec = new Float64Array(2 * N);
  private readonly act = new Uint16Array(HALF + 1);
  private readonly top = new Float64Array(TOP);
  /** The TOP activation peaks' bins (centroid of the peak bin and its two neighbours), with `top`. */
  private readonly topBin = new Float64Array(TOP);
  /** Per analysed frame: the level (dB, unreferenced) of each of the NB bands. */
  private readonly band: Float32Array;
  /** Scratch (modulation): cos and sin of 2πj/n, j < n. */
  private readonly twCos: Float64Array;
  private readonly twSin: Float64Array;
  /**
   * The frames pushed with `count`, kept raw (samples, lengths, levels) until `value` is first asked, then analysed
   * from where the last call left off. The cue is read only after amd.musicMinMs and only when the line's cheaper
   * gates pass, so most calls (a person's pause, a greeting's syllables) never pay for a spectrum; analysing in push
   * order from the same window makes every value identical to analysing as the frames come.
   */
  private raw = new Int16Array(0);
  private rawLen = new Uint16Array(0);
  private rawDb = new Float32Array(0);
  /** Frames kept, samples kept, frames analysed (replayed through the window) so far, samples replayed. */
  private kept = 0;
  private keptSamples = 0;
  private replayed = 0;
  private replayedSamples = 0;
  /** Non-zero frames kept: past HOP × capacity of them no frame can be analysed any more, so none is kept. */
  private keptSound = 0;
  /** Floor-relative peak map (floorRatio > 0): per analysed frame, its peaks over the noise floor, and their bins. */
  private readonly fpeaks: Uint8Array;
  private readonly fbins: Uint8Array;
  /** Minimum statistics (Martin 2001): each bin's smoothed power, the running sub-window's minimum, the ring of past sub-windows' minima. */
  private readonly smooth = new Float64Array(HALF + 1);
  private readonly curMin = new Float64Array(HALF + 1).fill(Infinity);
  private readonly subMin: Float64Array;
  private subFrames = 0;
  private subFilled = 0;
  private subAt = 0;
  /** The activation's binomial standard error (counts) as the last `value` with a `nullZ` took it. */
  private nullSdCount = 0;
  /** The floor of the frame being analysed (scratch). */
  private readonly floor = new Float64Array(HALF + 1);
  /**
   * Per analysed frame (`tuning`): the sum of its peaks' unit phasors on the equal-tempered semitone circle (cos, sin
   * of 2π · 12 · log2 f, f the peak's interpolated frequency) and that sum's length.
   */
  private readonly tc: Float32Array;
  private readonly ts: Float32Array;
  private readonly tr: Float32Array;
  /** The highest bin whose peaks `semitonePhasor` takes. */
  private readonly tuningHiBin: number;
  /** Scratch (tuningThirdOfTop): peaks per bin. */
  private readonly peakCount = new Uint16Array(HALF + 2);
  /** LPC-envelope peak map (lpcOrder > 0): per analysed frame, its peaks over its own all-pole envelope, and their bins. */
  private readonly lpeaks: Uint8Array;
  private readonly lbins: Uint8Array;
  /** Scratch (lpcPeaks): the autocorrelation, the predictor and Levinson's copy of it. */
  private readonly lpcR: Float64Array;
  private readonly lpcA: Float64Array;
  private readonly lpcTmp: Float64Array;
  /** The bandwidth expansion's factor γ (1: none). */
  private readonly lpcGamma: number;

  constructor(
    private readonly capacity: number,
    private readonly floorRatio = 0,
    /** Keep each analysed frame's semitone phasor (`tuning`; amd.musicMinTuning): off, `tuning` reads 0. */
    private readonly keepTuning = false,
    /** The semitone phasor takes only peaks up to this frequency (amd.musicTuningMaxHz); 0: the whole band. */
    tuningMaxHz = 0,
    /** > 0: a third peak map, peaks over the frame's all-pole envelope of this order (amd.musicLinesLpcOrder; `value(minDb, 2)`). */
    private readonly lpcOrder = 0,
    /** With lpcOrder: every pole's bandwidth widened by this (Hz; amd.musicLinesLpcBandwidthHz), a_j × γ^j; 0: none. */
    lpcBandwidthHz = 0,
  ) {
    this.lpcGamma = Math.exp((-Math.PI * lpcBandwidthHz) / 8000);
    this.tuningHiBin = tuningMaxHz > 0 ? Math.min(LINE_HI_BIN, Math.floor((tuningMaxHz * N) / 8000)) : LINE_HI_BIN;
    this.db = new Float32Array(capacity);
    this.peaks = new Uint8Array(capacity);
    this.bins = new Uint8Array(capacity * MAX_PEAKS);
    this.src = new Uint32Array(capacity);
    this.fpeaks = new Uint8Array(floorRatio > 0 ? capacity : 0);
    this.fbins = new Uint8Array(floorRatio > 0 ? capacity * FLOOR_MAX_PEAKS : 0);
    this.subMin = new Float64Array(floorRatio > 0 ? (FLOOR_SUBWINDOWS - 1) * (HALF + 1) : 0);
    this.band = new Float32Array(capacity * NB);
    this.twCos = new Float64Array(capacity);
    this.twSin = new Float64Array(capacity);
    this.tc = new Float32Array(keepTuning ? capacity : 0);
    this.ts = new Float32Array(keepTuning ? capacity : 0);
    this.tr = new Float32Array(keepTuning ? capacity : 0);
    this.lpeaks = new Uint8Array(lpcOrder > 0 ? capacity : 0);
    this.lbins = new Uint8Array(lpcOrder > 0 ? capacity * MAX_PEAKS : 0);
    this.lpcR = new Float64Array(lpcOrder + 1);
    this.lpcA = new Float64Array(lpcOrder + 1);
    this.lpcTmp = new Float64Array(lpcOrder + 1);
  }

  /**
   * Feeds one frame. Every HOP-th frame with `count` (the line has sounded) and not all zeros (a lost packet, digital
   * silence) is analysed (lazily, when `value` is asked): its spectral peaks are kept with its level `db`. Before the
   * first counted frame only the window's history is kept.
   */
  push(frame: Int16Array, count: boolean, db: number): void {
    const m = frame.length;
    if (!count) {
      // Before the line's first sound: only the 44 ms the first analysed window reaches back into.
      if (this.kept === 0) this.shift(frame);
      return;
    }
    let zero = true;
    for (let i = 0; i < m; i++)
      if (frame[i] !== 0) {
        zero = false;
        break;
      }
    if (this.keptSound >= HOP * this.capacity) return;
    if (!zero) this.keptSound++;
    if (this.keptSamples + m > this.raw.length) {
      const raw = new Int16Array(Math.max(2 * this.raw.length, this.keptSamples + m, 64 * m));
      raw.set(this.raw.subarray(0, this.keptSamples));
      this.raw = raw;
    }
    if (this.kept === this.rawLen.length) {
      const len = new Uint16Array(Math.max(64, 2 * this.kept));
      len.set(this.rawLen);
      this.rawLen = len;
      const d = new Float32Array(len.length);
      d.set(this.rawDb);
      this.rawDb = d;
    }
    this.raw.set(frame, this.keptSamples);
    this.keptSamples += m;
    this.rawLen[this.kept] = m;
    this.rawDb[this.kept++] = db;
  }

  /** The window's history moves on by one frame. Returns whether the frame was all zeros. */
  private shift(frame: ArrayLike<number>): boolean {
    const buf = this.buf;
    const m = frame.length;
    buf.copyWithin(0, m);
    let zero = true;
    for (let i = 0; i < m; i++) {
      const s = frame[i]!;
      if (s !== 0) zero = false;
      buf[N - m + i] = s;
    }
    return zero;
  }

  /** Analyses the kept frames not analysed yet, in push order. */
  private catchUp(): void {
    while (this.replayed < this.kept) {
      const m = this.rawLen[this.replayed]!;
      const frame = this.raw.subarray(this.replayedSamples, this.replayedSamples + m);
      const db = this.rawDb[this.replayed++]!;
      this.replayedSamples += m;
      if (this.shift(frame) || this.pushed++ % HOP !== 0 || this.n >= this.capacity) continue;
      this.analyse(db);
    }
  }

  /** The spectral peaks of the window as it stands, kept with the frame's level `db`. */
  private analyse(db: number): void {
    const w = this.win;
    const buf = this.buf;
    for (let i = 0; i < N; i++) w[i] = buf[i]! * HANN[i]!;
    const p = realPower(w, this.pow, this.spec);
    const at = this.n++;
    this.db[at] = db;
    this.src[at] = this.replayed - 1;
    for (let b = 0; b < NB; b++) {
      // 1e-3: a floor far under any sound's band power (a sample of 1 LSB gives ≈ 1e2), so digital silence is finite.
      let e = 1e-3;
      for (let k = BAND_EDGES[b]!; k < BAND_EDGES[b + 1]!; k++) e += p[k]!;
      this.band[at * NB + b] = 10 * Math.log10(e);
    }
    let k0 = at * MAX_PEAKS;
    const end = k0 + MAX_PEAKS;
    // Running sum of the ±NEIGHBOURS window around k.
    let sum = 0;
    for (let k = LINE_LO_BIN - NEIGHBOURS; k <= LINE_LO_BIN + NEIGHBOURS; k++) sum += p[k]!;
    const width = 2 * NEIGHBOURS + 1;
    for (let k = LINE_LO_BIN; k <= LINE_HI_BIN && k0 < end; k++) {
      const v = p[k]!;
      if (v > p[k - 1]! && v >= p[k + 1]! && v * width > PEAK_RATIO * sum) this.bins[k0++] = k;
      sum += p[k + NEIGHBOURS + 1]! - p[k - NEIGHBOURS]!;
    }
    this.peaks[at] = k0 - at * MAX_PEAKS;
    if (this.keepTuning) this.semitonePhasor(p, at);
    if (this.floorRatio > 0) this.floorPeaks(p, at);
    if (this.lpcOrder > 0) this.lpcPeaks(w, p, at);
  }

  /**
   * The frame's peaks over its own spectral envelope (amd.musicLinesPeakTest "lpc"): a local maximum at least
   * PEAK_RATIO times the all-pole envelope E / |A(e^jω)|² of order lpcOrder (lpc.ts: the windowed frame's
   * autocorrelation, Levinson–Durbin), on the power spectrum's own scale (the model's autocorrelation matches the
   * frame's at lags 0…order, so its spectrum is a smooth fit of |X|², Makhoul 1975 §6). At order 8–12 the envelope
   * follows a voice's formants or a codec's coloured noise floor, not single partials, so a partial stands out of it
   * where the ±NEIGHBOURS mean, which the next partials of a chord and GSM's coding noise between them fill, drowns it
   * (round twenty-seven, first 3 s of sound, wide real music through a GSM round trip: p10 0.35 → 0.47 at order 8).
   */
  private lpcPeaks(w: Float64Array, p: Float64Array, at: number): void {
    const order = this.lpcOrder;
    const a = this.lpcA;
    const e = levinson(autocorrelation(w, order, this.lpcR), order, a, this.lpcTmp);
    // Bandwidth expansion: A(z/γ) moves every pole towards the origin, widening it by lpcBandwidthHz; E stays the
    // envelope's geometric mean (a monic minimum-phase A's log |A|² integrates to 0 around the circle, A(z/γ)'s too).
    for (let j = 1, g = this.lpcGamma; j <= order; j++, g *= this.lpcGamma) a[j] = a[j]! * g;
    let k0 = at * MAX_PEAKS;
    const end = k0 + MAX_PEAKS;
    if (e > 0)
      for (let k = LINE_LO_BIN; k <= LINE_HI_BIN && k0 < end; k++) {
        const v = p[k]!;
        // The envelope only at local maxima (a few dozen a frame): v ≥ R·E/|A|² as v·|A|² ≥ R·E.
        if (v > p[k - 1]! && v >= p[k + 1]! && v * predictorPowerAt(a, order, k, COS_N, SIN_N) >= PEAK_RATIO * e) this.lbins[k0++] = k;
      }
    this.lpeaks[at] = k0 - at * MAX_PEAKS;
  }

  /**
   * The frame's peaks (as `analyse` found them) on the semitone circle (`tuning`): each peak's frequency from a
   * parabola through the log power of its bin and the two beside it (a Hann main lobe is close to a Gaussian there,
   * whose log is a parabola: the estimate's bias is a few hundredths of a bin, a few cents at 200 Hz and less above),
   * its phase 2π · 12 · log2(f / 440), one unit phasor per peak.
   */
  private semitonePhasor(p: Float64Array, at: number): void {
    let c = 0;
    let s = 0;
    for (let j = at * MAX_PEAKS, e = j + this.peaks[at]!; j < e; j++) {
      const k = this.bins[j]!;
      if (k > this.tuningHiBin) break;
      const a = Math.log(p[k - 1]! + 1e-9);
      const b = Math.log(p[k]! + 1e-9);
      const g = Math.log(p[k + 1]! + 1e-9);
      const d = a - 2 * b + g;
      const f = ((k + (d < 0 ? (0.5 * (a - g)) / d : 0)) * 8000) / N;
      const th = 2 * Math.PI * 12 * Math.log2(f / 440);
      c += Math.cos(th);
      s += Math.sin(th);
    }
    this.tc[at] = c;
    this.ts[at] = s;
    this.tr[at] = Math.hypot(c, s);
  }

  /**
   * The frame's peaks over the line's own noise floor, per bin (minimum statistics, Martin 2001): each bin's power
   * smoothed over time (FLOOR_ALPHA), its minimum over the last FLOOR_SUBWINDOWS × FLOOR_SUBFRAMES analysed frames
   * (≈ 1.6 s: longer than most notes, so a bin's minimum is the noise under the music, not the note); a peak is a
   * local maximum at least floorRatio times that minimum. Broadband noise raises the neighbourhood mean and the floor
   * alike, but the neighbourhood mean also holds the partial's own main lobe and its neighbours' (a chord's partials
   * 6–8 bins apart), so the floor keeps a partial's contrast where the neighbourhood loses it.
   */
  private floorPeaks(p: Float64Array, at: number): void {
    const lo = LINE_LO_BIN - 1;
    const hi = LINE_HI_BIN + 1;
    const sm = this.smooth;
    const first = at === 0;
    const U = FLOOR_SUBWINDOWS;
    const W = HALF + 1;
    for (let k = lo; k <= hi; k++) {
      const v = first ? p[k]! : FLOOR_ALPHA * sm[k]! + (1 - FLOOR_ALPHA) * p[k]!;
      sm[k] = v;
      if (v < this.curMin[k]!) this.curMin[k] = v;
      let m = this.curMin[k]!;
      for (let u = 0; u < this.subFilled; u++) m = Math.min(m, this.subMin[u * W + k]!);
      this.floor[k] = m;
    }
    if (++this.subFrames === FLOOR_SUBFRAMES) {
      this.subMin.set(this.curMin.subarray(0, W), this.subAt * W);
      this.subAt = (this.subAt + 1) % (U - 1);
      if (this.subFilled < U - 1) this.subFilled++;
      this.curMin.fill(Infinity);
      this.subFrames = 0;
    }
    let k0 = at * FLOOR_MAX_PEAKS;
    const end = k0 + FLOOR_MAX_PEAKS;
    const r = this.floorRatio;
    for (let k = LINE_LO_BIN; k <= LINE_HI_BIN && k0 < end; k++) {
      const v = p[k]!;
      if (v > p[k - 1]! && v >= p[k + 1]! && v > r * this.floor[k]!) this.fbins[k0++] = k;
    }
    this.fpeaks[at] = k0 - at * FLOOR_MAX_PEAKS;
  }

  /**
   * The line's continuous frequency activation: each bin's share of the analysed frames with a peak there, counting
   * only the peaks of frames louder than `minDb` (the line's own sound, not the codec's or the room's murmur under
   * it), and the sum of the TOP strongest prominences of that activation's own peaks (a peak's height over the higher
   * of the lowest activation within PROM_BINS on its left and on its right). 0 with under a second analysed. `map` 1:
   * the same over the peaks taken against each bin's noise floor (floorPeaks; 0 unless built with a floorRatio); 2: over
   * the peaks taken against the frame's all-pole envelope (lpcPeaks; 0 unless built with an lpcOrder).
   * `nullZ` > 0: each line counts only by how far its prominence stands beyond `nullZ` binomial standard errors of
   * the activation (`nullSd`), the spread that noise alone gives it.
   */
  value(minDb = -Infinity, map: 0 | 1 | 2 = 0, nullZ = 0): number {
    this.catchUp();
    this.nullSdCount = 0;
    if (this.n * HOP * FRAME_MS < 1000) return 0;
    return this.activation(0, minDb, map, nullZ);
  }

  /**
   * `value` over the tail of the line only: the analysed frames from the `from`-th frame pushed with `count` on (0 is
   * the line's first sound), divided by their number; 0 with fewer than `minMs` of them. The quiet after a greeting
   * (amd.musicHoldsPersonOnLines): a bed of music keeps its partials there, a room's noise or other talkers do not.
   */
  valueSince(from: number, minMs: number, minDb = -Infinity, map: 0 | 1 | 2 = 0, nullZ = 0): number {
    this.catchUp();
    this.nullSdCount = 0;
    let a0 = this.n;
    while (a0 > 0 && this.src[a0 - 1]! >= from) a0--;
    if ((this.n - a0) * HOP * FRAME_MS < Math.max(minMs, 1)) return 0;
    return this.activation(a0, minDb, map, nullZ);
  }

  /**
   * How well the line's spectral peaks keep to one tuning grid of semitones over time (amd.musicMinTuning): the length
   * of the sum of the analysed frames' semitone phasors (`semitonePhasor`) over the sum of their lengths, counting
   * frames louder than `minDb` from the `from`-th frame pushed with `count` on; 0 with under a second analysed. Tonal
   * music plays its notes on one equal-tempered grid, whatever the key, the chord or the melody: each note's partials
   * 1, 2, 3, 4, 6, 8 sit within 2 cents of the grid, so every frame's phasor points the same way (the piece's tuning
   * against A 440) and the sum keeps their full length (train hold music 0.90–0.98 clean, 0.73–0.96 in pink noise at
   * 5 dB). A voice's pitch glides through every fraction of a semitone, so its frames point every way and cancel (train
   * voices' prompts ≤ 0.33, a short word with silence after it ≤ 0.66). Noise's peaks land anywhere: they shorten a
   * frame's phasor without turning it. Frames weigh by their own length: a frame of one harmonic series counts fully,
   * one of scattered noise peaks little.
   */
  tuning(minDb = -Infinity, from = 0, minThirdOfTop = 0): number {
    if (!this.keepTuning) return 0;
    this.catchUp();
    let a0 = this.n;
    while (a0 > 0 && this.src[a0 - 1]! >= from) a0--;
    if ((this.n - a0) * HOP * FRAME_MS < 1000) return 0;
    if (minThirdOfTop > 0 && this.tuningThirdOfTop(a0, minDb) < minThirdOfTop) return 0;
    let c = 0;
    let s = 0;
    let r = 0;
    for (let i = a0; i < this.n; i++) {
      if (!(this.db[i]! > minDb)) continue;
      c += this.tc[i]!;
      s += this.ts[i]!;
      r += this.tr[i]!;
    }
    return r > 0 ? Math.hypot(c, s) / r : 0;
  }

  /**
   * The tuning's tone guard (amd.musicTuningMinThirdOfTop): over the analysed frames from `a0` louder than `minDb`, the
   * peaks the tuning reads (up to tuningHiBin) counted per bin, summed over each bin and its two neighbours (a steady
   * partial between two bins splits its peaks between them), and of that map's local maxima the third highest over
   * the highest (0 with fewer than three). A tone (busy, reorder, dial: one partial or two) gives one steady phasor
   * whatever the grid, and past its partials only the noise's scattered peaks, a few per bin; music's notes and their
   * partials (1, 2, 3 of one note are three partials) share the peaks among more places than two.
   */
  tuningThirdOfTop(a0 = 0, minDb = -Infinity): number {
    if (!this.keepTuning) return 0;
    this.catchUp();
    const h = this.peakCount;
    h.fill(0);
    const hi = this.tuningHiBin;
    for (let i = a0; i < this.n; i++) {
      if (!(this.db[i]! > minDb)) continue;
      for (let j = i * MAX_PEAKS, e = j + this.peaks[i]!; j < e && this.bins[j]! <= hi; j++) h[this.bins[j]!]!++;
    }
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    let prev = 0;
    let cur = h[LINE_LO_BIN - 1]! + h[LINE_LO_BIN]! + h[LINE_LO_BIN + 1]!;
    for (let k = LINE_LO_BIN; k <= hi; k++) {
      const next = h[k]! + h[k + 1]! + h[k + 2]!;
      if (cur > prev && cur >= next) {
        if (cur > c1) [c1, c2, c3] = [cur, c1, c2];
        else if (cur > c2) [c2, c3] = [cur, c2];
        else if (cur > c3) c3 = cur;
      }
      prev = cur;
      cur = next;
    }
    return c1 > 0 ? c3 / c1 : 0;
  }

  /** The activation's TOP prominences over analysed frames [a0, n), as `value` describes, over their number. */
  private activation(a0: number, minDb: number, map: 0 | 1 | 2, nullZ: number): number {
    const f = this.n;
    const a = this.act;
    a.fill(0);
    const [peaks, bins, max] =
      map === 1
        ? [this.fpeaks, this.fbins, FLOOR_MAX_PEAKS]
        : map === 2
          ? [this.lpeaks, this.lbins, MAX_PEAKS]
          : [this.peaks, this.bins, MAX_PEAKS];
    let loud = 0;
    for (let i = a0; i < f; i++) {
      if (!(this.db[i]! > minDb)) continue;
      loud++;
      for (let j = i * max, e = j + peaks[i]!; j < e; j++) a[bins[j]!]!++;
    }
    const top = this.top;
    top.fill(0);
    this.topBin.fill(0);
    for (let k = LINE_LO_BIN + 1; k < LINE_HI_BIN; k++) {
      const v = a[k]!;
      if (!(v > a[k - 1]! && v >= a[k + 1]!)) continue;
      let left = v;
      for (let j = Math.max(LINE_LO_BIN, k - PROM_BINS); j < k; j++) left = Math.min(left, a[j]!);
      let right = v;
      for (let j = k + 1; j <= Math.min(LINE_HI_BIN, k + PROM_BINS); j++) right = Math.min(right, a[j]!);
      const prom = v - Math.max(left, right);
      if (prom > top[TOP - 1]!) {
        let i = TOP - 1;
        while (i > 0 && top[i - 1]! < prom) {
          top[i] = top[i - 1]!;
          this.topBin[i] = this.topBin[i - 1]!;
          i--;
        }
        top[i] = prom;
        const den = a[k - 1]! + v + a[k + 1]!;
        this.topBin[i] = k + (a[k + 1]! - a[k - 1]!) / den;
      }
    }
    if (nullZ > 0) this.subtractNull(loud, nullZ);
    let s = 0;
    for (let i = 0; i < TOP; i++) s += top[i]!;
    return s / (f - a0);
  }

  /**
   * The activation's spread under noise alone, and each line's prominence beyond `z` of it. A frame's peak at a bin is
   * a Bernoulli trial, so over `loud` frames a bin's count is binomial, standard error √(n·q·(1−q)), with q the
   * activation's mean over the band (the share of frames and bins with a peak). The noise's own lines are that
   * spread's extremes, and they grow with q (deeper noise leaves more peaks over a floor by minimum statistics, most
   * before the floor has seen its window: Martin 2001's minimum is biased low over few frames) and shrink as √n with
   * time: round nineteen's trace read 0.6–0.8 of the 1.6 bar in deep noise at 2 s as noise lines, 0.2 of it at 6 s.
   * Counting a line only beyond z standard errors makes the sum mean the same at every SNR and time. (Martin's own
   * bias factor Bmin rescales the floor, so it only moves the ratio; it leaves the activation's spread as it is.)
   */
  private subtractNull(loud: number, z: number): void {
    let tot = 0;
    for (let k = LINE_LO_BIN; k <= LINE_HI_BIN; k++) tot += this.act[k]!;
    const q = loud > 0 ? tot / (loud * (LINE_HI_BIN - LINE_LO_BIN + 1)) : 0;
    const sd = Math.sqrt(loud * q * (1 - q));
    this.nullSdCount = sd;
    const top = this.top;
    for (let i = 0; i < TOP; i++) top[i] = Math.max(0, top[i]! - z * sd);
  }

  /** The activation's binomial standard error as the last `value` with a `nullZ` took it, as a share of the frames (0 otherwise). */
  nullSd(): number {
    return this.n > 0 ? this.nullSdCount / this.n : 0;
  }

  /**
   * The third line's prominence over the second's, as the last `value` found them (0 with fewer than two lines). A
   * dual tone (busy, reorder, ringback: two partials) has two lines; whatever follows them is the noise's own: on the
   * floor map in deep noise, before the minimum statistics have settled, a bin whose floor came out low keeps a peak
   * there for the window's length, and those noise lines read 0.2–0.3 each after 2 s (round nineteen, train tones in
   * white/pink/babble at 0–3 dB: the third line at most 0.70 of the second), while music's lines are notes and their
   * partials, several of them alike (train music the floor route passes: 0.68, then 0.77–1.0).
   */
  thirdLineShare(): number {
    const top = this.top;
    return top[1]! > 0 ? top[2]! / top[1]! : 0;
  }

  /**
   * The third line's prominence over the strongest's, as the last `value` found them (0 with no line). With a `nullZ`
   * (lines counted only beyond the noise's binomial spread) a tone's partials are all its lines: a single-frequency tone
   * (DE/UK/JP 400–425 Hz) has one, a dual tone two, and what follows is the noise's, counted as ≈ 0 (round twenty:
   * tones in white/pink/brown/babble at −3 to 5 dB that reach the floor bar, at most 0.27, the babble cells; the
   * second line of a one-partial tone is noise too, so the third over the second, thirdLineShare, cannot tell them).
   * Music's lines are notes and their partials, several of them alike (train and dev music over the bar: 0.31–0.88,
   * a few at 0–0.26).
   */
  thirdOfTopShare(): number {
    const top = this.top;
    return top[0]! > 0 ? top[2]! / top[0]! : 0;
  }

  /**
   * How much of the lines one voice could make: the share of the TOP lines' prominence (as the last `value` found them)
   * that sits on the harmonics of the best single pitch, COMB_LO_HZ–COMB_HI_HZ (within COMB_TOL_BINS of k·f0). A flat
   * voice's lines are its harmonics, one series (the monotone dev set's flat voices that reach the trace: 1.0); a
   * chord's or a melody's lines are the partials of several notes (music dev pieces 0.64–0.85, one single bell line
   * 1.0). 0 with no line.
   */
  combShare(): number {
    const top = this.top;
    const tb = this.topBin;
    let total = 0;
    for (let i = 0; i < TOP; i++) total += top[i]!;
    if (!(total > 0)) return 0;
    let best = 0;
    for (let f0 = COMB_LO_HZ; f0 <= COMB_HI_HZ; f0 += COMB_STEP_HZ) {
      const fb = (f0 * N) / 8000;
      let on = 0;
      for (let i = 0; i < TOP; i++) {
        if (!(top[i]! > 0)) continue;
        const h = Math.round(tb[i]! / fb);
        if (h >= 1 && Math.abs(tb[i]! - h * fb) <= COMB_TOL_BINS) on += top[i]!;
      }
      if (on > best) best = on;
    }
    return best / total;
  }

  /**
   * The line's syllable-rate modulation (Scheirer and Slaney, "Construction and evaluation of a robust multifeature
   * speech/music discriminator", ICASSP 1997: speech's energy is modulated at ≈ 4 Hz, its syllable rate; music's at its
   * beat and note rates, which spread over the modulation spectrum): per band, the share of the level envelope's
   * modulation power (every analysed frame since the first sound, 25 a second; its mean out) between MOD_LO_HZ and
   * MOD_HI_HZ, averaged over the NB bands. Shares, not depths: noise shrinks a voice's modulation depth but leaves
   * its rhythm. 0 with under a second analysed.
   */
  modulation(): number {
    this.catchUp();
    const f = this.n;
    if (f * HOP * FRAME_MS < 1000) return 0;
    const rate = 1000 / (HOP * FRAME_MS);
    const k0 = Math.ceil((MOD_LO_HZ * f) / rate);
    const k1 = Math.floor((MOD_HI_HZ * f) / rate);
    const cos = this.twCos;
    const sin = this.twSin;
    for (let j = 0; j < f; j++) {
      cos[j] = Math.cos((2 * Math.PI * j) / f);
      sin[j] = Math.sin((2 * Math.PI * j) / f);
    }
    let share = 0;
    for (let b = 0; b < NB; b++) {
      let mean = 0;
      for (let i = 0; i < f; i++) mean += this.band[i * NB + b]!;
      mean /= f;
      // Parseval: the two-sided modulation power without DC is f · Σ(x − mean)²; one side is half of it.
      let sq = 0;
      for (let i = 0; i < f; i++) sq += (this.band[i * NB + b]! - mean) ** 2;
      if (!(sq > 0)) continue;
      let inBand = 0;
      for (let k = k0; k <= k1; k++) {
        let re = 0;
        let im = 0;
        // The DFT's twiddles from one table of f (k·i mod f): no trigonometry in the loop.
        for (let i = 0, j = 0; i < f; i++, j = j + k >= f ? j + k - f : j + k) {
          const x = this.band[i * NB + b]! - mean;
          re += x * cos[j]!;
          im -= x * sin[j]!;
        }
        inBand += re * re + im * im;
      }
      share += inBand / ((f * sq) / 2);
    }
    return share / NB;
  }
}
