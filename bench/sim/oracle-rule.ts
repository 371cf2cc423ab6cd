/**
 * What an oracle's per-call risk θ is swept to (bench/pacing.ts; `--shift-rule-oracle` adds the second). 'pooled' is the bench's ceiling
 * since round one: the largest θ whose pooled abandon rate is within the cap. 'shifts' also holds it to the issue's
 * shift rule, which the predictive mode is held to and the pooled oracle is not: at most 1 % of the single shifts
 * over the cap (with fewer than 100 shifts, none). Round twenty-one measured the pooled oracle's own shifts at a
 * fixed θ on 200 seeds: at 5 agents and 10 % live, 32–34 % of them are over 3 % where its pooled rate is 2.7 %, and
 * 53–58 % where it is 3.2 % (a5-live10-talk60 and -talk180; README, "round twenty-one").
 */
export type OracleRule = 'pooled' | 'shifts';

/** At most this share of single shifts over the cap (the issue: "≥ 99 % of single shifts"). */
export const SHIFT_RULE_SHARE = 0.01;

/** Whether a pooled run (one scenario, one θ, all seeds) is within the rule. */
export function withinRule(p: { abandonRate: number; shifts: number; shiftsWithinCap: number }, cap: number, rule: OracleRule): boolean {
  if (!(p.abandonRate <= cap)) return false;
  if (rule === 'pooled') return true;
  return p.shifts - p.shiftsWithinCap <= Math.floor(SHIFT_RULE_SHARE * p.shifts + 1e-9);
}
