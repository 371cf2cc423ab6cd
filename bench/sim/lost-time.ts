/**
 * Where the agents' lost time goes (round twenty-five, `--shifts --oracle --decompose`): every waiting agent's
 * millisecond, classified by WHEN in the shift it fell and WHY no person was there for that agent. The same split is
 * taken of the predictive mode and of the oracle on the same seeds, so the gap between them can be read part by part
 * (bench/pacing.ts prints one JSON line per scenario).
 *
 * When (per agent): `rampUp` the shift's first RAMP_MS; `shiftEnd` its last END_MS; `afterBreak` a waiting spell that
 * began with the agent's return from a break (the team grew: the oracle knows the break's end, a dialler sees it happen);
 * `steady` the rest (a spell that began with a wrap-up's end). The simulator has no log-ins or log-outs mid-shift: breaks
 * are its only agent-count changes.
 *
 * Why: the calls in flight are expected to bring `cover` persons (queued persons + each ringing call's true chance,
 * given how long it has rung, that it still needs an agent). The `cover` longest-waiting agents (they get the next
 * persons) are `awaitingAnswers`: dialled for, the answers not in yet. The rest had no call in flight for them; for
 * the predictive mode that is split by the last tick's decision: `thinEstimates` (confidence under 1, or no estimates:
 * blended toward 1:1), `estimateOff` (with the live rate the model had, in place of the true one, the calls in flight
 * would have covered them: an answer-rate estimate off from the truth), the ledger's holds: `abandonLimit` (the 1:1
 * fallback of a spent budget), `overCap` (the 1:1 fallback of a rate over the cap beyond chance), `spreadGuard` and
 * `budgetGuard` (that guard below the learnt threshold; round twenty-nine split them, up to round twenty-eight all four
 * were `abandonLimit`), `threshold` (the learnt per-call threshold allowed no more), `caps` (a cap cut the number). Strategies with no such trace (the oracle)
 * book all of it as `noCallForThem`.
 */

export const RAMP_MS = 10 * 60_000;
export const END_MS = 10 * 60_000;

export const WHEN = ['rampUp', 'steady', 'afterBreak', 'shiftEnd'] as const;
export const WHY = [
  'awaitingAnswers',
  'noCallForThem',
  'thinEstimates',
  'estimateOff',
  'abandonLimit',
  'threshold',
  'caps',
  'spreadGuard',
  'budgetGuard',
  'overCap',
] as const;
export type When = (typeof WHEN)[number];
export type Why = (typeof WHY)[number];

/** Lost agent-ms by when × why (WHEN.length × WHY.length, row-major). */
export type LostTime = number[];

export const emptyLost = (): LostTime => new Array<number>(WHEN.length * WHY.length).fill(0);

/** Why the uncovered agents of a tick had no call: what the last decision's trace says (undefined: not a predictive trace). */
export type UncoveredWhy = Exclude<Why, 'awaitingAnswers' | 'estimateOff'>;

/**
 * Reads a decision's trace (predictive's figures, the caps) and its reason (which of the two 1:1 fallbacks) into the
 * reason its uncovered agents are booked under.
 */
export function uncoveredWhy(
  trace: {
    mode: string;
    figures: Record<string, number | string | boolean | null>;
    caps: { limitedBy: string | null };
  },
  reason?: string,
): UncoveredWhy {
  if (trace.mode !== 'predictive') return 'noCallForThem';
  if (trace.caps.limitedBy) return 'caps';
  const f = trace.figures;
  const confidence = typeof f.confidence === 'number' ? f.confidence : 0;
  if (confidence < 1) return 'thinEstimates';
  // The 1:1 fallback returns before the per-call threshold is set.
  if (f.perCallRisk === undefined) return reason?.includes('abandon rate over the cap') ? 'overCap' : 'abandonLimit';
  const learnt = typeof f.learntThreshold === 'number' ? f.learntThreshold : Infinity;
  const risk = Number(f.perCallRisk);
  // A guard (the budget's or the spread's) below the learnt threshold: the ledger held the calls back.
  if (!(risk < learnt * (1 - 1e-6))) return 'threshold';
  return typeof f.spreadGuard === 'number' && f.spreadGuard <= risk * (1 + 1e-6) ? 'spreadGuard' : 'budgetGuard';
}

export interface LostInterval {
  /** The interval's start and length (ms), and the shift's length. */
  t: number;
  dt: number;
  shiftMs: number;
  /** The waiting agents, longest-waiting first: whether each one's spell began with a return from a break. */
  waiting: readonly { fromBreak: boolean }[];
  /** Persons the calls in flight are expected to bring (true laws), and with the model's live rate in place of the true. */
  cover: number;
  coverEstimated: number;
  uncovered: UncoveredWhy;
}

export function whenOf(t: number, shiftMs: number, fromBreak: boolean): When {
  if (t < RAMP_MS) return 'rampUp';
  if (t >= shiftMs - END_MS) return 'shiftEnd';
  return fromBreak ? 'afterBreak' : 'steady';
}

