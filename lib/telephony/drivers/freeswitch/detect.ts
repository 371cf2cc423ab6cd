/**
 * Which detection runs where, and the exact FreeSWITCH commands for it. Pure:
 * the analysis session (analysis.ts) carries these out on the endpoint.
 * Background in ../../../../../shared/reference/freeswitch.md and README's
 * deployment guide ("Detection on FreeSWITCH").
 */

/** stream: our lib/media analysers hear the leg through a named pipe; native: FreeSWITCH detects. */
export type AudioMode = 'stream' | 'native';

/**
 * The pipe only exists on the FreeSWITCH host: `stream` needs a media server
 * marked `local`; `auto` uses it where it can and falls back to native.
 */
export function chooseAudioMode(configured: 'auto' | 'stream' | 'native', mediaServerIsLocal: boolean): AudioMode {
  if (configured === 'native') return 'native';
  if (configured === 'stream') return 'stream';
  return mediaServerIsLocal ? 'stream' : 'native';
}

/**
 * Channel variables that make FreeSWITCH write the leg's received audio to the
 * pipe frame by frame (freeswitch.md: 320 bytes every 20 ms, 17–27 ms behind
 * the RTP; without them it buffers 64 KB, ~4 s).
 */
export const STREAM_VARS: Readonly<Record<string, string>> = Object.freeze({
  RECORD_READ_ONLY: 'true',
  enable_file_write_buffering: 'false',
  RECORD_PRE_BUFFER_FRAMES: '1',
});

/** `.r8` = raw signed 16-bit 8 kHz: the format FreeSWITCH picks from the extension (`.PCMU` is unusable). */
export function fifoPathFor(dir: string, legId: string): string {
  return `${dir.replace(/\/+$/, '')}/${legId.replace(/[^A-Za-z0-9_-]/g, '_')}.r8`;
}

export function streamStartApi(uuid: string, path: string): { command: string; args: string[] } {
  return { command: 'uuid_record', args: [uuid, 'start', path] };
}

export function streamStopApi(uuid: string, path: string): { command: string; args: string[] } {
  return { command: 'uuid_record', args: [uuid, 'stop', path] };
}

/** mod_spandsp tone detection with the region's descriptor (spandsp.conf.xml). */
export function toneDetectApp(descriptor: string): { app: string; arg: string } {
  return { app: 'spandsp_start_tone_detect', arg: descriptor };
}

export const TONE_DETECT_STOP = { app: 'spandsp_stop_tone_detect', arg: '' } as const;

/**
 * Native mode's person/machine decision (FreeSWITCH has no AMD module): a
 * sink endpoint on the leg's FreeSWITCH runs `eavesdrop` on the leg, so what
 * FreeSWITCH sends on the sink is what the leg hears and says, and the sink's
 * SDP points its RTP at a UDP socket of the dialer (fork.ts), where lib/media's
 * analyser hears it. The far end's tones stay with FreeSWITCH (spandsp on the
 * leg, avmd on the sink): the analyser's person/machine/silence/music and
 * announcement verdicts are used, its tone verdicts are not (analysis.ts).
 * `eavesdrop` leaves the leg alone (no bridge): it can be played to and
 * bridged to an agent while the fork runs, and the fork ends with the sink.
 */
export const EAVESDROP_APP = 'eavesdrop';

/**
 * The sink's INVITE header that gives its RTP a timer (dialplan/dialer.xml sets
 * rtp_timer_name from it). `eavesdrop` sends one frame per frame it reads on the
 * sink, and the dialer sends the sink nothing: without a timer that read waits
 * for RTP forever (seen live: one packet out, then nothing); with FreeSWITCH's
 * soft timer it returns every 20 ms, so the fork runs on FreeSWITCH's clock.
 */
export const FORK_SINK_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'X-Dialer-Rtp-Timer': 'soft' });

