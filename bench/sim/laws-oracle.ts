/**
 * A second, non-clairvoyant ceiling for the pacing benchmark: the "laws oracle". It knows everything the world's
 * true laws give — the live rate at this hour, the ring-time laws, the AMD error rates, the ring timeout, each
 * agent's state, time in it and own talk and wrap-up speed, the true talk (Erlang-2), wrap-up and bridge laws, the
 * break length — but not the drawn remainders: an agent talking is free by t with the chance the true laws give,
 * conditioned on the time already spent. The count of agents free by t is a sum of Bernoullis (exact distribution
 * for small counts, count-tail.ts; normal beyond), and it places calls with the clairvoyant oracle's per-call
 * marginal rule (oracle.ts), swept in θ to 3.0 % pooled abandon by the bench.
 *
 * Clairvoyant oracle vs laws oracle: what knowing each agent's exact free time is worth (information no dialer
 * has). Laws oracle vs predictive: what estimation and policy cost (ours to close).
 */
import { tailWithBinomial } from '../../lib/pacing/count-tail';
import { normCdf } from '../../lib/pacing/stats';
import { at, callsWithin, type OracleInput } from './oracle';
import { FALSE_PERSON_TALK_SEC, WRAP_SEC, type World } from './scenario';

const SLICES = 6;
/** Up to this many agents + ringing calls the count is computed exactly, above by the normal approximation. */
const EXACT_MAX_TERMS = 60;
/** A machine sent to an agent by mistake: wrap-up after it (engine.ts). */
const FALSE_PERSON_WRAP_MS = 2000;

/** What the laws oracle sees of one agent. */
export interface LawsAgent {
  state: 'ready' | 'talking' | 'wrapup' | 'break';
  /** When the agent entered this state (talking: from the reservation, bridge included). */
  since: number;
  /** A break's end (known: breaks have a fixed length). */
  breakEndsAt?: number;
  /** The agent's own speed factors (talk mean and wrap-up range are scaled by them). */
  talkSpeed: number;
  wrapSpeed: number;
}

/** The true laws of an agent's time: talk, wrap-up and bridge, and how many connects are machines sent as persons. */
export interface AgentLaws {
  talkMeanMs: number;
  bridgeMs: [number, number];
  wrapMs: [number, number];
  falsePersonTalkMs: [number, number];
  /** P(a call put through to an agent is a machine taken for a person). */
  falsePersonShare: number;
}

export function agentLaws(talkMeanSec: number, w: World | undefined, falsePersonShare: number): AgentLaws {
  return {
    talkMeanMs: talkMeanSec * 1000,
    bridgeMs: w ? [w.bridgeSec[0] * 1000, w.bridgeSec[1] * 1000] : [0, 0],
    wrapMs: [WRAP_SEC[0] * 1000, WRAP_SEC[1] * 1000],
    falsePersonTalkMs: [FALSE_PERSON_TALK_SEC[0] * 1000, FALSE_PERSON_TALK_SEC[1] * 1000],
    falsePersonShare: w ? falsePersonShare : 0,
  };
}

/**
 * A duration's CDF F and its antiderivatives ∫F, ∫∫F (all 0 for t ≤ 0), so that smoothing by uniform delays has a
 * closed form: E[F(c − U)] over U ~ U(a, b) = (∫F(c − a) − ∫F(c − b)) / (b − a), and over a sum of two uniforms
 * the same with ∫∫F twice. `th` > 0: Erlang-2 of scale th (mean 2·th); `th` = 0: a step at 0 (a duration of 0,
 * the uniforms alone). Plain functions, no closures: this runs for every agent, slice and tick of every sweep.
 */
function law(order: 0 | 1 | 2, th: number, t: number): number {
  if (th <= 0) return order === 0 ? (t < 0 ? 0 : 1) : t <= 0 ? 0 : order === 1 ? t : (t * t) / 2;
  if (t <= 0) return 0;
  const u = t / th;
  const e = Math.exp(-u);
  if (order === 0) return 1 - e * (1 + u);
  if (order === 1) return t - 2 * th + th * e * (2 + u);
  return (t * t) / 2 - 2 * th * t + th * th * (3 - e * (3 + u));
}

/** E[F(c − U − V)], U ~ U(u0, u1), V ~ U(v0, v1) (either may be a point), F as in `law`. */
function smoothed2(th: number, c: number, u0: number, u1: number, v0: number, v1: number): number {
  const du = u1 - u0;
  const dv = v1 - v0;
  if (du > 1e-9 && dv > 1e-9)
    return (law(2, th, c - u0 - v0) - law(2, th, c - u1 - v0) - law(2, th, c - u0 - v1) + law(2, th, c - u1 - v1)) / (du * dv);
  if (du > 1e-9) return (law(1, th, c - u0 - v0) - law(1, th, c - u1 - v0)) / du;
  if (dv > 1e-9) return (law(1, th, c - u0 - v0) - law(1, th, c - u0 - v1)) / dv;
  return law(0, th, c - u0 - v0);
}

