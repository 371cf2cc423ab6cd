/**
 * Session timers (RFC 4028), pure rules; the driver owns the timers.
 * - Answering (§9): a re-INVITE or UPDATE carrying Session-Expires is answered
 *   with the interval it asked for and a refresher. The dialer never volunteers
 *   to refresh: when the request leaves the choice to us, the requester (uac)
 *   refreshes (§9: the UAS may choose).
 * - Our INVITE says `Supported: timer`, so the far end's 2xx may make us the
 *   refresher (§7.2, refresher=uac). The refresher refreshes at half the
 *   interval (§10); the other side sends BYE shortly before expiry when no
 *   refresh came (§10: at expiry minus the smaller of 32 s and a third).
 */
import { header, type SipHeader, type SipRequest, type SipResponse } from './message';

/** RFC 4028 §5: the smallest Session-Expires a UA may accept is 90 s. */
export const MIN_SE_S = 90;

export type SessionTimerAnswer =
  | { ok: true; headers: SipHeader[]; expiresS?: number; refresher?: 'uac' | 'uas' }
  | { ok: false; status: 422; reason: string; headers: SipHeader[] };

/** Headers for our 2xx to a session refresh (none when the request has no Session-Expires). */
export function answerSessionTimer(req: SipRequest, minSe = MIN_SE_S): SessionTimerAnswer {
  // Compact form x (RFC 4028 §4) is mapped by the parser's canonical names.
  const se = header(req, 'Session-Expires');
  if (!se) return { ok: true, headers: [] };
  const m = /^\s*(\d+)\s*(.*)$/.exec(se);
  if (!m) return { ok: true, headers: [] };
  const expires = Number(m[1]);
  if (expires < minSe) {
    // §9 / §6: too small an interval is refused with 422 and our Min-SE.
    return { ok: false, status: 422, reason: 'Session Interval Too Small', headers: [{ name: 'Min-SE', value: String(minSe) }] };
  }
  const asked = /;\s*refresher\s*=\s*(uac|uas)/i.exec(m[2] ?? '')?.[1]?.toLowerCase() as 'uac' | 'uas' | undefined;
  const refresher = asked ?? 'uac';
  const supported = (header(req, 'Supported') ?? '').split(',').map((s) => s.trim().toLowerCase());
  const out: SipHeader[] = [{ name: 'Session-Expires', value: `${expires};refresher=${refresher}` }];
  // §9: Require: timer only when the requester said it supports the extension.
  if (supported.includes('timer')) out.push({ name: 'Require', value: 'timer' });
  return { ok: true, headers: out, expiresS: expires, refresher };
}

/** A running session timer: its interval and whether we are the refresher. */
export interface SessionTimer {
  expiresS: number;
  weRefresh: boolean;
}

function parseSessionExpires(v: string | undefined): { expiresS: number; refresher?: 'uac' | 'uas' } | undefined {
  const m = v === undefined ? null : /^\s*(\d+)\s*(.*)$/.exec(v);
  if (!m) return undefined;
  const refresher = /;\s*refresher\s*=\s*(uac|uas)/i.exec(m[2] ?? '')?.[1]?.toLowerCase() as 'uac' | 'uas' | undefined;
  return { expiresS: Number(m[1]), refresher };
}

/**
 * §7.2: the session timer a 2xx to our INVITE, re-INVITE or UPDATE sets up. No Session-Expires: no timer.
 * refresher=uac names us (we sent the request). A 2xx must name the refresher; one that does not is taken
 * as the far end refreshing (then we only guard the expiry, which cannot end a call the far end keeps
 * alive: each of its refreshes re-arms the guard).
 */
export function sessionTimerOf2xx(res: SipResponse): SessionTimer | undefined {
  const se = parseSessionExpires(header(res, 'Session-Expires'));
  if (!se || se.expiresS <= 0) return undefined;
  return { expiresS: se.expiresS, weRefresh: se.refresher === 'uac' };
}

/** The timer our 2xx to the far end's refresh set up (answerSessionTimer's answer; refresher=uas is us). */
export function sessionTimerOfAnswer(a: SessionTimerAnswer): SessionTimer | undefined {
  if (!a.ok || a.expiresS === undefined) return undefined;
  return { expiresS: a.expiresS, weRefresh: a.refresher === 'uas' };
}

/**
 * §10: when to act, in ms from the last refresh. The refresher refreshes at half the interval; both sides
 * give up (BYE) at the interval minus the smaller of 32 s and a third of it, unless a refresh re-armed them.
 */
export function sessionTimerPlan(s: SessionTimer): { refreshAfterMs?: number; byeAfterMs: number } {
  const byeAfterMs = Math.round((s.expiresS - Math.min(32, s.expiresS / 3)) * 1000);
  return s.weRefresh ? { refreshAfterMs: Math.round((s.expiresS * 1000) / 2), byeAfterMs } : { byeAfterMs };
}

/** Headers of our refresh request (§7.1): the interval kept, us as the refresher. */
export function refreshHeaders(s: SessionTimer, minSe = MIN_SE_S): SipHeader[] {
  return [
    { name: 'Session-Expires', value: `${Math.max(s.expiresS, minSe)};refresher=uac` },
    { name: 'Supported', value: 'timer' },
  ];
}

/**
 * What a final response to our refresh means (§7.4, §10; RFC 3261 §12.2.1.2):
 * 2xx re-arms (with the 2xx's own Session-Expires, or none: timers off); 422 retries once with its Min-SE;
 * 408 and 481 (and no response at all) end the dialog; anything else leaves the session as it was,
 * guarded by the expiry BYE already armed.
 */
export type RefreshOutcome =
  { kind: 'refreshed'; timer?: SessionTimer } | { kind: 'retry'; timer: SessionTimer } | { kind: 'dialog-gone' } | { kind: 'unchanged' };

export function refreshOutcome(sent: SessionTimer, res: SipResponse | undefined, retried: boolean): RefreshOutcome {
  if (!res || res.status === 408 || res.status === 481) return { kind: 'dialog-gone' };
  if (res.status >= 200 && res.status < 300) return { kind: 'refreshed', timer: sessionTimerOf2xx(res) };
  if (res.status === 422 && !retried) {
    const minSe = Number(/^\s*(\d+)/.exec(header(res, 'Min-SE') ?? '')?.[1] ?? NaN);
    if (Number.isFinite(minSe) && minSe > sent.expiresS) return { kind: 'retry', timer: { expiresS: minSe, weRefresh: true } };
  }
  return { kind: 'unchanged' };
}

/** §10: refresh with UPDATE when the far end allows it (no offer/answer needed), else with a re-INVITE. */
export function refreshMethod(farAllow: string | undefined): 'UPDATE' | 'INVITE' {
  return (farAllow ?? '')
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .includes('UPDATE')
    ? 'UPDATE'
    : 'INVITE';
}
