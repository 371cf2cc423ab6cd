/**
 * Each agent's own pace (predictive's `agentPace`): how much slower or faster than the team one agent talks and wraps
 * up, learnt from that agent's own ended calls and shrunk toward the team by empirical Bayes.
 *
 * Agents differ (the simulator's rich world: talk and wrap-up ×0.7–1.3 each; real floors more), while the team's laws
 * pool every agent's calls. An agent's law is taken to be the team's law stretched in time by its pace f: P(its talk ≤ t)
 * = P(team talk ≤ t ÷ f). The raw pace r = the agent's mean ÷ the team's mean (over the same calls) is noisy for an
 * agent with few calls (a talk's cv is 0.7–1), so it is shrunk toward 1 by how much the agents really differ: the
 * one-way random-effects model r_a = 1 + u_a + e_a, Var u = τ², Var e_a = v ÷ n_a (v: the within-agent relative
 * variance), τ² by the method of moments (the weighted between-agent sum of squares less what chance gives; DerSimonian
 * and Laird 1986) and the agent's pace 1 + τ² ÷ (τ² + v ÷ n_a) · (r_a − 1) (the best linear predictor). An agent with no
 * calls, or a team whose agents differ no more than chance says, gets the team's law (pace 1); an agent with many calls
 * gets its own mean. Pure: the estimator keeps the moments, this reads them.
 */

/** Σ, Σ² and count of one agent's ended durations. */
export interface PaceMoments {
  n: number;
  sum: number;
  sq: number;
}

/** Paces never leave this range (a pace of 10 from two freak calls would make the agent never free). */
const MIN_PACE = 0.25;
const MAX_PACE = 4;

/**
 * Each agent's shrunk pace from its moments (agents with no ended duration get 1). `minAgents`: below this many agents
 * with calls the between-agent spread is not estimated and every pace is 1 (a team of one is its own team law).
 */
export function agentPaces(byAgent: Readonly<Record<string, PaceMoments>>, minAgents = 2): Record<string, number> {
  const ids = Object.keys(byAgent).filter((id) => byAgent[id]!.n > 0);
  const out: Record<string, number> = {};
  for (const id of Object.keys(byAgent)) out[id] = 1;
  if (ids.length < minAgents) return out;
  let N = 0;
  let S = 0;
  let sqN = 0;
  for (const id of ids) {
    const m = byAgent[id]!;
    N += m.n;
    S += m.sum;
    sqN += m.n * m.n;
  }
  const M = S / N;
  if (!(M > 0)) return out;
  // The within-agent variance, pooled (each agent's squares about its own mean), relative to the team's mean².
  let within = 0;
  let dfWithin = 0;
  for (const id of ids) {
    const m = byAgent[id]!;
    within += Math.max(0, m.sq - (m.sum * m.sum) / m.n);
    dfWithin += m.n - 1;
  }
  if (dfWithin <= 0) return out;
  const v = within / dfWithin / (M * M);
  // Between agents: Σ n_a (r_a − 1)² against its expectation (k − 1)·v + (N − Σn_a² ÷ N)·τ².
  let Q = 0;
  for (const id of ids) {
    const m = byAgent[id]!;
    const r = m.sum / m.n / M;
    Q += m.n * (r - 1) * (r - 1);
  }
  const denom = N - sqN / N;
  const tau2 = denom > 0 ? Math.max(0, (Q - (ids.length - 1) * v) / denom) : 0;
  if (tau2 <= 0) return out;
  for (const id of ids) {
    const m = byAgent[id]!;
    const r = m.sum / m.n / M;
    const w = tau2 / (tau2 + v / m.n);
    out[id] = Math.min(MAX_PACE, Math.max(MIN_PACE, 1 + w * (r - 1)));
  }
  return out;
}
