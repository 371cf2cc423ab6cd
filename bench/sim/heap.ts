/** Binary min-heap of timed events; equal times pop in insertion order (deterministic runs). */
export interface Timed {
  t: number;
  seq: number;
}

/** Omit that keeps a union a union. */
export type WithoutSeq<E> = E extends unknown ? Omit<E, 'seq'> : never;

export class EventHeap<E extends Timed> {
  private a: E[] = [];
  private seq = 0;

  get size(): number {
    return this.a.length;
  }

  push(e: WithoutSeq<E>): void {
    const item = { ...e, seq: this.seq++ } as E;
    const a = this.a;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): E | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(x: Timed, y: Timed): boolean {
  return x.t < y.t || (x.t === y.t && x.seq < y.seq);
}
