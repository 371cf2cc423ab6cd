/**
 * Seeded randomness for the pacing simulator: mulberry32 (32-bit state, full
 * period 2³², passes PractRand to 2³² outputs), enough for reproducible
 * discrete-event runs. Not for anything secret.
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform on [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Gamma with integer shape k (sum of k exponentials) and the given mean. */
  erlang(k: number, mean: number): number {
    let x = 0;
    for (let i = 0; i < k; i++) x += this.exponential(mean / k);
    return x;
  }
}

/** Independent-looking seeds for named streams of one run. */
export function deriveSeed(seed: number, stream: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
