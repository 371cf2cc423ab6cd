/**
 * At most `burst` warnings per `windowMs`, then one line saying how many were
 * left out (issue 14: a SIP fuzz run wrote 65,179 warning lines, 15.9 MB).
 * The counters in the stack's stats (and /metrics) still count every one.
 */
export class LogLimiter {
  private windowStart = -Infinity;
  private inWindow = 0;
  private suppressed = 0;
  /** All warnings left out so far. */
  suppressedTotal = 0;

  constructor(
    private readonly burst = 10,
    private readonly windowMs = 60_000,
  ) {}

  /**
   * Whether to log this one now; `flushed` is the number left out in the
   * window that just ended (to say so once), or 0.
   */
  take(nowMs: number): { log: boolean; flushed: number } {
    let flushed = 0;
    if (nowMs - this.windowStart >= this.windowMs) {
      flushed = this.suppressed;
      this.windowStart = nowMs;
      this.inWindow = 0;
      this.suppressed = 0;
    }
    if (this.inWindow < this.burst) {
      this.inWindow++;
      return { log: true, flushed };
    }
    this.suppressed++;
    this.suppressedTotal++;
    return { log: false, flushed };
  }
}
