/**
 * Voice activity with an adaptive noise floor (minimum statistics): a frame is
 * voiced when its mean |sample| is above both the absolute silence threshold
 * (Asterisk's 256) and the floor × ratio, the floor being the quietest frame of
 * the last `noiseFloorWindowMs`. Steady background noise thus raises the bar,
 * while speech (which always has quiet gaps within two seconds) does not.
 */
import type { MediaConfig } from './config';
import { FRAME_MS } from './types';

const MIN_FRAMES = 5;

export class Vad {
  private readonly ring: Float64Array;
  private idx = 0;
  private filled = 0;
  private readonly threshold: number;
  private readonly ratio: number;
  /** Last computed floor (mean |sample|). */
  floor = 0;

  constructor(cfg: MediaConfig['vad']) {
    this.ring = new Float64Array(Math.max(1, Math.round(cfg.noiseFloorWindowMs / FRAME_MS)));
    this.threshold = cfg.silenceThreshold;
    this.ratio = cfg.noiseFloorRatio;
  }

  /** Feeds one frame's mean |sample|; true when the frame is voiced. */
  push(meanAbs: number): boolean {
    this.ring[this.idx] = meanAbs;
    this.idx = (this.idx + 1) % this.ring.length;
    if (this.filled < this.ring.length) this.filled++;
    let min = Infinity;
    for (let i = 0; i < this.filled; i++) if (this.ring[i]! < min) min = this.ring[i]!;
    // Before 100 ms the floor cannot be told from the first syllable: trust the absolute threshold only.
    this.floor = this.filled >= MIN_FRAMES ? min : 0;
    return meanAbs > this.threshold && meanAbs > this.floor * this.ratio;
  }
}
