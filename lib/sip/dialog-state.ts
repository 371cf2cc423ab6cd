/**
 * What a UAC keeps of one dialog (RFC 3261 §12.1.2): its own module so that
 * dialog.ts (which builds in-dialog requests with requests.ts's Via) and
 * requests.ts (which builds the INVITE from it) do not import each other.
 */
export interface DialogState {
  callId: string;
  localTag: string;
  /** From as we send it (with our tag). */
  fromValue: string;
  /** To as sent in the INVITE (no tag) — CANCEL and non-2xx ACK reuse it. */
  toValue: string;
  requestUri: string;
  remoteTag?: string;
  /** Contact URI of the far end (the remote target, §12.1.2), refreshed by target-refresh requests (§12.2). */
  remoteTarget?: string;
  /** Record-Route of the 2xx, reversed (§12.1.2). */
  routeSet: string[];
  /** Local CSeq: the last number we used. */
  cseq: number;
  /** Highest CSeq number seen from the far end (§12.2.2); undefined until its first request. */
  remoteCseq?: number;
  /** Our SDP origin for this dialog (RFC 3264 §8). */
  session?: { id: number; version: number };
}
