/**
 * The dialog journal: what the embedded driver must remember outside its own
 * memory so that a call survives the process that placed it (issue 14: after a
 * SIGKILL, answered calls stayed up at the carrier and kept streaming into
 * media ports the restarted dialer reused).
 *
 * Each leg is journalled at its INVITE and at its answer, and again when its
 * RTP latch takes (or lets go of) the far end's stream:
 * - `early`, when the INVITE goes out (written asynchronously, pipelined): what
 *   a CANCEL needs (RFC 3261 §9.1: the INVITE's Request-URI, top Via, From,
 *   To, Call-ID and CSeq number);
 * - `confirmed`, when its 2xx arrives, before the ACK is sent: the dialog
 *   (§12: Call-ID, both tags, route set, remote target, local CSeq) and where
 *   in-dialog requests go.
 * - `early` again at the first provisional response with a To tag: the early
 *   dialog (§12.1.2: that tag, the Contact as remote target, the Record-Route
 *   set). A process can die after the 2xx arrived and before its `confirmed`
 *   write and its ACK; its claimer then knows the call only as ringing, and a
 *   CANCEL has no effect after a 2xx (§9.2). The caller may BYE an early
 *   dialog as well as a confirmed one (§15), so the claimer sends both, CANCEL
 *   and a BYE in the early dialog: when the 2xx came from the branch that sent
 *   the provisional (the usual case: one far end, one tag), the BYE ends the
 *   answered call at once instead of the far end's 64·T1 without an ACK
 *   (§13.3.1.4); while it still rings, either ends it (§15.2: the far end
 *   answers the INVITE 487). A 2xx from another branch, or one without a
 *   tagged provisional before it, still waits for the far end's 64·T1.
 * - `media`, once the leg's RTP latch has taken its far end's stream (source
 *   address, port, SSRC): the process that ends the orphan refuses that stream
 *   on its own new legs until then, since the far end may answer a new call
 *   from the same address and port (rtp/latch.ts).
 * The entry is removed when the leg ends. A process that finds entries of a
 * dead process ends each leg: BYE for a confirmed dialog, CANCEL for an early
 * one, each in its own non-INVITE client transaction (§17.1.2: Timer E
 * retransmissions, Timer F gives up).
 *
 * This file is pure (entries and the requests built from them); the Redis
 * side is lib/store/dialog-journal.ts, the sending the driver's.
 */
import { isIP } from 'node:net';
import {
  buildInDialog,
  nextHopUri,
  parseCSeq,
  header,
  headers as allHeaders,
  type DialogState,
  type Endpoint,
  type Local,
  type SipHeader,
  type SipRequest,
  type SipResponse,
} from '../../../sip';

export interface JournalEntry {
  /** Format version, so an older process can refuse an entry it cannot read. */
  v: 1;
  kind: 'early' | 'confirmed';
  legId: string;
  dialog: DialogState;
  /** Top Via of the INVITE as sent: a CANCEL repeats it (§9.1, same branch). */
  inviteVia: string;
  /** The INVITE's CSeq number (after an auth retry, the retried one's). */
  inviteCseq: number;
  /** Where the INVITE went (and on which transport). */
  dest: Endpoint;
  trunk?: string;
  /** Our RTP socket for the leg: held back from reuse while the orphan is ended. */
  rtp: { host: string; port: number };
  /**
   * The far end's stream the leg latched (source address, port, SSRC), once
   * known: until the orphan is ended, no new leg latches it (rtp/latch.ts).
   */
  media?: { address: string; port: number; ssrc: number };
  /**
   * The early dialog of a ringing leg, from its first provisional with a To tag (§12.1.2): what a BYE
   * in that dialog needs (§15), sent by the claimer besides the CANCEL.
   */
  early?: { remoteTag: string; remoteTarget?: string; routeSet: string[] };
  /** The call's log tags (campaign, attempt): for the log line that reports the orphan. */
  tags?: Record<string, string>;
  at: number;
}

/** A far end's RTP stream as journalled and compared: "address port ssrc". */
export const streamKey = (st: { address: string; port: number; ssrc: number }): string => `${st.address} ${st.port} ${st.ssrc}`;

/** The storage port the driver writes through (lib/store/dialog-journal.ts implements it on Redis). */
export interface DialogJournal {
  /**
   * Starts the lease that says this process is alive and the sweep that finds
   * dead processes' entries; `end` is called once per orphaned entry and its
   * entry is removed when the returned promise settles. Resolves after the
   * first sweep's orphans are ended (so a restarted process ends its own
   * predecessor's calls before it dials).
   */
  start(end: (e: JournalEntry) => Promise<void>): Promise<void>;
  /** Writes (or replaces) a leg's entry. */
  put(e: JournalEntry): Promise<void>;
  /** Removes a leg's entry (the leg ended). */
  remove(callId: string): Promise<void>;
  /** Clean stop: releases the lease (entries still present are ended by another process). */
  stop(): Promise<void>;
  /**
   * Whether a stream (streamKey) is journalled by another process, live or
   * dead, as of its last sweep: never ours. This covers the time between a
   * process's death and the claim of its journal (up to leaseMs), when its
   * orphans already stream and no one knows yet that they are orphans.
   */
  isForeignStream?(key: string): boolean;
}

/**
 * The requests that end an orphaned leg, each with where it goes: BYE for a confirmed dialog; CANCEL for an
 * early entry, and with it a BYE in the early dialog when a tagged provisional had come (see above, §15).
 */
