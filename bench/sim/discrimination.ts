/**
 * How well the per-call abandon prediction tells the calls that will find no agent from those that will (round
 * twenty-six, `--shifts --discrimination`). Round twenty-five found the gap to the oracle is agents idle with no call in
 * flight, mostly under the learnt per-call threshold, and that raising the threshold's level bought abandons, not
 * occupancy: the question left is RESOLUTION — does the model know WHICH calls are risky?
 *
 * For every call predictive places that then needs an agent (a person, or a machine the detector took for one), six
 * predictions of P(it finds no agent within the threshold | it needs one) are taken at the tick that placed it, and
 * its outcome (abandoned or not) is kept:
 * - `ours`: the model's own, the decision's expected abandons ÷ (calls × the model's live rate): the mean of the
 *   marginal chances of the tick's calls (they are exchangeable: which of them meets which agent is the answers'
 *   order, not the loop's);
 * - `oursNoMeanwhile`: the same model on the same input with no calls placed meanwhile (the estimates' placement rate
 *   at 0): what the calls-meanwhile term does to the ranking;
 * - `laws`: the laws oracle's marginal (laws-oracle.ts: true laws, each agent's state, time in it and own speed, not
 *   the drawn remainders): what a perfect model of when each busy agent frees would say;
 * - `lawsTeam`: the same with every agent at the team's speed (what knowing each agent's own pace adds: `agentPace`);
 * - `lawsNoBreak`: the same with the agents on a break left out, as predictive sees them by default (what knowing when
 *   breaks end adds: `breakLaw`);
 * - `exact`: the clairvoyant oracle's (oracle.ts: each agent's exact free time).
 * The oracles' chances are averaged over the tick's calls the same way, and, like ours, they count the calls in flight
 * by their laws, not their drawn outcomes; unlike ours they leave out the calls placed later (their rule places none
 * between ticks that it does not see), so their level runs low: the AUC (ranking) is the figure, the calibration table
 * shows the levels. Calls placed by a tick with no model (the 1:1 fallback, thin estimates) carry no `ours` and are
 * counted apart.
 */

/** Upper edges of the calibration table's bins of a prediction (P(abandon | needs an agent)). */
export const DISCRIMINATION_EDGES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, Infinity] as const;

export const PREDICTORS = ['ours', 'oursNoMeanwhile', 'laws', 'lawsTeam', 'lawsNoBreak', 'exact'] as const;
export type Predictor = (typeof PREDICTORS)[number];

/** One call that needed an agent: its predictions and whether it was abandoned. */
export type Scored = Record<Predictor, number> & { abandoned: boolean };

/** Records are kept flat (the predictions, then 1 or 0) so a shift's list crosses the worker boundary cheaply. */
export const RECORD = PREDICTORS.length + 1;

export function pushRecord(into: number[], s: Scored): void {
  for (const p of PREDICTORS) into.push(s[p]);
  into.push(s.abandoned ? 1 : 0);
}

export function readRecords(flat: readonly number[]): Scored[] {
  const out: Scored[] = [];
  for (let i = 0; i + RECORD <= flat.length; i += RECORD) {
    const r = Object.fromEntries(PREDICTORS.map((p, k) => [p, flat[i + k]!])) as Record<Predictor, number>;
    out.push({ ...r, abandoned: flat[i + PREDICTORS.length]! === 1 });
  }
  return out;
}

/**
 * The area under the ROC curve (Mann–Whitney): the chance that an abandoned call was given a higher prediction than a
 * call that was not, ties counting half. 0.5: no resolution; 1: perfect. Null without both kinds of call.
 */
export function auc(scores: readonly number[], abandoned: readonly boolean[]): number | null {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    // Ranks i+1 … j+1 share their mean.
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++)
      if (abandoned[idx[k]!]) {
        pos++;
        rankSum += rank;
      }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface Bin {
  /** Calls with a prediction under the bin's edge (and at or over the one before). */
  calls: number;
  /** Their predictions' sum (abandons predicted) and the abandons seen. */
  predicted: number;
  abandoned: number;
}

export function calibrationBins(scores: readonly number[], abandoned: readonly boolean[]): Bin[] {
  const bins = DISCRIMINATION_EDGES.map((): Bin => ({ calls: 0, predicted: 0, abandoned: 0 }));
  scores.forEach((s, i) => {
    const b = bins[DISCRIMINATION_EDGES.findIndex((edge) => s < edge)]!;
    b.calls++;
    b.predicted += s;
    if (abandoned[i]) b.abandoned++;
  });
  return bins;
}

export interface PredictorSummary {
  auc: number | null;
  /** Mean squared error of the prediction against the outcome (0/1). */
  brier: number;
  /** Mean prediction (the level) against the calls' abandon rate. */
  meanPredicted: number;
  /**
   * The share of the abandons among the 10 % of calls it rated riskiest: how much of the loss a rule that held back those
   * calls alone would have saved.
   */
  topDecileAbandons: number | null;
  bins: Bin[];
}

export interface DiscriminationSummary {
  /** Calls that needed an agent and were scored, their abandons, and the calls of no-model ticks (no `ours`). */
  calls: number;
  abandoned: number;
  unscored: { calls: number; abandoned: number };
  predictors: Record<Predictor, PredictorSummary>;
}

export function summarizeDiscrimination(records: readonly Scored[], unscored = { calls: 0, abandoned: 0 }): DiscriminationSummary {
  const out = records.map((r) => r.abandoned);
  const abandoned = out.filter(Boolean).length;
  const one = (p: Predictor): PredictorSummary => {
    const s = records.map((r) => r[p]);
    const n = s.length;
    const top = Math.ceil(n / 10);
    const order = s.map((_, i) => i).sort((a, b) => s[b]! - s[a]!);
    const topAb = order.slice(0, top).filter((i) => out[i]).length;
    return {
      auc: auc(s, out),
      brier: n > 0 ? s.reduce((a, x, i) => a + (x - (out[i] ? 1 : 0)) ** 2, 0) / n : 0,
      meanPredicted: n > 0 ? s.reduce((a, x) => a + x, 0) / n : 0,
      topDecileAbandons: abandoned > 0 ? topAb / abandoned : null,
      bins: calibrationBins(s, out),
    };
  };
  return {
    calls: records.length,
    abandoned,
    unscored,
    predictors: Object.fromEntries(PREDICTORS.map((p) => [p, one(p)])) as Record<Predictor, PredictorSummary>,
  };
}

/** A tick's mean marginal chance over its `n` calls (the calls are exchangeable; see the header). */
export function meanMarginal(marginal: ((others: number) => number) | undefined, n: number): number {
  if (!marginal || n <= 0) return 0;
  let s = 0;
  for (let j = 0; j < n; j++) s += marginal(j);
  return s / n;
}
