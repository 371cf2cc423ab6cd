/**
 * The result code of an attempt whose analysis was not sure and whose
 * campaign let the agent decide (notSure policy "agent-decides"): the call
 * closed as a connect (20) when it ended, before the agent's wrap-up; the
 * agent's disposition then says what really answered, and the reports count
 * the attempt under that code (machine 4, fax 5, silence 7). Any other
 * disposition means a person: the code stays. Pure.
 *
 * Since the agent's disposition re-codes the attempt itself (its recorded
 * code, counters and retry: lib/dialer/agent-decision.ts, a `recode` history
 * entry folded in by readAttempts), a re-coded record is returned as it is;
 * this reading remains for attempts closed before that, which carry no
 * `recode` entry.
 */
import { isResultCode, resultName } from '../results';
import { agentDecidedCode } from '../dialer/steps/agent-decision';
import type { AttemptRecord, DispositionLike } from './records';

export function withAgentDecidedCode(r: AttemptRecord, d: DispositionLike | undefined): AttemptRecord {
  if (r.notSure !== 'agent-decides' || r.bridgedAt === undefined || r.recodedAt !== undefined) return r;
  if (!d || !isResultCode(r.code)) return r;
  const code = agentDecidedCode(r.code, d.disposition);
  if (code === r.code) return r;
  return { ...r, code, codeName: resultName(code), closedCode: r.code };
}
