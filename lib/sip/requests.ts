/**
 * Building the UAC's out-of-dialog requests (pure): INVITE (§8.1.1, §13.2.1)
 * and CANCEL (§9.1). In-dialog requests are dialog.ts's.
 */
import { newBranch } from './headers';
import { header, type SipHeader, type SipRequest } from './message';
import { headers as allHeaders } from './message';
import type { DialogState } from './dialog-state';

export interface Local {
  /** Address/port written into Via and Contact. */
  host: string;
  port: number;
  userAgent: string;
  /** Transport named in Via and Contact (default udp). */
  transport?: 'udp' | 'tcp';
}

export function via(local: Local, branch = newBranch()): SipHeader {
  return { name: 'Via', value: `SIP/2.0/${(local.transport ?? 'udp').toUpperCase()} ${local.host}:${local.port};branch=${branch};rport` };
}

/** Our Contact (§8.1.1.8): where the far end sends in-dialog requests; names TCP when we speak it. */
export function contactValue(local: Local): string {
  return `<sip:dialer@${local.host}:${local.port}${local.transport === 'tcp' ? ';transport=tcp' : ''}>`;
}

export function buildInvite(local: Local, d: DialogState, sdp: string, extra: SipHeader[]): SipRequest {
  const h: SipHeader[] = [
    via(local),
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: d.fromValue },
    { name: 'To', value: d.toValue },
    { name: 'Call-ID', value: d.callId },
    { name: 'CSeq', value: `${d.cseq} INVITE` },
    { name: 'Contact', value: contactValue(local) },
    { name: 'Allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK' },
    // RFC 3262 §3: we take reliable provisionals (and PRACK them) when the far end wants them.
    // RFC 4028 §7.1: we can refresh the session, so the far end's 2xx may make us the refresher.
    { name: 'Supported', value: '100rel, timer' },
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