export function orphanRequests(e: JournalEntry, local: Local): { request: SipRequest; dest: Endpoint }[] {
  const first = orphanRequest(e, local);
  if (e.kind !== 'early' || !e.early) return [first];
  const l: Local = e.dest.transport === 'tcp' ? { ...local, transport: 'tcp' } : local;
  // §12.2.1.1: the next local CSeq after the INVITE's (a PRACK the dead process sent may have used it: the
  // far end then answers 500 and the CANCEL still stands).
  const cseq = Math.max(e.dialog.cseq, e.inviteCseq) + 1;
  const dialog: DialogState = { ...e.dialog, ...e.early, cseq };
  const request = buildInDialog(l, dialog, 'BYE', cseq, [
    { name: 'Reason', value: 'SIP;cause=500;text="dialer restarted; call orphaned by a crash"' },
  ]);
  return [first, { request, dest: inDialogHop({ ...e, dialog }) }];
}

/** Builds the request that ends an orphaned leg: CANCEL (early) or BYE (confirmed), and where it goes. */
export function orphanRequest(e: JournalEntry, local: Local): { request: SipRequest; dest: Endpoint } {
  const l: Local = e.dest.transport === 'tcp' ? { ...local, transport: 'tcp' } : local;
  if (e.kind === 'early') return { request: cancelFor(e), dest: e.dest };
  // §12.2.1.1: a new request in the dialog takes the next local CSeq. A BYE the
  // dead process had in flight used the same number: the far end answers one
  // of them and 481 to the other, and either ends the dialog.
  const cseq = e.dialog.cseq + 1;
  // Our Contact/From stay the dead process's; the new Via (with rport) brings the answer here.
  const request = buildInDialog(l, { ...e.dialog, cseq }, 'BYE', cseq, [
    { name: 'Reason', value: 'SIP;cause=500;text="dialer restarted; call orphaned by a crash"' },
  ]);
  return { request, dest: inDialogHop(e) };
}

/** §9.1: the CANCEL repeats the INVITE's Request-URI, top Via, From, To (no tag), Call-ID and CSeq number. */
function cancelFor(e: JournalEntry): SipRequest {
  const d = e.dialog;
  const h: SipHeader[] = [
    { name: 'Via', value: e.inviteVia },
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: d.fromValue },
    { name: 'To', value: d.toValue },
    { name: 'Call-ID', value: d.callId },
    { name: 'CSeq', value: `${e.inviteCseq} CANCEL` },
  ];
  return { kind: 'request', method: 'CANCEL', uri: d.requestUri, headers: h, body: Buffer.alloc(0) };
}

/**
 * §17.1.1.3: the ACK for a non-2xx final response to the orphaned INVITE (after
 * our CANCEL, typically 487): the INVITE's Request-URI, top Via (same branch),
 * From, Call-ID and CSeq number, and the response's To (with its tag).
 */
export function ackForFailure(e: JournalEntry, res: SipResponse): SipRequest {
  const d = e.dialog;
  const h: SipHeader[] = [
    { name: 'Via', value: e.inviteVia },
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: d.fromValue },
    { name: 'To', value: header(res, 'To') ?? d.toValue },
    { name: 'Call-ID', value: d.callId },
    { name: 'CSeq', value: `${e.inviteCseq} ACK` },
  ];
  return { kind: 'request', method: 'ACK', uri: d.requestUri, headers: h, body: Buffer.alloc(0) };
}

/** §8.1.2/§16.12: first Route (loose router) or the remote target; a host name falls back to the INVITE's destination. */
function inDialogHop(e: JournalEntry): Endpoint {
  const hop = nextHopUri(e.dialog);
  if (hop && isIP(hop.host)) return { address: hop.host, port: hop.port ?? 5060, transport: e.dest.transport };
  return e.dest;
}

/** The entry for a leg whose INVITE is going out. */
export function earlyEntry(o: {
  legId: string;
  dialog: DialogState;
  invite: SipRequest;
  dest: Endpoint;
  trunk?: string;
  rtp: { host: string; port: number };
  tags?: Record<string, string>;
  early?: JournalEntry['early'];
  at: number;
}): JournalEntry {
  return {
    v: 1,
    kind: 'early',
    legId: o.legId,
    dialog: o.dialog,
    inviteVia: allHeaders(o.invite, 'Via')[0]!,
    inviteCseq: parseCSeq(header(o.invite, 'CSeq')!).seq,
    dest: o.dest,
    ...(o.trunk ? { trunk: o.trunk } : {}),
    rtp: o.rtp,
    ...(o.tags && Object.keys(o.tags).length ? { tags: o.tags } : {}),
    ...(o.early ? { early: o.early } : {}),
    at: o.at,
  };
}

/** Parses a stored entry; undefined for anything this version cannot act on (logged by the caller). */
export function parseEntry(raw: string): JournalEntry | undefined {
  try {
    const e = JSON.parse(raw) as Partial<JournalEntry>;
    if (e.v !== 1 || (e.kind !== 'early' && e.kind !== 'confirmed')) return undefined;
    if (!e.dialog?.callId || !e.dialog.localTag || typeof e.dialog.cseq !== 'number' || !e.dest?.address || !e.inviteVia) return undefined;
    if (e.kind === 'confirmed' && !e.dialog.remoteTag) return undefined;
    const m = e.media;
    // A stream we cannot read is left out (the orphan is still ended), never guessed.
    if (m && !(typeof m.address === 'string' && Number.isInteger(m.port) && Number.isInteger(m.ssrc))) delete e.media;
    // An early dialog we cannot read: the CANCEL alone, as before this field existed.
    const ed = e.early;
    if (ed && !(typeof ed.remoteTag === 'string' && ed.remoteTag && Array.isArray(ed.routeSet))) delete e.early;
    return e as JournalEntry;
  } catch {
    return undefined;
  }
}
