/**
 * The UAS side of an inbound call (issue 18), pure: the dialog a received
 * INVITE creates (RFC 3261 §12.1.1) and the 2xx retransmission schedule the
 * UAS core keeps until the ACK (§13.3.1.4; RFC 6026 leaves 2xx retransmission
 * to the TU, so lib/sip's server transaction does not do it).
 */
import { randomInt } from 'node:crypto';
import { header, headers as allHeaders, type DialogState, type SipRequest } from '../../../sip';

const tagOf = (v: string | undefined) => (v ? /;\s*tag=([^;>\s]+)/i.exec(v)?.[1] : undefined);
const uriOf = (v: string) => /<([^>]+)>/.exec(v)?.[1] ?? v.split(';')[0]!.trim();
const stripTag = (v: string) => v.replace(/;\s*tag=[^;>\s]+/i, '');

/**
 * §12.1.1: the UAS's dialog — remote target from the INVITE's Contact, route
 * set from its Record-Route in order, remote tag from From, our new tag in To,
 * remote CSeq from the INVITE. Our requests carry From = the INVITE's To.
 */
export function uasDialog(req: SipRequest, localTag: string, sessionId = randomInt(1, 2 ** 31)): DialogState {
  const from = header(req, 'From')!;
  const contact = header(req, 'Contact');
  const remoteTarget = contact ? uriOf(contact) : uriOf(from);
  return {
    callId: header(req, 'Call-ID')!,
    localTag,
    fromValue: `${stripTag(header(req, 'To')!)};tag=${localTag}`,
    toValue: stripTag(from),
    requestUri: remoteTarget,
    remoteTag: tagOf(from),
    remoteTarget,
    routeSet: allHeaders(req, 'Record-Route').slice(),
    cseq: randomInt(1, 10000),
    remoteCseq: Number(header(req, 'CSeq')!.trim().split(/\s+/)[0]),
    session: { id: sessionId, version: 1 },
  };
}

/** §13.3.1.4: the 2xx is resent at T1, 2·T1, … capped at T2, until the ACK or 64·T1 (then the call is ended with a BYE). */
export function next2xxInterval(prev: number | undefined, t1: number, t2: number): number {
  return prev === undefined ? t1 : Math.min(prev * 2, t2);
}