/** Verdict kinds native mode takes from lib/media on the fork; the others are FreeSWITCH's own. */
export const FORK_VERDICTS: ReadonlySet<string> = new Set(['human', 'machine', 'notsure', 'music', 'silence', 'announcement']);

/**
 * mod_avmd on the sink endpoint, through its API (`avmd <uuid> start|stop`,
 * checked against the bundle: there is no `uuid_avmd`): an application would
 * queue behind the running eavesdrop. On an fsmrf endpoint (an inbound
 * channel) avmd hears what FreeSWITCH sends, which on the sink is the leg's audio.
 */
export function avmdApi(uuid: string, action: 'start' | 'stop'): { command: string; args: string[] } {
  return { command: 'avmd', args: [uuid, action] };
}
export const AVMD_BEEP_EVENT = 'avmd::beep';

/**
 * The SDP the sink endpoint is created with (fsmrf's INVITE offers it, so
 * FreeSWITCH answers to it and sets its RTP up at the dialplan's `answer`,
 * after the timer variable): `recvonly`, FreeSWITCH only sends; PCMU only, so
 * the fork never meets another codec.
 */
export function forkSdp(address: string, port: number, sessionId: number): string {
  const ip = address.includes(':') ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=dialer ${sessionId} ${sessionId} IN ${ip} ${address}`,
    's=dialer-fork',
    `c=IN ${ip} ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    'a=ptime:20',
    'a=recvonly',
    '',
  ].join('\r\n');
}

/**
 * A guard, not the analysis window: lib/media on the fork decides in its own
 * time (media.amd: silence, notsure); this fires only when FreeSWITCH sent
 * no audio at all on the fork this long after answer, so a leg never waits
 * for a verdict that cannot come.
 */
export const NATIVE_ANALYSIS_MS = 5000;

/**
 * Channel variables for a leg before its first playback (files, tones, hold
 * music: mod_dptools `playback` and `endless_playback`, `switch_ivr_play_file`).
 * Without a timer FreeSWITCH paces playback by the RTP it reads from the leg
 * (one frame written per frame read), so a message or hold music to a far end
 * that sends no RTP (a muted phone, silence suppression) stopped after a few
 * packets and never ended (found live; `test/e2e/freeswitch/silent-far-end.test.ts`).
 * `timer_name` gives the playback itself FreeSWITCH's soft timer, with a
 * thread that goes on reading the leg's audio meanwhile (so media bugs —
 * recording, detection — still hear it; a recording of the leg's write
 * stream, taken at those reads, gets a made-up 0xFFFF frame where a read
 * found nothing written yet: test/helpers/fs-recording.ts). It only concerns playback: the
 * leg's RTP session is untouched (an RTP timer on every channel, the
 * profile's `rtp-timer-name`, broke native SIT detection in early media, and
 * a 3pcc endpoint's RTP starts at its ACK, before the dialplan could set
 * `rtp_timer_name` per channel).
 */
export const PLAYBACK_VARS: Readonly<Record<string, string>> = Object.freeze({ timer_name: 'soft' });

/**
 * A beep over a running playback (an agent's hold music), not as a second playback.
 *
 * Each timed playback (PLAYBACK_VARS) starts a service thread that reads the leg while the playback writes
 * (switch_ivr_play_file → switch_core_service_session). That thread sets CF_SERVICE itself once it runs and
 * loops while it is set; the playback's end only clears the flags (switch_core_thread_session_end) and does
 * not wait for it (FreeSWITCH v1.11.1 switch_core.c). So a thread that starts after its playback ended
 * (a short beep on a loaded machine), or one that takes the frame lock after the previous playback's thread
 * cleared CF_SERVICE_AUDIO on its way out (hold music stopped, beep started at once), stays behind on the
 * leg for good: later playbacks' threads queue behind it. Found live (test/e2e/freeswitch/short-playbacks.test.ts,
 * FreeSWITCH's thread count: 99 left behind by 100 short beeps): such a thread reading the leg takes every
 * read from a bridge (the media layer answers the second reader "in use", a CNG frame the bridge drops), so
 * the other party hears nothing; one spinning without reading stops park from reading. The campaign e2e's
 * two unexplained failures were these: a beep that took 2.5 s, and an agent recording with nothing bridged
 * nor parked after the beep.
 *
 * `uuid_displace <uuid> start <tone> 0` (no mux) adds a media bug that replaces the next frames the running
 * playback writes with the tone and removes itself at the tone's end (switch_ivr_async.c
 * write_displace_callback); `uuid_buglist` shows it until then. No playback starts, so no thread.
 */
