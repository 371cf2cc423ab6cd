/**
 * The ceiling for the pacing benchmark: a policy that knows what no dialer
 * can — every agent's exact free time (talk and wrap-up drawn in advance) and
 * the world's true laws (live rate at this hour, ring-time laws, AMD errors,
 * ring timeout) — and places calls while one more call's chance of finding no
 * agent stays within `theta`. The bench sweeps theta per scenario until the
 * pooled abandon rate reaches 3.0 %; its occupancy there is the ceiling the
 * strategies are measured against (oracleRatio). It does not know the
 * outcomes of calls in flight, only their laws.
 */
import { normCdf } from '../../lib/pacing/stats';
import { FALSE_PERSON_TALK_SEC, HUMAN_VERDICT_SEC, LIVE_RING_SEC, NON_LIVE_MIX, type World } from './scenario';

const GRID_MS = 250;
const SLICES = 6;

/** The true answer-time laws of one call placed now (ms grid), at a given live rate. */
export interface TrueLaws {
  /** needCdf[i] = P(the call needs an agent by (i+1)·GRID_MS). */
  needCdf: Float64Array;
  /** resolvedCdf[i] = P(the call has ended ringing, whatever the outcome, by (i+1)·GRID_MS). */
  resolvedCdf: Float64Array;
  horizonMs: number;
  /** Share of the calls that need an agent that are machines the detector took for persons. */
  falsePersonShare: number;
}

export function trueLaws(liveRate: number, w: World | undefined): TrueLaws {
  const timeout = (w?.ringTimeoutSec ?? 40) * 1000;
  const n = Math.ceil((timeout + 5000) / GRID_MS);
  const need = new Float64Array(n);
  const res = new Float64Array(n);
  const fm = w?.amdFalseMachine ?? 0;
  const fp = w?.amdFalsePerson ?? 0;
  let fpNeed = 0;
  // Adds `mass` spread uniformly over [lo, hi] ms to a density array.
  const spread = (arr: Float64Array, mass: number, lo: number, hi: number) => {
    if (mass <= 0) return;
    const a = Math.floor(lo / GRID_MS);
    const b = Math.max(a, Math.floor(hi / GRID_MS));
    for (let i = a; i <= b && i < n; i++) arr[i] += mass / (b - a + 1);
  };
  // A person: rings U(3, 25) s; answered after the timeout → no answer at the timeout.
  const [l0, l1] = LIVE_RING_SEC.map((s) => s * 1000) as [number, number];
  const inTime = Math.max(0, Math.min(1, (timeout - l0) / (l1 - l0)));
  spread(need, liveRate * inTime * (1 - fm), l0 + HUMAN_VERDICT_SEC * 1000, Math.min(l1, timeout) + HUMAN_VERDICT_SEC * 1000);
  spread(res, liveRate * inTime, l0 + HUMAN_VERDICT_SEC * 1000, Math.min(l1, timeout) + HUMAN_VERDICT_SEC * 1000);
  spread(res, liveRate * (1 - inTime), timeout, timeout);
  for (const m of NON_LIVE_MIX) {
    const share = (1 - liveRate) * m.share;
    if (m.kind === 'no answer') spread(res, share, timeout, timeout);
    else if (m.kind === 'machine') {
      const lo = m.sec[0] * 1000;
      const hi = Math.min(m.sec[1] * 1000, timeout + 3500);
      spread(res, share, lo, hi);
      spread(need, share * fp, lo, hi);
      // Machines answered after the timeout are cut off before the detector's verdict (as the engine does).
      fpNeed += share * fp * Math.max(0, Math.min(1, (timeout + 3500 - lo) / (m.sec[1] * 1000 - lo)));
    } else spread(res, share, m.sec[0] * 1000, m.sec[1] * 1000);
  }
  for (let i = 1; i < n; i++) {
    need[i] += need[i - 1];
    res[i] += res[i - 1];
  }
  const total = need[n - 1]!;
  return { needCdf: need, resolvedCdf: res, horizonMs: n * GRID_MS, falsePersonShare: total > 0 ? Math.min(1, fpNeed / total) : 0 };
}

export const at = (cdf: Float64Array, ms: number) => (ms <= 0 ? 0 : cdf[Math.min(cdf.length - 1, Math.floor(ms / GRID_MS))]);

export interface OracleInput {
  now: number;
  /** Exact time each available agent is free (ready: now or earlier). */
  freeAt: number[];
  /** Start times of calls still ringing. */
  ringing: number[];
  /** Persons already waiting for an agent. */
  queued: number;
  /** The abandon deadline after the verdict (threshold less the detector's wait). */
  graceMs: number;
  laws: TrueLaws;
  theta: number;
  maxCalls: number;
}

/** Calls to place now. */
export function oracleCalls(o: OracleInput): number {
  return callsWithin(oracleMarginal(o), o.theta, o.maxCalls);
}

/** The most calls (up to maxCalls) whose last one's marginal chance of finding no agent stays within theta. */
export function callsWithin(marginal: ((others: number) => number) | undefined, theta: number, maxCalls: number): number {
  if (!marginal) return 0;
  let n = 0;
  while (n < maxCalls && marginal(n) <= theta) n++;
  return n;
}

/**
 * P(a new call that needs an agent finds none | `others` new calls placed with it), knowing the agents' exact free
 * times and the true laws (undefined: no call ever needs an agent). The oracle's rule, and the exact-free-times
 * prediction of the discrimination measure (discrimination.ts).
 */
export function oracleMarginal(o: Omit<OracleInput, 'theta' | 'maxCalls'>): ((others: number) => number) | undefined {
  const L = o.laws;
  const total = at(L.needCdf, L.horizonMs);
  if (total <= 0) return undefined;
  const free = [...o.freeAt].sort((a, b) => a - b);
  const supplyBy = (t: number) => {
    let k = 0;
    while (k < free.length && free[k]! <= t) k++;
    return k;
  };
  // Slices of the new call's need-an-agent time.
  const xs: number[] = [];
  const ws: number[] = [];
  const H = L.horizonMs;
  for (let k = 0; k < SLICES; k++) {
    const lo = (k * H) / SLICES;
    const hi = ((k + 1) * H) / SLICES;
    const w = at(L.needCdf, hi) - at(L.needCdf, lo);
    if (w > 0) {
      xs.push((lo + hi) / 2);
      ws.push(w / total);
    }
  }
  const dm: number[] = [];
  const dv: number[] = [];
  const sup: number[] = [];
  const per: number[] = [];
  for (const x of xs) {
    let m = o.queued;
    let v = 0;
    for (const s of o.ringing) {
      const a = o.now - s;
      const alive = 1 - at(L.resolvedCdf, a);
      const q = alive > 1e-9 ? Math.min(1, (at(L.needCdf, a + x) - at(L.needCdf, a)) / alive) : 0;
      m += q;
      v += q * (1 - q);
    }
    dm.push(m);
    dv.push(v);
    sup.push(supplyBy(o.now + x + o.graceMs));
    per.push(at(L.needCdf, x));
  }
  const marginal = (others: number) => {
    let p = 0;
    for (let k = 0; k < xs.length; k++) {
      const c = per[k]!;
      const mu = dm[k]! + others * c - sup[k]!;
      const sd = Math.sqrt(dv[k]! + others * c * (1 - c));
      p += ws[k]! * (sd > 1e-9 ? normCdf((mu + 0.5) / sd) : mu + 0.5 > 0 ? 1 : 0);
    }
    return p;
  };
  return marginal;
}

export { FALSE_PERSON_TALK_SEC };
