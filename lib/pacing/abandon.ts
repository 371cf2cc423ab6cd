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
  /** When the person's greeting ended (the human verdict), ms. */
  greetingEndedAt: number;
  /** Agents (or bot channels) ready for this campaign now. */
  readyAgents: number;
  thresholdMs?: number;
}

export function decideAnswered(input: AnsweredInput): AnsweredDecision {
  const threshold = input.thresholdMs ?? DEFAULT_ABANDON_THRESHOLD_MS;
  if (!(threshold >= 0)) throw new RangeError(`abandon threshold must be ≥ 0 ms, got ${threshold}`);
  if (!Number.isFinite(input.now) || !Number.isFinite(input.greetingEndedAt)) throw new RangeError('decideAnswered needs numeric now and greetingEndedAt');
  if (input.readyAgents > 0) return { action: 'reserve' };
  const deadline = input.greetingEndedAt + threshold;
  if (input.now < deadline) return { action: 'wait', deadline };
  return { action: 'abandon', resultCode: 14 };
}
