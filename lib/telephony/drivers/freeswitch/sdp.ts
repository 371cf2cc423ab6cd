/**
 * The far end's SDP as handed to the FreeSWITCH endpoint (fsmrf `modify()`,
 * a re-INVITE whose offer is the far end's answer to FreeSWITCH's offer).
 *
 * Carriers send announcements and SIT as early media marked `a=sendonly`
 * (RFC 3264 §6.1: they send, we only listen). Given to FreeSWITCH as it is,
 * that reads as the far end putting the call on hold: the channel goes
 * ACTIVE → HELD, FreeSWITCH stops reading the stream and the analyser hears
 * nothing (checked live, freeswitch.md). The endpoint only needs to receive,
 * and FreeSWITCH sends no RTP from an idle endpoint, so the direction is
 * rewritten to sendrecv: FreeSWITCH reads the announcement and the trunk
 * still receives nothing from us. `a=inactive` (no media at all) is kept.
 */
export function endpointSdp(remoteSdp: string): string {
  return remoteSdp.replace(/^a=sendonly[ \t]*(\r?)$/gm, 'a=sendrecv$1');
}
