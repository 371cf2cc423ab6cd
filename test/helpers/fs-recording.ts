/**
 * Reading a FreeSWITCH recording of what a leg was sent (`uuid_record` with
 * RECORD_WRITE_ONLY: a media bug on the leg's write stream).
 *
 * FreeSWITCH writes such a recording at its *read* pings, not at its writes:
 * each frame read from the leg (a "READ_PING") pulls what was written since
 * from the bug's write buffer (switch_ivr_async.c record_callback,
 * SWITCH_ABC_TYPE_READ_PING → switch_core_media_bug_read). When the buffer is
 * empty at a ping, switch_core_media_bug_read makes up a frame:
 * `memset(bug->data, 255, bytes)`, i.e. every 16-bit sample 0xFFFF (-1), and
 * that frame goes into the file. Reads and writes in one thread alternate, so
 * that never happens; but a playback on FreeSWITCH's timer (`timer_name`,
 * detect.ts PLAYBACK_VARS) writes from the playback thread on the timer while
 * a service thread reads the far end's RTP (switch_core_service_session), and
 * the two drift: a ping finds nothing about once in 15 frames at load 15
 * (measured: 72 of 933 frames in one call's recording). Those frames were
 * never sent to the phone; a 200 ms beep recorded as 7 + fill + 3 frames was
 * sent whole. They can be told apart exactly: decoded G.711 is never -1 (its
 * smallest magnitudes are 0 and 8), and a played tone or music frame is not
 * 160 equal samples.
 */
import { FRAME_SAMPLES } from '../../lib/media/types';

/** A frame switch_core_media_bug_read made up (no audio written since the last read ping). */
export function isRecorderFill(frame: Int16Array): boolean {
  return frame.length > 0 && frame.every((s) => s === -1);
}

/** 20 ms frames of a write-stream recording, without the frames the recorder made up. */
export function sentFrames(pcm: Int16Array): { frames: Int16Array[]; fill: number } {
  const frames: Int16Array[] = [];
  let fill = 0;
  for (let i = 0; i + FRAME_SAMPLES <= pcm.length; i += FRAME_SAMPLES) {
    const f = pcm.subarray(i, i + FRAME_SAMPLES);
    if (isRecorderFill(f)) fill++;
    else frames.push(f);
  }
  return { frames, fill };
}

/** Share of a frame's energy at `hz` (Goertzel), 0..1. */
export function toneShare(frame: Int16Array, hz: number): number {
  const w = (2 * Math.PI * hz) / 8000;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let e = 0;
  for (const x of frame) {
    const s0 = x + c * s1 - s2;
    s2 = s1;
    s1 = s0;
    e += x * x;
  }
  const p = s1 * s1 + s2 * s2 - c * s1 * s2;
  return e > 0 ? (2 * p) / (frame.length * e) : 0;
}

export function frameRms(frame: Int16Array): number {
  let e = 0;
  for (const x of frame) e += x * x;
  return Math.sqrt(e / frame.length);
}

/**
 * Index of the first frame of a run of ≥ `minFrames` frames where `hz` dominates (a beep), or -1.
 * Default 8 frames: the 200 ms beep (tone_stream://%(200,0,1000)) heard for ≥ 160 ms.
 */
export function findTone(frames: readonly Int16Array[], hz: number, minFrames = 8): number {
  for (let i = 0, run = 0; i < frames.length; i++) {
    run = frameRms(frames[i]!) > 300 && toneShare(frames[i]!, hz) > 0.8 ? run + 1 : 0;
    if (run >= minFrames) return i - run + 1;
  }
  return -1;
}

/**
 * findTone on a recording as FreeSWITCH wrote it: the recorder's made-up frames neither count for the run nor
 * break it (they were never sent: a 200 ms beep recorded as 7 + fill + 3 frames was sent whole). The index is the
 * run's first tone frame in `frames`, or -1.
 */
export function findToneThroughFill(frames: readonly Int16Array[], hz: number, minFrames = 8): number {
  for (let i = 0, run = 0, first = -1; i < frames.length; i++) {
    const f = frames[i]!;
    if (isRecorderFill(f)) continue;
    const tone = frameRms(f) > 300 && toneShare(f, hz) > 0.8;
    run = tone ? run + 1 : 0;
    if (run === 1) first = i;
    if (run >= minFrames) return first;
  }
  return -1;
}