/** Books one interval's waiting agents into `lost` (the k-th longest-waiting agent is covered for the share of `cover` past k). */
export function bookInterval(lost: LostTime, iv: LostInterval): void {
  const W = WHY.length;
  iv.waiting.forEach((a, k) => {
    const row = WHEN.indexOf(whenOf(iv.t, iv.shiftMs, a.fromBreak)) * W;
    const covered = Math.max(0, Math.min(1, iv.cover - k));
    const est = Math.max(0, Math.min(1, iv.coverEstimated - k));
    lost[row + WHY.indexOf('awaitingAnswers')] += covered * iv.dt;
    // Of the rest: the share the model's own live rate would have covered is the estimate's, the remainder the trace's.
    const off = iv.uncovered === 'noCallForThem' ? 0 : Math.max(0, est - covered);
    lost[row + WHY.indexOf('estimateOff')] += off * iv.dt;
    lost[row + WHY.indexOf(iv.uncovered)] += Math.max(0, 1 - covered - off) * iv.dt;
  });
}

export interface LostSummary {
  /** Shares of available agent time (points: ×100). */
  total: number;
  when: Record<When, number>;
  why: Record<Why, number>;
  /** when → why, for the rows with time in them. */
  matrix: Record<When, Record<Why, number>>;
}

/** Pools shifts' lost time (agent-ms, summed) over their available agent-ms into shares. */
export function summarize(lost: LostTime, availableMs: number): LostSummary {
  const share = (ms: number) => (availableMs > 0 ? ms / availableMs : 0);
  const W = WHY.length;
  const when = Object.fromEntries(WHEN.map((w, i) => [w, share(lost.slice(i * W, (i + 1) * W).reduce((a, x) => a + x, 0))])) as Record<
    When,
    number
  >;
  const why = Object.fromEntries(WHY.map((y, j) => [y, share(WHEN.reduce((a, _, i) => a + lost[i * W + j]!, 0))])) as Record<Why, number>;
  const matrix = Object.fromEntries(WHEN.map((w, i) => [w, Object.fromEntries(WHY.map((y, j) => [y, share(lost[i * W + j]!)]))])) as Record<
    When,
    Record<Why, number>
  >;
  return { total: share(lost.reduce((a, x) => a + x, 0)), when, why, matrix };
}

/** Sums shifts' lost-time arrays. */
export function addLost(into: LostTime, from: LostTime): LostTime {
  for (let i = 0; i < into.length; i++) into[i] += from[i] ?? 0;
  return into;
}

const UNCOVERED: readonly Why[] = WHY.filter((y) => y !== 'awaitingAnswers');
const pts = (x: number) => Math.round(x * 10000) / 100;

export interface LostGap {
  /** Lost time, ours − the oracle's, in points of available time: in all, by when, and by covered or not. */
  total: number;
  when: Record<When, number>;
  awaitingAnswers: number;
  noCallForThem: number;
  /** Ours' uncovered time by the reason its decisions give, in points (the oracle's has none to split). */
  ours: Record<Exclude<Why, 'awaitingAnswers' | 'noCallForThem'>, number> & { noCallForThem: number };
  /** when × {awaitingAnswers, noCallForThem}, ours − the oracle's, in points. */
  matrix: Record<When, { awaitingAnswers: number; noCallForThem: number }>;
}

/** The gap between two lost-time summaries (ours, the oracle's), where ours' uncovered reasons all count as "no call for them". */
export function lostGap(ours: LostSummary, oracle: LostSummary): LostGap {
  const uncovered = (r: Record<Why, number>) => UNCOVERED.reduce((a, y) => a + r[y], 0);
  return {
    total: pts(ours.total - oracle.total),
    when: Object.fromEntries(WHEN.map((w) => [w, pts(ours.when[w] - oracle.when[w])])) as Record<When, number>,
    awaitingAnswers: pts(ours.why.awaitingAnswers - oracle.why.awaitingAnswers),
    noCallForThem: pts(uncovered(ours.why) - uncovered(oracle.why)),
    ours: Object.fromEntries(UNCOVERED.map((y) => [y, pts(ours.why[y])])) as LostGap['ours'],
    matrix: Object.fromEntries(
      WHEN.map((w) => [
        w,
        {
          awaitingAnswers: pts(ours.matrix[w].awaitingAnswers - oracle.matrix[w].awaitingAnswers),
          noCallForThem: pts(uncovered(ours.matrix[w]) - uncovered(oracle.matrix[w])),
        },
      ]),
    ) as LostGap['matrix'],
  };
}

/** A summary in points (two decimals), for the JSON line. */
export function inPoints(s: LostSummary): { total: number; when: Record<When, number>; why: Record<Why, number> } {
  const map = <K extends string>(r: Record<K, number>) =>
    Object.fromEntries(Object.entries<number>(r).map(([k, v]) => [k, pts(v)])) as Record<K, number>;
  return { total: pts(s.total), when: map(s.when), why: map(s.why) };
}
