/**
 * Pure mapping of what FreeSWITCH and drachtio report into the contract's
 * EndCause, so the freeswitch driver ends calls exactly like the embedded one
 * (the result code itself comes from lib/results' decideResult).
 */
import type { EndCause } from '../../contract';
import type { UacFailure } from './ports';

/**
 * FreeSWITCH Hangup-Cause names → ITU-T Q.850 cause values (the subset
 * FreeSWITCH's switch_cause_t uses for SIP calls; names as in switch_types.h).
 */
export const Q850_BY_NAME: Readonly<Record<string, number>> = Object.freeze({
  UNALLOCATED_NUMBER: 1,
  NO_ROUTE_TRANSIT_NET: 2,
  NO_ROUTE_DESTINATION: 3,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  SUBSCRIBER_ABSENT: 20,
  CALL_REJECTED: 21,
  NUMBER_CHANGED: 22,
  DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28,
  FACILITY_REJECTED: 29,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34,
  NETWORK_OUT_OF_ORDER: 38,
  NORMAL_TEMPORARY_FAILURE: 41,
  SWITCH_CONGESTION: 42,
  REQUESTED_CHAN_UNAVAIL: 44,
  BEARERCAPABILITY_NOTAVAIL: 58,
  INCOMPATIBLE_DESTINATION: 88,
  RECOVERY_ON_TIMER_EXPIRE: 102,
  INTERWORKING: 127,
  ORIGINATOR_CANCEL: 487,
  MEDIA_TIMEOUT: 604,
  MANAGER_REQUEST: 503,
});

/** Q.850 value of a FreeSWITCH Hangup-Cause name (undefined when unknown). */
export function q850FromCauseName(name: string | undefined): number | undefined {
  if (!name) return undefined;
  const v = Q850_BY_NAME[name.toUpperCase()];
  // ORIGINATOR_CANCEL, MEDIA_TIMEOUT, MANAGER_REQUEST are FreeSWITCH's own, not Q.850.
  return v !== undefined && v < 128 ? v : undefined;
}

/** Parses an RFC 3326 Reason header: `Q.850;cause=16;text="Normal call clearing"`. */
export function parseReasonHeader(value: string | undefined): { q850?: number; text?: string } {
  if (!value) return {};
  const out: { q850?: number; text?: string } = {};
  for (const part of value.split(',')) {
    const proto = part.trim().split(';')[0]?.trim().toUpperCase();
    if (proto !== 'Q.850') continue;
    const cause = /;\s*cause\s*=\s*(\d+)/i.exec(part);
    if (cause) out.q850 = Number(cause[1]);
    const text = /;\s*text\s*=\s*"([^"]*)"/i.exec(part);
    if (text) out.text = text[1];
  }
  return out;
}

/** Why the driver is ending a leg that has not been answered yet. */
export type LocalEnding = 'timeout' | 'local';

/**
 * createUAC rejected. A 487 after our own CANCEL is our ending (ring timer or
 * hangup()), any other final status is the far end's (or the trunk's) answer,
 * and no status at all is a transport or transaction failure.
 */
export function endFromUacFailure(f: UacFailure, cancelledBy: LocalEnding | undefined): EndCause {
  if (cancelledBy && (f.status === 487 || f.status === undefined)) {
    return {
      by: cancelledBy,
      answered: false,
      sipStatus: 487,
      sipReason: 'Request Terminated',
      detail: cancelledBy === 'timeout' ? 'ring timeout: CANCEL sent' : 'cancelled',
    };
  }
  if (f.status === undefined) {
    return { by: 'error', answered: false, detail: f.message };
  }
  const cause: EndCause = { by: 'remote', answered: false, sipStatus: f.status };
  if (f.reason) cause.sipReason = f.reason;
  return cause;
}

/** The far end sent BYE on an answered call. */
export function endFromRemoteBye(reasonHeader: string | undefined): EndCause {
  const r = parseReasonHeader(reasonHeader);
  const cause: EndCause = { by: 'remote', answered: true, sipStatus: 200, sipReason: 'BYE' };
  if (r.q850 !== undefined) cause.q850 = r.q850;
  if (r.text) cause.detail = r.text;
  return cause;
}

/**
 * FreeSWITCH dropped the media endpoint under a live call (media server lost,
 * MEDIA_TIMEOUT, a 488 on a bad re-INVITE): the call cannot go on.
 */
export function endFromMediaLoss(hangupCause: string | undefined, answered: boolean): EndCause {
  const cause: EndCause = { by: 'error', answered, detail: `media server ended the endpoint: ${hangupCause ?? 'connection lost'}` };
  const q = q850FromCauseName(hangupCause);
  if (q !== undefined) cause.q850 = q;
  return cause;
}

/**
 * RFC 3261 §9.1: "If there is no final response for the original request in 64*T1 seconds [...] the client
 * SHOULD then consider the original transaction cancelled". A far end that answers our CANCEL 200 and never
 * sends its 487 (seen: a UAS that dropped the call on a CANCEL that crossed its own timer) would otherwise hold
 * the leg until drachtio's Timer C, minutes on. The same cause as the embedded driver's (lib/sip/uac-leg.ts).
 */
export function endFromCancelGuard(cancelledBy: LocalEnding): EndCause {
  return { sipStatus: 408, by: cancelledBy, answered: false, detail: 'no final response after CANCEL' };
}
