/**
 * The calling-hours rule in the contact's zone, and the checks right before
 * the INVITE. Pure: the interpreter reads the stores and hands the answers in.
 *
 * Contact hours and max-attempts are applied inside the claim script
 * (dial-claim.lua): Lua has no IANA zone rules, so `zoneTable` below computes,
 * for every zone among the campaign's contacts, the instant its contacts may be
 * dialled (0 = now), and the script only looks the contact's zone up. Both the
 * script and `decideDialTime` use `hoursVerdict`, so they cannot drift apart
 * (test/integration/dialer/hours-table.test.ts runs both on one table of cases).
 *
 * Do-not-call stays here, after the claim: see `decideDialTime`.
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
  /**
   * The instant at which the claim applied the zone's hours (dial-claim.lua),
   * when it did; absent = not applied, checked here.
   */
  hoursCheckedAt?: number;
}

export type DialTimeDecision =
  | { action: 'dial' }
  /** Recorded with `code`, never dialled. */
  | { action: 'skip'; code: ResultCode; reason: string }
  /** Given back uncounted, eligible again at `at`. */
  | { action: 'later'; at: number; reason: string };

/** When no opening is ahead in the contact's zone, look again in an hour. */
export const NO_OPENING_RECHECK_MS = 3_600_000;

/** The calling-hours rule: may a contact in `zone` be dialled at `now`, else from when. */
export function hoursVerdict(hours: BusinessHours, zone: string, now: number): { open: true } | { open: false; at: number } {
  if (isWithinHours(hours, now, zone)) return { open: true };
  const next = nextOpening(hours, now, zone);
  return { open: false, at: next ? next.getTime() : now + NO_OPENING_RECHECK_MS };
}

/**
 * The hours rule for each zone, as dial-claim.lua takes it: zone → 0 when its
 * contacts may be dialled at `now`, else the instant they may (always > now).
 * The campaign's own zone ('') is never in it: the tick checked it.
 */
export function zoneTable(hours: BusinessHours, zones: readonly string[], now: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const z of zones) {
    if (!z) continue;
    const v = hoursVerdict(hours, z, now);
    out[z] = v.open ? 0 : v.at;
  }
  return out;
}

/**
 * Hours are whole minutes (HH:MM) and zone offsets whole minutes, so whether a
 * zone is open, and its next opening, change only at a minute boundary.
 */
export const sameMinute = (a: number, b: number) => Math.floor(a / 60_000) === Math.floor(b / 60_000);

export function decideDialTime(i: DialTimeInput): DialTimeDecision {
  if (!i.phone) return { action: 'skip', code: RUNNER_CODES.noNumber, reason: 'no phone number' };
  // Do-not-call is read from its own store here, after the claim, never inside it: the DNC sets live under
  // their own hash tag ({g}), which a claim script (keys under {c:<id>}) cannot read on Redis Cluster, and any
  // copy under the campaign's tag is written after the DNC change itself, so it can only be as fresh as this
  // read or staler. Reading the store itself right before the INVITE also stops a number put on the list after
  // the claim (test/e2e/campaign/dnc-after-claim.test.ts). README "Runner: where each rule is checked".
  if (i.dnc === 'failed') return { action: 'skip', code: RUNNER_CODES.dncCheckFailed, reason: 'store failure at the do-not-call check' };
  if (i.dnc.listed) return { action: 'skip', code: RUNNER_CODES.doNotCall, reason: `on the ${i.dnc.scope} do-not-call list` };
  // The claim applied the hours at `hoursCheckedAt`; that answer holds for the rest of its minute. A claim
  // dialled in a later minute (the last of a batch on a slow host, crossing a closing time) is checked again.
  if (i.timeZone && (i.hoursCheckedAt === undefined || !sameMinute(i.hoursCheckedAt, i.now))) {
    const v = hoursVerdict(i.hours, i.timeZone, i.now);
    if (!v.open) return { action: 'later', at: v.at, reason: `outside calling hours in ${i.timeZone}` };
  }
  return { action: 'dial' };
}
