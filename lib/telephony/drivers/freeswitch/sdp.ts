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

/** The port of an SDP's audio line (where its owner receives, and, being symmetric, sends RTP from), or undefined. */
export function audioPort(sdp: string): number | undefined {
  const m = /^m=audio ([1-9]\d*)/m.exec(sdp);
  return m ? Number(m[1]) : undefined;
}

/** The payload type an SDP lists first on its audio line (the codec its sender uses), or undefined. */
export function firstAudioPayload(sdp: string): string | undefined {
  return /^m=audio [1-9]\d*(?:\/\d+)? \S+ (\S+)/m.exec(sdp)?.[1];
}

/**
 * Whether the endpoint needs the far end's early SDP now (a `modify()`
 * re-INVITE to FreeSWITCH), or already hears the early media as it is, so
 * the SDP can wait for the final answer (the 200's, applied then).
 *
 * Applying it mid-media is what costs: FreeSWITCH processes the re-INVITE
 * while the far end's RTP is already being read (the far end has our SDP
 * from the INVITE and sends with its 183; under load the re-INVITE came
 * 100–460 ms after the first packet), and the audio fed to the leg's media
 * bugs breaks at that moment. Seen live with spandsp's segment log
 * (`test/e2e/freeswitch/early-sdp-late.test.ts`): the SIT's 274 ms middle
 * tone read as 80 ms + 32 ms of a false dual tone + 144 ms, or its last
 * tone as 128 ms + 32 ms of silence + 224 ms, so the SIT (±45 ms per
 * segment) was never reported.
 *
 * Before the modify, FreeSWITCH already reads whatever reaches the
 * endpoint's port: its RTP session is up from the endpoint's creation (the
 * 3pcc ACK carries FreeSWITCH's own offer, so it decodes with the first
 * codec of that offer), and RTP auto-adjust takes packets from any source
 * and then latches onto the far end's (`switch_rtp.c`; freeswitch-conf
 * leaves auto-adjust on). FreeSWITCH sends nothing to a leg in early media.
 * So the SDP is only needed now when the far end sends another codec than
 * the one FreeSWITCH decodes with; otherwise it waits for the answer, where
 * the 200's SDP is applied (the far end's address for what FreeSWITCH will
 * send from then on). Non-analysed legs never applied early SDP either.
 */
export function earlySdpNeededNow(earlySdp: string, endpointOffer: string): boolean {
  const theirs = firstAudioPayload(earlySdp);
  return theirs === undefined || theirs !== firstAudioPayload(endpointOffer);
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
const DIRECTION_LINE = /^a=(sendrecv|sendonly|recvonly|inactive)[ \t]*(\r?)$/gm;

/** The direction an answer takes to an offer (RFC 3264 §6.1); no attribute means sendrecv (§5.1). */
export function answerDirection(offer: string): Direction {
  const m = /^a=(sendrecv|sendonly|recvonly|inactive)[ \t]*\r?$/m.exec(offer);
  const d = (m?.[1] ?? 'sendrecv') as Direction;
  return d === 'sendonly' ? 'recvonly' : d === 'recvonly' ? 'sendonly' : d;
}

/** `sdp` with every direction attribute set to `dir` (one is added to the last media section when there is none). */
export function withDirection(sdp: string, dir: Direction): string {
  if (/^a=(sendrecv|sendonly|recvonly|inactive)[ \t]*\r?$/m.test(sdp)) return sdp.replace(DIRECTION_LINE, `a=${dir}$2`);
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return `${sdp.replace(/(\r?\n)*$/, '')}${eol}a=${dir}${eol}`;
}

const ORIGIN = /^o=(\S+) (\S+) (\d+) (.*?)(\r?)$/m;

/**
 * The SDP to send after `previous` (RFC 3264 §8): the o= line of `previous`
 * (same user and session id), its version one higher when anything else
 * changed, the same version when nothing did. FreeSWITCH numbers its own
 * versions, and the driver rewrites directions, so the version the far end
 * sees is kept here, from what was last sent to it.
 */
export function nextSessionVersion(previous: string, next: string): string {
  const prev = ORIGIN.exec(previous);
  if (!prev || !ORIGIN.test(next)) return next;
  const body = (s: string) => s.replace(ORIGIN, '').replace(/\r\n/g, '\n');
  const version = body(previous) === body(next) ? BigInt(prev[3]!) : BigInt(prev[3]!) + 1n;
  return next.replace(ORIGIN, (_l, _u, _s, _v, rest: string, cr: string) => `o=${prev[1]} ${prev[2]} ${version} ${rest}${cr}`);
}
