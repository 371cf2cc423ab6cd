/**
 * The dialog (RFC 3261 §12): what two user agents share once a 2xx (or a
 * reliable 1xx, RFC 3262) establishes it — Call-ID, tags, route set, remote
 * target, CSeq on each side — plus the SDP origin our side keeps for the
 * dialog's whole life (RFC 3264 §8: same session id, version + 1 per change).
 * Pure functions over a plain state object; whoever owns the dialog (the UAC
 * leg, a dialog journal for crash recovery) stores it as it is.
 */
import { header, headers as allHeaders, type SipHeader, type SipRequest, type SipResponse } from './message';
import { parseCSeq, parseNameAddr, parseUri } from './headers';
import { via, type Local } from './requests';
import type { DialogState } from './dialog-state';

export type { DialogState };

const tagOf = (value: string | undefined) => (value ? /;\s*tag=([^;>\s]+)/i.exec(value)?.[1] : undefined);
const uriOf = (value: string) => {
  const m = /<([^>]+)>/.exec(value);
  return m ? m[1]! : value.split(';')[0]!.trim();
};

/**
 * §12.1.2: a 2xx (or reliable 1xx) fixes the remote tag, the remote target
 * (its Contact) and the route set (its Record-Route, reversed). An early
 * dialog (reliable 1xx) is re-learnt from the 2xx that confirms it.
 */
export function learnDialog(d: DialogState, res: SipResponse): DialogState {
  const next = { ...d };
  const tag = tagOf(header(res, 'To'));
  if (tag) next.remoteTag = tag;
  const contact = header(res, 'Contact');
  if (contact) next.remoteTarget = uriOf(contact);
  // §12.1.2: the route set is the Record-Route list reversed, empty when there is none.
  next.routeSet = allHeaders(res, 'Record-Route').slice().reverse();
  return next;
}

/** Does this request belong to the dialog? (§12.2.2: Call-ID, our tag in To, theirs in From.) */
export function inDialog(d: DialogState, req: SipRequest): boolean {
  if (header(req, 'Call-ID') !== d.callId) return false;
  if (tagOf(header(req, 'To')) !== d.localTag) return false;
  const from = tagOf(header(req, 'From'));
  return d.remoteTag === undefined || from === d.remoteTag;
}

/**
 * §12.2.2: a request whose CSeq is lower than the last one from the far end
 * is out of order and gets 500; otherwise the dialog remembers it. Returns the
 * next state, or undefined to refuse. ACK and CANCEL carry the INVITE's number
 * and are not checked.
 */
export function acceptRemoteCSeq(d: DialogState, req: SipRequest): DialogState | undefined {
  const { seq, method } = parseCSeq(header(req, 'CSeq')!);
  if (method === 'ACK' || method === 'CANCEL') return d;
  if (d.remoteCseq !== undefined && seq < d.remoteCseq) return undefined;
  return { ...d, remoteCseq: seq };
}

/**
 * §12.2: target-refresh requests (re-INVITE, UPDATE) replace the remote target with their Contact; so does
 * the 2xx to one we sent (§12.2.1.2).
 */
export function refreshTarget(d: DialogState, msg: Pick<SipRequest, 'headers'>): DialogState {
  const contact = header(msg, 'Contact');
  return contact ? { ...d, remoteTarget: uriOf(contact) } : d;
}

/** The next local CSeq number and the dialog that used it (§12.2.1.1: strictly increasing by one). */
export function nextCSeq(d: DialogState): [number, DialogState] {
  return [d.cseq + 1, { ...d, cseq: d.cseq + 1 }];
}

/**
 * RFC 3264 §8: every SDP we send in the dialog keeps the session id of the
 * first and carries the version after the last one.
 */
export function nextSessionVersion(d: DialogState): [{ id: number; version: number }, DialogState] {
  if (!d.session) throw new Error('dialog has no SDP session yet');
  const session = { id: d.session.id, version: d.session.version + 1 };
  return [session, { ...d, session }];
}

function toWithTag(d: DialogState): string {
  return d.remoteTag ? `${d.toValue};tag=${d.remoteTag}` : d.toValue;
}

/**
 * A request inside the dialog (§12.2.1.1): Request-URI is the remote target,
 * Route the route set (loose routing, RFC 3261 §16.12). ACK reuses the
 * INVITE's CSeq number; every other method takes nextCSeq.
 */
export function buildInDialog(
  local: Local,
  d: DialogState,
  method: string,
  cseq: number,
  extra: SipHeader[] = [],
  body = Buffer.alloc(0),
): SipRequest {
  const h: SipHeader[] = [
    via(local),
    ...d.routeSet.map((r) => ({ name: 'Route', value: r })),
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: d.fromValue },
    { name: 'To', value: toWithTag(d) },
    { name: 'Call-ID', value: d.callId },
    { name: 'CSeq', value: `${cseq} ${method}` },
    ...extra,
  ];
  if (method !== 'ACK') h.push({ name: 'User-Agent', value: local.userAgent });
  return { kind: 'request', method, uri: d.remoteTarget ?? d.requestUri, headers: h, body };
}

/**
 * Where an in-dialog request goes (§8.1.2, §16.12): the first Route's URI when
 * it is a loose router, else the remote target. Returns the URI's host/port
 * (undefined when neither is set or parsable).
 */
export function nextHopUri(d: DialogState): { host: string; port?: number; transport?: string } | undefined {
  const first = d.routeSet[0] ? parseNameAddr(d.routeSet[0]).uri : d.remoteTarget;
  if (!first) return undefined;
  try {
    const u = parseUri(first);
    return { host: u.host, port: u.port, transport: u.params.transport };
  } catch {
    return undefined;
  }
}
