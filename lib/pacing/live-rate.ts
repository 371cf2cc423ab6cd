/**
 * The live rate followed as a local level (a random-walk Kalman filter over the estimator's buckets), the
 * `liveRateDrift` option of predictive pacing (round sixteen; off by default).
 *
 * The window's rate (live ÷ resolved over the last 30 min) weighs every call of the window alike and nothing before
 * it: a 5-agent team at 10 % live sees 30–65 live answers there, so it knows the rate to ±12–17 %, and a rate that moves
 * is read a quarter of an hour late. A local level says how much the rate may move between buckets: the state is the
 * rate, it drifts by `driftPerMin`·rate·√(minutes) (1 sd, a random walk), and each bucket is one binomial observation
 * (variance rate·(1 − rate) ÷ its resolved calls). The filter then weighs each bucket by how much the rate can have
 * moved since: a steady rate is read from hours of calls, a moving one from the last minutes. The gain is the
 * standard scalar Kalman gain (Harvey, "Forecasting, structural time series models and the Kalman filter", 1989, §2.3:
 * the local level model).
 */

/** One bucket's calls: when it starts (ms) and the calls resolved and live answers in it. */
export interface LiveBucket {
  start: number;
  resolved: number;
  live: number;
}

export interface TrackedRate {
  /** The filtered live rate now (0 without any resolved call). */
  rate: number;
  /** Its standard deviation (the filter's posterior). */
  sd: number;
  /** Resolved calls the filter has read. */
  resolved: number;
}

/** The binomial variance's rate is kept off 0 and 1, so one bucket of no live answer does not make the filter certain. */
const RATE_FLOOR = 0.005;

/**
 * The live rate at `now`, filtered over `buckets` (oldest first; each read at its start, the time a bucket's calls are
 * counted from). `driftPerMin`: the rate's relative random-walk step per √minute (1 sd), > 0.
 */
export function trackLiveRate(buckets: readonly LiveBucket[], now: number, driftPerMin: number): TrackedRate {
  if (!(driftPerMin > 0 && Number.isFinite(driftPerMin)))
    throw new RangeError(`live-rate drift must be a positive number, got ${driftPerMin}`);
  let x = 0;
  let v = 0;
  let at = 0;
  let read = 0;
  for (const b of buckets) {
    if (b.resolved <= 0 || b.start > now) continue;
    if (read === 0) {
      // The first bucket: its own rate, with a half-answer prior so that 0 of n is not certainty.
      x = (b.live + 0.5) / (b.resolved + 1);
      v = varianceOf(x) / (b.resolved + 1);
    } else {
      v += drift(x, driftPerMin, b.start - at);
      const r = varianceOf(x) / b.resolved;
      const gain = v / (v + r);
      x += gain * (b.live / b.resolved - x);
      v *= 1 - gain;
    }
    at = b.start;
    read += b.resolved;
  }
  if (read === 0) return { rate: 0, sd: 0, resolved: 0 };
  return { rate: Math.min(1, Math.max(0, x)), sd: Math.sqrt(v + drift(x, driftPerMin, now - at)), resolved: read };
}

function varianceOf(x: number): number {
  const p = Math.min(1 - RATE_FLOOR, Math.max(RATE_FLOOR, x));
  return p * (1 - p);
}

/** The random walk's variance over `ms`: (drift · rate)² per minute. */
function drift(x: number, driftPerMin: number, ms: number): number {
  const p = Math.max(RATE_FLOOR, x);
  return (driftPerMin * p) ** 2 * (Math.max(0, ms) / 60_000);
}
