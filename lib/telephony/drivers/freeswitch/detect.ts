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
 * mod_avmd on a sink endpoint bridged to the leg: an fsmrf endpoint is an
 * inbound channel, where avmd hears what FreeSWITCH sends, not the called
 * party (freeswitch.md); on the sink, what FreeSWITCH sends is the leg's audio.
 */
export const AVMD_START = { app: 'avmd_start', arg: '' } as const;
export const AVMD_STOP = { app: 'avmd_stop', arg: '' } as const;
export const AVMD_BEEP_EVENT = 'avmd::beep';

/**
 * SDP for the avmd sink: FreeSWITCH must have a far-end answer before a bridge
 * (an un-modified endpoint is re-INVITEd and both legs drop with 488); its
 * audio goes to the discard port on loopback and is never sent back.
 */
export function sinkSdp(sessionId: number): string {
  return [
    'v=0',
    `o=dialer ${sessionId} ${sessionId} IN IP4 127.0.0.1`,
    's=avmd-sink',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 9 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
    'a=recvonly',
    '',
  ].join('\r\n');
}

/**
 * After answer, native mode has no person/machine detector (no stock AMD module):
 * when nothing decisive (fax, SIT, beep…) was heard in this window it says
 * `notsure` (Asterisk app_amd's total_analysis_time, tones-and-amd.md).
 */
export const NATIVE_ANALYSIS_MS = 5000;

/** FreeSWITCH playback targets for the contract's media sources. */
export function toneTarget(freqHz: number, durationMs: number, loop = false): string {
  // tone_stream: %(on_ms,off_ms,freq); loops=-1 repeats forever.
  return `tone_stream://%(${Math.round(durationMs)},0,${freqHz})${loop ? ';loops=-1' : ''}`;
}

export function holdTarget(stream: string): string {
  return `local_stream://${stream}`;
}
