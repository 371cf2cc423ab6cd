/**
 * Bounds the imports that run at once. Each import holds a parser (maybe a
 * worker thread), a temporary file for XLSX and a few batches in memory; ten
 * uploads at once must not multiply that by ten. Up to `maxConcurrent` run,
 * up to `maxQueued` wait their turn (their upload is not read meanwhile, so
 * TCP holds the client back), and any more are refused at once with an
 * estimate of when to retry (RFC 9110 §10.2.3 Retry-After).
 */
export class ImportsBusy extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly running: number,
    readonly queued: number,
  ) {
    super(
      `${running} imports are running and ${queued} are waiting (import.maxConcurrent, import.maxQueued): retry in ${retryAfterSeconds} s`,
    );
    this.name = 'ImportsBusy';
  }
}

export class ImportGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Smoothed duration of an import, seconds: the basis of Retry-After. */
  private avgSeconds = 5;

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxQueued: number,
    private readonly now: () => number = Date.now,
  ) {}

  get stats(): { running: number; queued: number } {
    return { running: this.running, queued: this.waiting.length };
  }

  /** Waits for a turn, or throws ImportsBusy when the queue is full. Call the returned function exactly once when done. */
  async enter(): Promise<() => void> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiting.length >= this.maxQueued) throw new ImportsBusy(this.retryAfter(), this.running, this.waiting.length);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    const started = this.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.avgSeconds = 0.8 * this.avgSeconds + 0.2 * ((this.now() - started) / 1000);
      const next = this.waiting.shift();
      // The turn passes straight to the next in line (running stays the same).
      if (next) next();
      else this.running--;
    };
  }

  /** Seconds until a place is likely free: the queue ahead of a newcomer, drained maxConcurrent at a time. */
  private retryAfter(): number {
    const rounds = Math.ceil((this.waiting.length + 1) / this.maxConcurrent);
    return Math.min(300, Math.max(1, Math.ceil(rounds * this.avgSeconds)));
  }
}
