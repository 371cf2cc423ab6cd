/**
 * Reading a two-channel call recording by its audio, not by the wall clock.
 *
 * A recording's clock is the frames written; the attempt's times (`bridgedAt`,
 * `consentAt`) and the recording's `startedAt` are the dialer's wall clock.
 * The two part when a process is held up: the embedded driver's pacer drops
 * ticks after a stall of more than 5 frames (lib/telephony/drivers/embedded/rtp/pacer.ts
 * MAX_CATCH_UP), so its recorder writes fewer frames than the time that
 * passed; FreeSWITCH's media-bug recorder makes up and drops frames
 * (test/helpers/fs-recording.ts); and a stalled dialer learns of an event late.
 * So the e2e tests place their windows by what is in the file (where a
 * channel's sound starts, where a tone starts), and use the wall clock only
 * for bounds a stall can only make easier to meet.
 */
import { FRAME_SAMPLES } from '../../lib/media/types';
import { frameRms } from './fs-recording';

export const FRAME_MS = 20;

/** The two channels of a 16-bit interleaved stereo WAV. */
export function stereoChannels(wav: Buffer): [Int16Array, Int16Array] {
  const dataAt = wav.indexOf('data', 12, 'latin1') + 8;
  const n = Math.floor((wav.length - dataAt) / 4);
  const ch: [Int16Array, Int16Array] = [new Int16Array(n), new Int16Array(n)];
  for (let i = 0; i < n; i++) {
    ch[0][i] = wav.readInt16LE(dataAt + i * 4);
    ch[1][i] = wav.readInt16LE(dataAt + 2 + i * 4);
  }
  return ch;
}

/** The whole 20 ms frames of a channel. */
export function framesOf(pcm: Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i + FRAME_SAMPLES <= pcm.length; i += FRAME_SAMPLES) out.push(pcm.subarray(i, i + FRAME_SAMPLES));
  return out;
}

/** Index of the first frame holding any sample other than 0 (a recorder pads a channel with no audio with zeros), or -1. */
export function firstNonZeroFrame(frames: readonly Int16Array[]): number {
  return frames.findIndex((f) => f.some((s) => s !== 0));
}

/** RMS over frames [from, to) (clamped to the file); 0 for an empty range. */
export function rmsOf(frames: readonly Int16Array[], from: number, to: number): number {
  const a = Math.max(0, from);
  const b = Math.min(frames.length, to);
  if (b <= a) return 0;
  let e = 0;
  for (let i = a; i < b; i++) e += frameRms(frames[i]!) ** 2;
  return Math.sqrt(e / (b - a));
}
