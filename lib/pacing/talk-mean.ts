/**
 * The talk mean from few ended talks (predictive's `talkPriorMs`).
 *
 * Talks still going are right-censored observations; the exponential MLE with censoring is (Σ ended + Σ elapsed) ÷
 * ended. With one or two ended talks that is the elapsed time of every talker over one or two: several minutes for a
 * 60 s or a 180 s law, early in a shift. Two things make it so. The 1 ÷ ended factor is noise where ended is small.
 * And real talk laws are not memoryless: their hazard rises over the first minute or two (an Erlang-2's is λ²a ÷ (1 +
 * λa)), so the young talks of a shift's first minutes end less often than the mean says and the estimate sits high.
 * Every figure that divides by the handle time then counts too few answers to come: the budget's "one more abandon
 * would not fit within the cap over the answers seen and expected" held with no abandon at all, and small teams dialled
 * 1:1 for minutes (round seventeen's trace, README, pacing).
 *
 * The fix is the conjugate one: a Gamma prior on the talk rate worth `priorTalks` pseudo-talks of mean `priorMs`, so
 * the posterior mean of the rate gives the mean (Σ ended + Σ elapsed + k·m₀) ÷ (ended + k). It is the censored MLE
 * once the ended talks outnumber the prior, and it no longer jumps between 0 ended talks (no mean) and 1 (all the
 * elapsed time over one).
 */

export interface TalkMeanInput {
  /** Ended talks in the window and their mean (ms). */
  ended: number;
  endedMeanMs: number;
  /** Σ elapsed time of the talks still going (ms). */
  elapsedMs: number;
  /** The prior talk mean (ms; 0: no prior, the censored MLE; 'ended': the ended talks' own mean). */
  priorMs: number | 'ended';
  /** Pseudo-talks the prior is worth (> 0 where priorMs > 0). */
  priorTalks: number;
}

/**
 * The censored talk mean, shrunk toward `priorMs` by `priorTalks` pseudo-talks. Without a prior: (Σ ended + Σ elapsed)
 * ÷ ended, and with no ended talk the ended mean (0: nothing known, as the estimator reports it).
 */
export function censoredTalkMean(x: TalkMeanInput): number {
  const ended = x.ended * x.endedMeanMs;
  // 'ended': the prior is the ended talks' own mean (no figure from outside the campaign): the elapsed time is spread
  // over k more talks than ended, so one ended talk no longer carries every talker's elapsed time alone.
  // With no ended talk there is no such mean: as without a prior.
  const prior = x.priorMs === 'ended' ? x.endedMeanMs : x.priorMs;
  const on = x.priorMs === 'ended' ? x.ended > 0 : x.priorMs > 0;
  if (on && x.priorTalks > 0) return (ended + x.elapsedMs + x.priorTalks * prior) / (x.ended + x.priorTalks);
  return x.ended > 0 ? x.endedMeanMs + x.elapsedMs / x.ended : x.endedMeanMs;
}
