/**
 * A multiset of float32 values kept in ascending order, for order statistics of a window that moves one value at
 * a time: a value goes in or out by binary search and one memmove, where sorting the window afresh every 20 ms frame
 * cost the level VAD an O(m log m) sort per frame (its floor percentiles, and the peak over the whole history).
 * The array holds the same values in the same order as `Float32Array.prototype.sort` would give them (level values
 * in dBFS: never NaN), so every percentile read from it is bit for bit the sorted window's.
 */
export class SortedFloats {
  private readonly v: Float32Array;
  private n = 0;

  constructor(capacity: number) {
    this.v = new Float32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** The i-th smallest value (0-based). */
  at(i: number): number {
    return this.v[i]!;
  }

  clear(): void {
    this.n = 0;
  }

  insert(x: number): void {
    if (this.n === this.v.length) throw new Error(`SortedFloats: full (${this.v.length})`);
    const f = Math.fround(x);
    const i = this.lowerBound(f);
    this.v.copyWithin(i + 1, i, this.n);
    this.v[i] = f;
    this.n++;
  }

  /** Removes one value equal to x (as float32); an error when there is none (the caller's window and this one disagree). */
  remove(x: number): void {
    const f = Math.fround(x);
    const i = this.lowerBound(f);
    if (i >= this.n || this.v[i] !== f) throw new Error(`SortedFloats: ${x} is not held`);
    this.v.copyWithin(i, i + 1, this.n);
    this.n--;
  }

  /** First index whose value is ≥ f. */
  private lowerBound(f: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.v[mid]! < f) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
