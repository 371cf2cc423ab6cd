/**
 * Time for the SIP engine, injected so that tests run RFC 3261 timers in
 * virtual time (a 32 s Timer B or a 3 min Timer C fires without waiting).
 */

export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms`; the handle cancels it. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(h: TimerHandle | undefined): void;
}

/** Wall-clock time and Node timers (unref'd: a pending SIP timer never keeps a process alive on its own). */
export function realClock(): Clock {
  const live = new Map<number, NodeJS.Timeout>();
  let seq = 0;
  return {
    now: () => Date.now(),
    setTimer(ms, fn) {
      const id = ++seq;
      const t = setTimeout(() => {
        live.delete(id);
        fn();
      }, ms);
      live.set(id, t);
      return { id };
    },
    clearTimer(h) {
      if (!h) return;
      const t = live.get(h.id);
      if (t) clearTimeout(t);
      live.delete(h.id);
    },
  };
}

/**
 * A clock that moves only when told to. Timers due at the same instant fire in
 * the order they were set; a timer set by a firing timer fires in the same
 * `advance` if it falls due inside it.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers = new Map<number, { due: number; fn: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { due: this.t + Math.max(0, ms), fn });
    return { id };
  }

  clearTimer(h: TimerHandle | undefined): void {
    if (h) this.timers.delete(h.id);
  }

  /** Timers still pending. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in due order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { due: number; fn: () => void }] | undefined;
      for (const e of this.timers)
        if (e[1].due <= end && (!next || e[1].due < next[1].due || (e[1].due === next[1].due && e[0] < next[0]))) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].due;
      next[1].fn();
    }
    this.t = end;
  }

  /** Moves to an absolute offset from now: same as advance. */
  advanceTo(at: number): void {
    this.advance(Math.max(0, at - this.t));
  }
}
