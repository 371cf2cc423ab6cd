/**
 * Saying what a phone heard, for a failure message: the frames an RTP probe
 * received (lib/telephony/testing/rtp-probe.ts), summarised so that a failed
 * live test names what was there (silence, speech, music, a gap in arrival)
 * instead of only the verdict it missed.
 */
import type { ReceivedFrame } from '../../lib/telephony/testing/rtp-probe';
import { frameRms } from './fs-recording';

/** The RMS level of every 100 ms (5 frames) of `frames`, rounded. */
export function levelsPer100ms(frames: readonly Int16Array[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < frames.length; i += 5) {
    const part = frames.slice(i, i + 5);
    const e = part.reduce((s, f) => s + frameRms(f) ** 2, 0);
    out.push(Math.round(Math.sqrt(e / part.length)));
  }
  return out;
}

/** Offset (ms from the first frame) of the first frame louder than `rms`, or -1. */
export function firstSoundMs(frames: readonly Int16Array[], rms = 300): number {
  const i = frames.findIndex((f) => frameRms(f) > rms);
  return i < 0 ? -1 : i * 20;
}

/** The longest wait between two frames' arrival (ms): a media server or this process held up. */
export function longestGapMs(frames: readonly ReceivedFrame[]): number {
  let gap = 0;
  for (let i = 1; i < frames.length; i++) gap = Math.max(gap, frames[i]!.at - frames[i - 1]!.at);
  return gap;
}

/** One line: how much was heard, where sound starts, the arrival gap and the levels per 100 ms. */
export function describeHeard(frames: readonly ReceivedFrame[]): string {
  const pcm = frames.map((f) => f.pcm);
  return (
    `${pcm.length * 20} ms of audio in ${pcm.length} frames, first sound at ${firstSoundMs(pcm)} ms, ` +
    `longest wait between frames ${longestGapMs(frames)} ms; levels per 100 ms: ${levelsPer100ms(pcm).join(' ')}`
  );
}
