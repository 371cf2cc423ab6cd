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

/**
 * Wall-clock time and Node timers. A due timer runs in the event loop's check phase (setImmediate), after
 * the poll phase has read the input already waiting: after a stall (GC, a busy host), the 180 that sits in
 * the socket's queue stops Timer A before it fires, instead of every stalled transaction retransmitting
 * at once (measured in bench/originate: the retransmissions of a stall made a SIPp far end abort calls
 * that had been answered). A timer a few milliseconds late is within RFC 3261's tolerance; one cleared
 * before that check phase does not fire at all.
 */
export function realClock(): Clock {
  type Pending = { due: NodeJS.Timeout } | { run: NodeJS.Immediate };
  const live = new Map<number, Pending>();
  let seq = 0;
  return {
    now: () => Date.now(),
    setTimer(ms, fn) {
      const id = ++seq;
      const t = setTimeout(() => {
        const run = setImmediate(() => {
          live.delete(id);
          fn();
        });
        live.set(id, { run });
      }, ms);
      live.set(id, { due: t });
      return { id };
    },
    clearTimer(h) {
      if (!h) return;
      const p = live.get(h.id);
      if (p && 'due' in p) clearTimeout(p.due);
      else if (p) clearImmediate(p.run);
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
