/**
 * Admission control for endpoint creation, per media server.
 *
 * drachtio-fsmrf 4.1.2 creates an endpoint with an INVITE to FreeSWITCH; after
 * the 200 OK, FreeSWITCH's `socket` application (dialplan/dialer.xml) opens an
 * outbound event-socket connection back to us, and fsmrf gives that connection
 * a fixed 4 s (lib/mediaserver.js, not configurable). Measured live at load
 * 16 on 2 cores, 40 creations/s unbounded: the time from the 200 OK to the
 * connection grew to 2.4 s (p50) and 3.9 s (p90), the node event loop's delay
 * staying under 0.8 s — FreeSWITCH's channel threads, a hundred in flight,
 * were sharing the CPU — and 70 of 120 creations timed out (each a wasted
 * channel that still ran). The same load with at most 6 creations in flight:
 * 200 OK → connection 64 ms (p50) / 128 ms (p90), queue wait p90 262 ms, none
 * failed. So creations wait their turn here, where no timer runs, and only a
 * bounded number are inside fsmrf's 4 s at once (README "Endpoint creation").
 *
 * A creation that waited `queueMs` for its turn is refused (EndpointQueueTimeout)
 * before anything is sent: nothing reached FreeSWITCH or the far end. One that
 * timed out inside fsmrf (EndpointTimeout) is tried once more while the media
 * server is still connected: nothing of the call had been sent either.
 */
import {
  EndpointQueueTimeout,
  EndpointTimeout,
  MediaServerStalled,
  withCreateEndpoint,
  type EndpointPort,
  type MediaServerPort,
} from './ports';

export interface GateTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: GateTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => performance.now(),
};

/**
 * fsmrf's fixed wait for FreeSWITCH's event socket, from the 200 OK
 * (drachtio-fsmrf 4.1.2 lib/mediaserver.js `setTimeout(timeoutFn…, 4000)`).
 */
export const FSMRF_CONNECT_MS = 4000;
/**
 * A creation slower than this (INVITE to endpoint ready, which contains fsmrf's
 * part) halves the limit: half of fsmrf's 4 s, so the spread between the
 * typical and the slowest creation at one limit (measured up to 2×) stays inside it.
 */
export const SLOW_CREATION_MS = FSMRF_CONNECT_MS / 2;
/** The limit a gate starts at (measured: 6 in flight kept 40/s clean at load 16; the limit then adapts). */
export const INITIAL_LIMIT = 6;

interface Waiter {
  admit(): void;
  timer: unknown;
}

/**
 * At most `limit` creations at once; the rest wait in arrival order, each for
 * at most `queueMs`. The limit adapts to how fast creations complete, as TCP's
 * congestion window does to round trips (RFC 5681): it grows while creations
 * finish within SLOW_CREATION_MS / 2 (by one per fast creation until the first
 * slow one, then by one per limit's worth), and halves on a creation slower
 * than SLOW_CREATION_MS or timed out — once per cohort (only for a creation
 * that started after the last halving). It stays within [1, `maxLimit`].
 * Why adapt: under CPU contention FreeSWITCH completes more creations per
 * second with more in flight (its channel threads get more of the CPU), up to
 * where each takes so long that fsmrf's 4 s runs out.
 */
export class CreationGate {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private window: number;
  private slowStart = true;
  private lastCut = -Infinity;

  constructor(
    readonly maxLimit: number,
    readonly queueMs: number,
    private readonly timers: GateTimers = realTimers,
  ) {
    if (!(maxLimit >= 1)) throw new RangeError('maxLimit must be ≥ 1');
    this.window = Math.min(INITIAL_LIMIT, maxLimit);
  }

  /** Creations in flight, waiting for a turn, and the current limit (whole creations). */
  stats(): { active: number; waiting: number; limit: number } {
    return { active: this.active, waiting: this.waiting.length, limit: this.limit };
  }

  get limit(): number {
    return Math.max(1, Math.floor(this.window));
  }

  /**
   * Runs `fn` once a turn is free; rejects with EndpointQueueTimeout (without
   * running it) after `queueMs` in the queue. `slow(err)` says whether a
   * failure means the server is too slow (a timeout) rather than refusing.
   */
  async run<T>(fn: () => Promise<T>, slow: (err: unknown) => boolean = () => false): Promise<T> {
    await this.enter();
    const t0 = this.timers.now();
    try {
      const r = await fn();
      this.completed(
        t0,
        this.timers.now() - t0 > SLOW_CREATION_MS ? 'slow' : this.timers.now() - t0 <= SLOW_CREATION_MS / 2 ? 'fast' : 'ok',
      );
      return r;
    } catch (err) {
      this.completed(t0, slow(err) ? 'slow' : 'ok');
      throw err;
    } finally {
      this.leave();
    }
  }

  private completed(startedAt: number, how: 'fast' | 'ok' | 'slow'): void {
    if (how === 'fast') {
      this.window = Math.min(this.maxLimit, this.window + (this.slowStart ? 1 : 1 / this.window));
    } else if (how === 'slow' && startedAt >= this.lastCut) {
      this.window = Math.max(1, this.window / 2);
      this.slowStart = false;
      this.lastCut = this.timers.now();
    }
  }

  private enter(): Promise<void> {
    if (this.active < this.limit && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        admit: resolve,
        timer: this.timers.setTimeout(() => {
          const i = this.waiting.indexOf(w);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new EndpointQueueTimeout(`no turn to create an endpoint within ${this.queueMs} ms (${this.limit} creations in flight)`));
        }, this.queueMs),
      };
      this.waiting.push(w);
    });
  }

  private leave(): void {
    this.active--;
    // A grown limit admits several waiters at once; a shrunk one admits none until enough have left.
    while (this.active < this.limit && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.timers.clearTimeout(next.timer);
      this.active++;
      next.admit();
    }
  }
}

/** `ms` with its createEndpoint() through `gate`, a timed-out creation retried once while `ms` is connected. */
export function gateMediaServer(ms: MediaServerPort, gate: CreationGate): MediaServerPort {
  const create = async (opts?: Parameters<MediaServerPort['createEndpoint']>[0]): Promise<EndpointPort> => {
    try {
      return await ms.createEndpoint(opts);
    } catch (err) {
      if (!(err instanceof EndpointTimeout) || !ms.connected) throw err;
      return ms.createEndpoint(opts);
    }
  };
  return withCreateEndpoint(ms, (opts) =>
    gate.run(
      () => create(opts),
      (err) => err instanceof EndpointTimeout || err instanceof MediaServerStalled,
    ),
  );
}