/**
 * P(an agent in a call is free within y ms | the call has lasted e ms so far): the call phase D = bridge + talk
 * (person) or bridge + a short hang-up (machine sent as a person), then a wrap-up W; the agent is free when
 * D + W ≤ e + y, given D > e.
 */
function talkingFreeWithin(L: AgentLaws, a: LawsAgent, e: number, y: number): number {
  if (y <= 0) return 0;
  const c = e + y;
  const [b0, b1] = L.bridgeMs;
  // A person: D = B + T (Erlang-2, scale mean / 2), W ~ U(w0, w1)·speed.
  const th = Math.max(1e-6, (L.talkMeanMs * a.talkSpeed) / 2);
  const w0 = L.wrapMs[0] * a.wrapSpeed;
  const w1 = L.wrapMs[1] * a.wrapSpeed;
  const Ge = smoothed2(th, e, b0, b1, 0, 0);
  const sP = 1 - Ge;
  // P(e < D ≤ c − W) = E[G(c − W); W ≤ y] − G(e)·P(W ≤ y), with W cut at y.
  let pP = 0;
  if (y > w0) {
    const wc = Math.min(w1, y);
    const pw = w1 > w0 ? (wc - w0) / (w1 - w0) : 1;
    pP = pw * smoothed2(th, c, b0, b1, w0, wc) - Ge * pw;
  }
  // A machine sent as a person: D = B + U(f0, f1), W = 2 s.
  const [f0, f1] = L.falsePersonTalkMs;
  const He = smoothed2(0, e, b0, b1, f0, f1);
  const sF = 1 - He;
  const pF = Math.max(0, smoothed2(0, c - FALSE_PERSON_WRAP_MS, b0, b1, f0, f1) - He);
  const wF = L.falsePersonShare * sF;
  const wP = (1 - L.falsePersonShare) * sP;
  if (wF + wP <= 1e-12) return 1; // overdue by the laws: any moment now
  return Math.min(1, Math.max(0, (pF * L.falsePersonShare + Math.max(0, pP) * (1 - L.falsePersonShare)) / (wF + wP)));
}

/** P(an agent in wrap-up for e ms is free within y ms). */
function wrapFreeWithin(L: AgentLaws, a: LawsAgent, e: number, y: number): number {
  if (y <= 0) return 0;
  const w0 = L.wrapMs[0] * a.wrapSpeed;
  const w1 = L.wrapMs[1] * a.wrapSpeed;
  // P(W > e) for a person's wrap-up (uniform) and a machine's (2 s).
  const sP = e < w0 ? 1 : e >= w1 ? 0 : (w1 - e) / (w1 - w0);
  const sF = e < FALSE_PERSON_WRAP_MS ? 1 : 0;
  const wP = (1 - L.falsePersonShare) * sP;
  const wF = L.falsePersonShare * sF;
  if (wP + wF <= 1e-12) return 1;
  const lo = Math.max(w0, e);
  const pP = sP > 0 ? Math.max(0, Math.min(w1, e + y) - lo) / (w1 - w0) : 0;
  const pF = sF > 0 && e + y >= FALSE_PERSON_WRAP_MS ? 1 : 0;
  return Math.min(1, (wP > 0 ? (1 - L.falsePersonShare) * pP : 0) / (wP + wF) + (wF * pF) / (wP + wF));
}

/** P(the agent is free within y ms from now), from the true laws and what is seen of the agent. */
export function freeWithin(L: AgentLaws, a: LawsAgent, now: number, y: number): number {
  const e = Math.max(0, now - a.since);
  switch (a.state) {
    case 'ready':
      return 1;
    case 'break':
      return (a.breakEndsAt ?? now) <= now + y ? 1 : 0;
    case 'wrapup':
      return wrapFreeWithin(L, a, e, y);
    case 'talking':
      return talkingFreeWithin(L, a, e, y);
  }
}

/** The oracle's input with each agent's state and laws in place of its exact free time. */
export interface LawsOracleInput extends Omit<OracleInput, 'freeAt'> {
  agents: LawsAgent[];
  agentLaws: AgentLaws;
}

/**
 * b ↦ P(fixed + Σ Bernoulli(demand) − Σ Bernoulli(supply) + Binomial(n, c) ≥ 0): count-tail.ts's distribution,
 * built in place and with certain terms (q of 0 or 1) folded into the fixed part, since this runs for every slice
 * of every tick of every sweep; the binomial tail is count-tail.ts's own.
 */
