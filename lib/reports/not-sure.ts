/**
 * The result code of an attempt whose analysis was not sure and whose
 * campaign let the agent decide (notSure policy "agent-decides"): the call
 * closed as a connect (20) when it ended, before the agent's wrap-up; the
 * agent's disposition then says what really answered, and the reports count
 * the attempt under that code (machine 4, fax 5, silence 7). Any other
 * disposition means a person: the code stays. Pure.
 *
 * Retry decisions were taken at close (as for any connect); an agent who
 * wants another attempt at a voicemail books a callback.
 */
import { resultName } from '../results';
import { TRUTH_DISPOSITIONS } from './amd';
import type { AttemptRecord, DispositionLike } from './records';

const CODE_OF_TRUTH = { machine: 4, fax: 5, silence: 7 } as const;

export function withAgentDecidedCode(r: AttemptRecord, d: DispositionLike | undefined): AttemptRecord {
  if (r.notSure !== 'agent-decides' || r.bridgedAt === undefined) return r;
  const truth = TRUTH_DISPOSITIONS[d?.disposition?.toLowerCase() ?? ''];
  if (!truth || truth === 'human') return r;
  const code = CODE_OF_TRUTH[truth];
  return { ...r, code, codeName: resultName(code), closedCode: r.code };
}
