/**
 * The checks right before the INVITE (a number put on do-not-call a second
 * ago is not dialled; a contact is rung in its own calling hours). Pure: the
 * interpreter reads the DNC store and hands the answer in.
 *
 * The claim script (dial-claim.lua) already refuses contacts out of attempts;
 * these are the checks that need data outside the campaign's hash tag.
 */
import { isWithinHours, nextOpening, type BusinessHours } from '../../rules/hours';
import type { ResultCode } from '../../results/codes';
import { RUNNER_CODES } from './codes';

export interface DialTimeInput {
  phone: string;
  /** IANA zone of the contact ('' = the campaign's, already checked by the tick). */
  timeZone: string;
  hours: BusinessHours;
  /** The DNC store's answer, or 'failed' when it could not be read. */
  dnc: { listed: false } | { listed: true; scope: string } | 'failed';
  now: number;
}

export type DialTimeDecision =
  | { action: 'dial' }
  /** Recorded with `code`, never dialled. */
  | { action: 'skip'; code: ResultCode; reason: string }
  /** Given back uncounted, eligible again at `at`. */
  | { action: 'later'; at: number; reason: string };

/** When no opening is ahead in the contact's zone, look again in an hour. */
export const NO_OPENING_RECHECK_MS = 3_600_000;

export function decideDialTime(i: DialTimeInput): DialTimeDecision {
  if (!i.phone) return { action: 'skip', code: RUNNER_CODES.noNumber, reason: 'no phone number' };
  if (i.dnc === 'failed') return { action: 'skip', code: RUNNER_CODES.dncCheckFailed, reason: 'store failure at the do-not-call check' };
  if (i.dnc.listed) return { action: 'skip', code: RUNNER_CODES.doNotCall, reason: `on the ${i.dnc.scope} do-not-call list` };
  if (i.timeZone && !isWithinHours(i.hours, i.now, i.timeZone)) {
    const next = nextOpening(i.hours, i.now, i.timeZone);
    return { action: 'later', at: next ? next.getTime() : i.now + NO_OPENING_RECHECK_MS, reason: `outside calling hours in ${i.timeZone}` };
  }
  return { action: 'dial' };
}