export function exactTail(fixed: number, demand: readonly number[], supply: readonly number[]): (n: number, c: number) => number {
  const EPS = 1e-12;
  let shift = fixed;
  const up: number[] = [];
  const down: number[] = [];
  for (const q of demand)
    if (q >= 1 - EPS) shift++;
    else if (q > EPS) up.push(q);
  for (const q of supply)
    if (q >= 1 - EPS) shift--;
    else if (q > EPS) down.push(q);
  // pmf[i] = P(Y = i − down.length), Y = Σ up − Σ down (X = Y + shift).
  const size = up.length + down.length + 1;
  const pmf = new Float64Array(size);
  const off = down.length;
  pmf[off] = 1;
  let lo = off;
  let hi = off;
  for (const q of up) {
    for (let i = hi + 1; i > lo; i--) pmf[i] = pmf[i]! * (1 - q) + pmf[i - 1]! * q;
    pmf[lo] = pmf[lo]! * (1 - q);
    hi++;
  }
  for (const q of down) {
    for (let i = lo - 1; i < hi; i++) pmf[i] = (i >= lo ? pmf[i]! * (1 - q) : 0) + pmf[i + 1]! * q;
    pmf[hi] = pmf[hi]! * (1 - q);
    lo--;
  }
  // pmf[i] = P(X = i − (off − shift)).
  return tailWithBinomial({ pmf, offset: off - shift });
}

/** Calls to place now: the clairvoyant oracle's rule with each agent's free time replaced by its law. */
export function lawsOracleCalls(o: LawsOracleInput): number {
  return callsWithin(lawsOracleMarginal(o), o.theta, o.maxCalls);
}

/**
 * P(a new call that needs an agent finds none | `others` new calls placed with it) from the true laws and each agent's
 * state, time in it and speed (undefined: no call ever needs an agent): the laws oracle's rule, and the true-laws
 * prediction of the discrimination measure (discrimination.ts).
 */
export function lawsOracleMarginal(o: Omit<LawsOracleInput, 'theta' | 'maxCalls'>): ((others: number) => number) | undefined {
  const L = o.laws;
  const total = at(L.needCdf, L.horizonMs);
  if (total <= 0) return undefined;
  const H = L.horizonMs;
  const exact = o.ringing.length + o.agents.length <= EXACT_MAX_TERMS;
  const ws: number[] = [];
  const per: number[] = [];
  const dm: number[] = [];
  const dv: number[] = [];
  const sm: number[] = [];
  const sv: number[] = [];
  const tails: ((n: number, c: number) => number)[] = [];
  const alive = o.ringing.map((s) => {
    const a = o.now - s;
    return { a, alive: 1 - at(L.resolvedCdf, a), need: at(L.needCdf, a) };
  });
  for (let k = 0; k < SLICES; k++) {
    const lo = (k * H) / SLICES;
    const hi = ((k + 1) * H) / SLICES;
    const w = at(L.needCdf, hi) - at(L.needCdf, lo);
    if (w <= 0) continue;
    const x = (lo + hi) / 2;
    ws.push(w / total);
    per.push(at(L.needCdf, x));
    let m = o.queued;
    let v = 0;
    const demand: number[] = [];
    for (const r of alive) {
      const q = r.alive > 1e-9 ? Math.min(1, (at(L.needCdf, r.a + x) - r.need) / r.alive) : 0;
      m += q;
      v += q * (1 - q);
      demand.push(q);
    }
    let s = 0;
    let s2 = 0;
    const supply: number[] = [];
    for (const ag of o.agents) {
      const q = freeWithin(o.agentLaws, ag, o.now, x + o.graceMs);
      s += q;
      s2 += q * (1 - q);
      supply.push(q);
    }
    dm.push(m);
    dv.push(v);
    sm.push(s);
    sv.push(s2);
    if (exact) tails.push(exactTail(o.queued, demand, supply));
  }
  const marginal = (others: number) => {
    let p = 0;
    for (let k = 0; k < ws.length; k++) {
      const c = per[k]!;
      if (exact) {
        p += ws[k]! * tails[k]!(others, c);
        continue;
      }
      const mu = dm[k]! + others * c - sm[k]!;
      const sd = Math.sqrt(dv[k]! + sv[k]! + others * c * (1 - c));
      p += ws[k]! * (sd > 1e-9 ? normCdf((mu + 0.5) / sd) : mu + 0.5 > 0 ? 1 : 0);
    }
    return p;
  };
  return marginal;
}
