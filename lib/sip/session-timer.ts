/**
 * Session timers as the answering side (RFC 4028 §9): a re-INVITE or UPDATE
 * carrying Session-Expires is answered with the interval it asked for and a
 * refresher. The dialer never volunteers to refresh: when the request leaves
 * the choice to us, the requester (uac) refreshes (§9: the UAS may choose).
 */
import { header, type SipHeader, type SipRequest } from './message';

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
