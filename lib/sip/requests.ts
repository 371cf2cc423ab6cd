/**
 * Building the UAC's requests (pure): INVITE (§8.1.1, §13.2.1), CANCEL (§9.1),
 * ACK for 2xx (§13.2.2.4), BYE and other in-dialog requests (§12.2.1.1).
 */
import { newBranch } from './headers';
import { header, type SipHeader, type SipRequest, type SipResponse } from './message';
import { headers as allHeaders } from './message';

export interface Local {
  /** Address/port written into Via and Contact. */
  host: string;
  port: number;
  userAgent: string;
}

export interface DialogState {
  callId: string;
  localTag: string;
  fromValue: string;
  /** To as sent in the INVITE (no tag) — CANCEL and non-2xx ACK reuse it. */
  toValue: string;
  requestUri: string;
  remoteTag?: string;
  /** Contact URI of the far end (the remote target, §12.1.2). */
  remoteTarget?: string;
  /** Record-Route of the 2xx, reversed (§12.1.2). */
  routeSet: string[];
  cseq: number;
}

export function via(local: Local, branch = newBranch()): SipHeader {
  return { name: 'Via', value: `SIP/2.0/UDP ${local.host}:${local.port};branch=${branch};rport` };
}

export function buildInvite(
  local: Local,
  d: DialogState,
  sdp: string,
  extra: SipHeader[],
): SipRequest {
  const h: SipHeader[] = [
    via(local),
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: d.fromValue },
    { name: 'To', value: d.toValue },
    { name: 'Call-ID', value: d.callId },
    { name: 'CSeq', value: `${d.cseq} INVITE` },
    { name: 'Contact', value: `<sip:dialer@${local.host}:${local.port}>` },
    { name: 'Allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS' },
    { name: 'User-Agent', value: local.userAgent },
    { name: 'Content-Type', value: 'application/sdp' },
    ...extra,
  ];
  return { kind: 'request', method: 'INVITE', uri: d.requestUri, headers: h, body: Buffer.from(sdp) };
}

/** §9.1: same Request-URI, Call-ID, From, To, CSeq number and top Via as the INVITE. */
export function buildCancel(invite: SipRequest): SipRequest {
  const cseq = header(invite, 'CSeq')!.split(/\s+/)[0];
  const h: SipHeader[] = [
    { name: 'Via', value: allHeaders(invite, 'Via')[0]! },
    ...invite.headers.filter((x) => x.name === 'Route'),
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: header(invite, 'From')! },
    { name: 'To', value: header(invite, 'To')! },
    { name: 'Call-ID', value: header(invite, 'Call-ID')! },
    { name: 'CSeq', value: `${cseq} CANCEL` },
  ];
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, headers: h, body: Buffer.alloc(0) };
}

/** Learns the dialog from a 2xx (or reliable 1xx): remote tag, target and route set. */
export function learnDialog(d: DialogState, res: SipResponse): void {
  const to = header(res, 'To') ?? '';
  const tag = /;\s*tag=([^;>\s]+)/i.exec(to)?.[1];
  if (tag) d.remoteTag = tag;
  const contact = header(res, 'Contact');
  if (contact) {
    const m = /<([^>]+)>/.exec(contact);
    d.remoteTarget = m ? m[1] : contact.split(';')[0]!.trim();
  }
  const rr = allHeaders(res, 'Record-Route');
  if (rr.length) d.routeSet = rr.slice().reverse();
}

function toWithTag(d: DialogState): string {
  return d.remoteTag ? `${d.toValue};tag=${d.remoteTag}` : d.toValue;
}

/** A request inside the dialog; ACK reuses the INVITE's CSeq number, others take the next one. */
export function buildInDialog(local: Local, d: DialogState, method: string, cseq: number, extra: SipHeader[] = [], body = Buffer.alloc(0)): SipRequest {
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
