/**
 * Reliable provisional responses (RFC 3262) from the UAC side: the INVITE
 * says `Supported: 100rel`; a 1xx with `Require: 100rel` and an RSeq is
 * acknowledged with a PRACK in its early dialog (§7.2); a retransmission (an
 * RSeq not above the last one of that dialog) is neither PRACKed again nor
 * passed on (§4).
 */
import { header, type SipResponse, type SipRequest } from './message';
import { parseCSeq } from './headers';
import { buildInDialog, learnDialog, nextCSeq, type DialogState } from './dialog';
import type { Local } from './requests';

export const OPTION_100REL = '100rel';

const tokens = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

/** The RSeq of a reliable provisional, or undefined for an ordinary one (§7.1: Require: 100rel plus RSeq). */
export function reliableRSeq(res: SipResponse): number | undefined {
  if (res.status <= 100 || res.status >= 200) return undefined;
  if (!tokens(header(res, 'Require')).includes(OPTION_100REL)) return undefined;
  const rseq = Number(header(res, 'RSeq'));
  return Number.isInteger(rseq) && rseq > 0 ? rseq : undefined;
}

/** Per early dialog (To tag), the highest RSeq acknowledged. */
export type RSeqSeen = Record<string, number>;

export type ReliableVerdict = { kind: 'unreliable' } | { kind: 'new'; rseq: number; seen: RSeqSeen } | { kind: 'retransmission' };

/** §4: the first reliable 1xx of a dialog sets its RSeq base; later ones must be higher to be new. */
export function classifyProvisional(res: SipResponse, seen: RSeqSeen): ReliableVerdict {
  const rseq = reliableRSeq(res);
  if (rseq === undefined) return { kind: 'unreliable' };
  const tag = /;\s*tag=([^;>\s]+)/i.exec(header(res, 'To') ?? '')?.[1] ?? '';
  const last = seen[tag];
  if (last !== undefined && rseq <= last) return { kind: 'retransmission' };
  return { kind: 'new', rseq, seen: { ...seen, [tag]: rseq } };
}

/**
 * §7.2: the PRACK goes in the early dialog the 1xx created (its To tag,
 * Contact and Record-Route), with `RAck: <RSeq> <INVITE CSeq> INVITE`.
 * Returns the request and the dialog with its CSeq advanced.
 */
export function buildPrack(local: Local, d: DialogState, res: SipResponse, invite: SipRequest, rseq: number): [SipRequest, DialogState] {
  const early = learnDialog(d, res);
  const [seq, next] = nextCSeq(early);
  const inviteSeq = parseCSeq(header(invite, 'CSeq')!).seq;
  const prack = buildInDialog(local, next, 'PRACK', seq, [{ name: 'RAck', value: `${rseq} ${inviteSeq} INVITE` }]);
  return [prack, next];
}
