/**
 * "A person answered — is there an agent?" FCC 47 CFR 64.1200(a)(7) and Ofcom
 * count a call as abandoned when no agent is connected within 2 s of the
 * person's completed greeting; then the abandon message plays (code 14).
 */
export const DEFAULT_ABANDON_THRESHOLD_MS = 2000;

export type AnsweredDecision =
  | { action: 'reserve' }
  /** Ask again when an agent becomes ready or at `deadline`, whichever is first. */
  | { action: 'wait'; deadline: number }
  | { action: 'abandon'; resultCode: 14 };

export interface AnsweredInput {
  now: number;
  /** When the detector said "a person" (ms): the greeting ended `verdictGapMs` earlier. */
  verdictAt: number;
  /** The detector's post-greeting wait before its verdict, already spent of the threshold. */
  verdictGapMs: number;
  /** Agents (or bot channels) ready for this campaign now. */
  readyAgents: number;
  thresholdMs?: number;
}

/**
 * The one abandon deadline, used by the live call flow (lib/dialer/call-flow.ts)
 * and the pacing simulator alike: the threshold runs from the end of the
 * greeting, and the detector's wait after it (`verdictGapMs`) is already spent.
 */
export function abandonDeadline(verdictAt: number, thresholdMs: number, verdictGapMs: number): number {
  return verdictAt + Math.max(0, thresholdMs - verdictGapMs);
}

export function decideAnswered(input: AnsweredInput): AnsweredDecision {
  const threshold = input.thresholdMs ?? DEFAULT_ABANDON_THRESHOLD_MS;
  if (!(threshold >= 0)) throw new RangeError(`abandon threshold must be ≥ 0 ms, got ${threshold}`);
  if (!Number.isFinite(input.now) || !Number.isFinite(input.verdictAt))
    throw new RangeError('decideAnswered needs numeric now and verdictAt');
  if (input.readyAgents > 0) return { action: 'reserve' };
  const deadline = abandonDeadline(input.verdictAt, threshold, input.verdictGapMs);
  if (input.now < deadline) return { action: 'wait', deadline };
  return { action: 'abandon', resultCode: 14 };
}
