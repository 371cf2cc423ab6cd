/**
 * The calls-meanwhile count's share of its Poisson variance, measured (predictive's `meanwhileShare`, round twenty-three).
 *
 * The model's spread of answers ahead less agents free, Var(R + M − S), adds the ringing calls' answers R (a Bernoulli
 * sum), the calls placed meanwhile and answered first M (Poisson: variance = mean) and the agents free S, as if
 * independent. Round twenty-two traced the truth per decision (README, pacing): M moves against R (the campaign holds
 * back while persons answer: cov(R, M) −0.136 on the standard, −1.171 on a100-live25-talk180) and with S (it refills as
 * agents come free: +0.044 / +0.507), so M's part of the spread is E[M] + 2(cov(R, M) − cov(M, S)), not E[M]. As a share
 * of E[M] (the `meanwhileVariance` that scales M's variance in the spread):
 *
 *   'poisson':  1 + 2(cov(R, M) − cov(M, S)) ÷ E[M]                 (M's own variance taken as its mean)
 *   'measured': (Var(M) + 2(cov(R, M) − cov(M, S))) ÷ E[M]          (M's own variance measured as well)
 *
 * Measured from the dialer's own history: for each live answer (the estimator's `answered` events), R = the live
 * answers of calls placed before it and answered while it rang, M = its overtakers (placed after it, answered before
 * it), S = the agents freed (wrap-ups ended) while it rang (meanwhile.ts overtakeOf). The moments are taken within
 * classes of ring time, as the coupling tally's are: a longer ring has more of all three, which is not the coupling the
 * spread needs. Round twenty-two's trace (per decision, the truth) gives a 'measured' share of about 1.04 on
 * a5-live10-talk180, whose model it found calibrated (predicted 36.8 abandons, 34 seen), and 0.32 on the standard; the
 * 'poisson' form gives 0.57 and below 0 there (its M variance was under-stated: 0.074 against 0.109, 0.32 against 0.46).
 *
 * Shrunk toward 1 (today's independence) by `prior` pseudo-answers, and held in [0, 1]: the exact small-team tail can
 * only narrow the Poisson (count-tail.ts), and a share above 1 is a spread the trace never found short by this term.
 */

/** Ring-time classes (4 s each, the last open), as the coupling tally's (meanwhile.ts COUPLING_CLASS_MS). */
export const SHARE_CLASS_MS = 4000;
export const SHARE_CLASSES = 16;

/** Per ring class: [answers, ΣR, ΣM, ΣS, ΣRM, ΣMS, ΣM²]. */
export type ShareTally = [number, number, number, number, number, number, number][];

export type ShareForm = 'poisson' | 'measured';

const empty = (): ShareTally => Array.from({ length: SHARE_CLASSES }, () => [0, 0, 0, 0, 0, 0, 0]);

/** The tally with one live answer added: `ahead` (R), `overtakers` (M), `freed` (S), after `ringMs` of ringing. */
export function addShare(t: ShareTally | undefined, ringMs: number, ahead: number, overtakers: number, freed: number): ShareTally {
  const out: ShareTally = t ? t.map((r) => [r[0], r[1], r[2], r[3], r[4], r[5], r[6]]) : empty();
  const c = Math.min(SHARE_CLASSES - 1, Math.max(0, Math.floor(ringMs / SHARE_CLASS_MS)));
  const r = out[c]!;
  const m = overtakers;
  out[c] = [r[0] + 1, r[1] + ahead, r[2] + m, r[3] + freed, r[4] + ahead * m, r[5] + m * freed, r[6] + m * m];
  return out;
}

/** The sum of two tallies (the estimator's buckets). */
export function sumShare(a: ShareTally | undefined, b: ShareTally): ShareTally {
  if (!a) return b.map((r) => [r[0], r[1], r[2], r[3], r[4], r[5], r[6]]);
  return a.map((r, i) => {
    const q = b[i] ?? [0, 0, 0, 0, 0, 0, 0];
    return [r[0] + q[0], r[1] + q[1], r[2] + q[2], r[3] + q[3], r[4] + q[4], r[5] + q[5], r[6] + q[6]];
  });
}

/**
 * The share from the tally, shrunk toward 1 by `prior` pseudo-answers: 1 + (raw − 1)·n ÷ (n + prior), in [0, 1].
 * 1 with no overtaker (nothing measured). Also the raw moments per answer, for the trace.
 */
export function meanwhileShare(
  t: ShareTally | undefined,
  prior: number,
  form: ShareForm,
): { share: number; raw: number; answers: number; covRM: number; covMS: number; varM: number; meanM: number } {
  let n = 0;
  let covRM = 0;
  let covMS = 0;
  let varM = 0;
  let over = 0;
  for (const [m, sr, sm, ss, srm, sms, smm] of t ?? []) {
    n += m;
    if (m < 2) continue;
    covRM += srm - (sr * sm) / m;
    covMS += sms - (sm * ss) / m;
    varM += smm - (sm * sm) / m;
    over += sm;
  }
  const per = (x: number) => (n > 0 ? x / n : 0);
  const moments = { answers: n, covRM: per(covRM), covMS: per(covMS), varM: per(varM), meanM: per(over) };
  if (!(over > 0)) return { share: 1, raw: 1, ...moments };
  const raw = ((form === 'measured' ? varM : over) + 2 * (covRM - covMS)) / over;
  const k = Math.max(0, prior);
  const share = Math.min(1, Math.max(0, 1 + ((raw - 1) * n) / (n + k)));
  return { share, raw, ...moments };
}
