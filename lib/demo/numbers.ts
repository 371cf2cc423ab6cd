/**
 * The sample numbers of the loopback demo and the end-to-end tests. The SIPp
 * carrier simulator (sipp-scenarios/carrier-simulator.xml) picks the far end
 * by the dialled number's last digit; see sipp-scenarios/README.md.
 */
import type { ResultCode } from '../results/codes';

/** Last digit → the result code an attempt ends with when a ready agent takes every person. */
export const DIGIT_CODES: Record<number, ResultCode> = { 0: 20, 1: 4, 2: 5, 3: 3, 4: 2, 5: 6, 6: 13, 7: 7, 8: 9, 9: 8 };

/** What the carrier simulator does for each last digit (for people reading the demo's output). */
export const DIGIT_BEHAVIOUR: Record<number, string> = {
  0: 'a person answers',
  1: 'an answering machine',
  2: 'a fax machine',
  3: '486 Busy Here',
  4: 'rings, nobody answers',
  5: 'SIT tone + "not in service", 404',
  6: '503 Service Unavailable',
  7: 'answers with silence',
  8: 'a person who hangs up at once',
  9: '603 Decline',
};

/** Japanese landline numbers 03-12xx-xxxd whose last digit selects the far end's behaviour. */
export function numbersFor(digits: readonly number[]): string[] {
  return digits.map((d, i) => `0312${String(100000 + i).slice(-5)}${d}`.replace(/^(\d{2})(\d{4})(\d{4})$/, '$1-$2-$3'));
}

/** Last digits 0…9 in turn, so any ten consecutive contacts cover every behaviour. */
export function cyclingDigits(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i % 10);
}

/**
 * Which contacts (by index) the demo puts on the do-not-call list: two, a
 * third and two thirds of the way down, with different last digits, once the
 * list is long enough (10) to cover every behaviour besides.
 */
export function dncIndexes(n: number): number[] {
  if (n < 10) return [];
  return [Math.floor(n / 3), Math.floor((2 * n) / 3) + 1].filter((i, k, all) => i < n && all.indexOf(i) === k);
}

/** The number's last digit (separators ignored), or undefined when it ends in something else. */
export function lastDigit(phone: string): number | undefined {
  const m = /(\d)\D*$/.exec(phone);
  return m ? Number(m[1]) : undefined;
}
