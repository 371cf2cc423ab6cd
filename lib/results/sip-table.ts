import type { ResultCode } from './codes';

/**
 * SIP final status → result code, before answer. A table in config so that a
 * carrier that signals differently needs no code change: exact statuses first,
 * then class defaults (`4xx`, `5xx`, `6xx`). Defaults per result-codes.md.
 */
export type SipResultTable = Record<string, ResultCode>;

export const DEFAULT_SIP_TABLE: Readonly<SipResultTable> = Object.freeze({
  '403': 21, // Forbidden: carriers use it for "incoming calls barred"
  '404': 6, // Not Found: unallocated number
  '408': 2, // Request Timeout: no answer
  '410': 6, // Gone
  '480': 17, // Temporarily Unavailable: phone off / unreachable
  '484': 6, // Address Incomplete
  '486': 3, // Busy Here
  '487': 2, // Request Terminated: after our CANCEL at the ring timeout
  '600': 3, // Busy Everywhere
  '603': 8, // Decline: the called party actively declined
  '604': 6, // Does Not Exist Anywhere
  '4xx': 13,
  '5xx': 13,
  '6xx': 13,
});

/** Looks a final non-2xx status up: exact entry, else its class, else 13 (dial error). */
export function resultFromSipStatus(status: number, table: Readonly<SipResultTable> = DEFAULT_SIP_TABLE): ResultCode {
  return table[String(status)] ?? table[`${Math.floor(status / 100)}xx`] ?? 13;
}
