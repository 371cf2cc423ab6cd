/**
 * The agent decides a not-sure call (notSure policy "agent-decides"). The call
 * closes as a connect (20) when it ends, before the agent's wrap-up; the
 * agent's disposition then says what really answered, and it becomes the
 * attempt's one result: machine 4, fax 5, silence 7, or the code it closed
 * with for a person. The retry decision is taken again for that code, as the
 * close step takes it (./close.ts), so a voicemail is retried by the
 * campaign's rules for 4 and a fax is not. Pure.
 */
import { LIVE_ANSWER_CODES, type ResultCode } from '../../results/codes';
import { TRUTH_DISPOSITIONS } from '../../reports/amd';
import type { RetryPolicy } from '../../rules/retry';
import { decideClose } from './close';

export const CODE_OF_TRUTH = { machine: 4, fax: 5, silence: 7 } as const satisfies Record<string, ResultCode>;

/** The result a disposition gives a call that closed with `closedCode`: a machine, fax or silence code, else the closed code. */
export function agentDecidedCode(closedCode: ResultCode, disposition: string | undefined): ResultCode {
  const truth = TRUTH_DISPOSITIONS[disposition?.toLowerCase() ?? ''];
  return truth && truth !== 'human' ? CODE_OF_TRUTH[truth] : closedCode;
}

export interface RecodeInput {
  /** The code the attempt closed with (before any re-coding). */
  closedCode: ResultCode;
  /** The code it has now (the closed code, or an earlier disposition's). */
  currentCode: ResultCode;
  disposition: string | undefined;
  attemptNo: number;
  isCallback: boolean;
  policy: RetryPolicy;
  now: number;
}

export interface Recode {
  from: ResultCode;
  to: ResultCode;
  final: boolean;
  nextAt: number;
  retryReason: string;
  /** Whether each code counts as a live answer (the abandon rate's denominator). */
  liveFrom: boolean;
  liveTo: boolean;
}

/** The change the disposition makes, or null when the attempt already has the code it gives. */
export function decideRecode(i: RecodeInput): Recode | null {
  const to = agentDecidedCode(i.closedCode, i.disposition);
  if (to === i.currentCode) return null;
  const d = decideClose({ code: to, attemptNo: i.attemptNo, isCallback: i.isCallback, policy: i.policy, now: i.now });
  return {
    from: i.currentCode,
    to,
    final: d.final,
    nextAt: d.nextAt,
    retryReason: d.retryReason,
    liveFrom: LIVE_ANSWER_CODES.includes(i.currentCode),
    liveTo: LIVE_ANSWER_CODES.includes(to),
  };
}