export const BEEP_POLL_MS = 20;

/**
 * A loaded FreeSWITCH's lag in writing a beep over a playback: the displace bug ends with the frame after the
 * tone, and frames go out every 20 ms on the soft timer (live at load 26, 40 beeps of 0 ms over hold music took a
 * median of 23 ms and at most 41 ms: test/e2e/freeswitch/short-playbacks.test.ts prints it). Past it the playback
 * is not writing (a stalled stream), and a customer already answered waits in silence for the agent meanwhile:
 * the beep is stopped and the call goes on without it.
 */
export const BEEP_LAG_MS = 1500;

/**
 * How long the driver waits, after `uuid_break`, for FreeSWITCH to report a playback's end before it starts
 * anything else on the leg.
 *
 * `uuid_break` only sets CF_BREAK; the playback sees it at its next frame. Each frame, switch_ivr_play_file checks
 * CF_BREAK and then runs the channel's queued events (switch_ivr_parse_all_events, FreeSWITCH v1.11.1
 * switch_ivr_play_say.c), so an application sent in between (the next hold music, a beep of its own, eavesdrop)
 * would run *inside* the playback that has not seen its break yet, and a timed one's service thread could then get
 * the leg after its playback ended (BEEP_POLL_MS). Read from the source, not caught live: the threads left behind
 * in CI came from refused displaces (displaceTarget). Waiting for CHANNEL_EXECUTE_COMPLETE closes the gap; the bound
 * only keeps a leg whose FreeSWITCH stopped answering from waiting for ever (a break is seen within a frame or two).
 */
export const PLAYBACK_END_WAIT_MS = 2000;

/** How long a beep over a playback may take before the driver stops it: its length and a loaded server's lag. */
export function beepWaitMs(durationMs: number): number {
  return durationMs + BEEP_LAG_MS;
}

/**
 * The file a beep is displaced from: the tone with a file parameter of its own (`{dialer_beep=N}`, which
 * switch_core_file_open takes and ignores), so no two displaces on a channel share a name.
 *
 * FreeSWITCH refuses a displace whose file name is still registered on the channel ("Only 1 of the same file per
 * channel please!", switch_ivr_displace_session), and registers the name only after it has added the bug: a short
 * tone can be written out and its bug closed (which clears the name) before the name is set, on a loaded server,
 * and the name then stays for good (FreeSWITCH v1.11.1 switch_ivr_async.c). Found live
 * (test/e2e/freeswitch/short-playbacks.test.ts beside CPU hogs): every later beep with that tone was refused and
 * played as its own playback, each left a service thread on the leg (BEEP_POLL_MS), and the bridge after them
 * carried nothing from the leg.
 */
export function displaceTarget(tone: string, n: number): string {
  return `{dialer_beep=${n}}${tone}`;
}

/** Whether `uuid_buglist` output still lists a displace bug (the beep over a playback is still being written). */
export function displacing(buglist: string): boolean {
  return /<function>displace<\/function>/.test(buglist);
}

/** FreeSWITCH playback targets for the contract's media sources. */
export function toneTarget(freqHz: number, durationMs: number, loop = false): string {
  // tone_stream: %(on_ms,off_ms,freq); loops=-1 repeats forever.
  return `tone_stream://%(${Math.round(durationMs)},0,${freqHz})${loop ? ';loops=-1' : ''}`;
}

export function holdTarget(stream: string): string {
  return `local_stream://${stream}`;
}
