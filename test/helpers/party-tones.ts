/**
 * Who hears whom, by tone: in the supervision and desktop e2e tests (either
 * driver) every party's phone is an RTP probe sending its own tone (agent
 * 600 Hz, customer 1100 Hz, supervisor 1700 Hz), and what each phone receives
 * is measured with lib/media's Goertzel share (RtpProbe.heard).
 */
import type { Test } from 'tap';
import { goertzelShare } from '../../lib/media/features';
import type { RtpProbe } from '../../lib/telephony/testing/rtp-probe';
import { sleep, until } from './wait';

export const AGENT = 600;
export const CUSTOMER = 1100;
export const SUPERVISOR = 1700;
export const TONES = [AGENT, CUSTOMER, SUPERVISOR];
const NAMES: Record<number, string> = { [AGENT]: 'agent', [CUSTOMER]: 'customer', [SUPERVISOR]: 'supervisor' };
/** A tone mixed with one other of equal level has about half the energy; absent tones stay near 0. */
export const PRESENT = 0.2;
export const ABSENT = 0.05;
/** One second of 20 ms frames: what each share is measured over. */
const SECOND_OF_FRAMES = 50;

/**
 * The share of each tone in what each phone received over one second of
 * frames, measured after `settleMs` (the time a mode change is given to take
 * effect in the media path). The second is counted in frames received, not
 * read off the clock: a phone starved of CPU on a loaded host takes longer to
 * get them, and on an idle host this is one second. A phone that gets no
 * second of audio within `ms` fails the wait, naming the counts so far.
 */
export async function whatEachHears(
  probes: Record<string, RtpProbe>,
  o: { settleMs: number; ms?: number },
): Promise<Record<string, Record<number, number>>> {
  await sleep(o.settleMs);
  const from = Date.now();
  const since = (p: RtpProbe) => p.frames.filter((f) => f.at >= from).length;
  await until(
    () => Object.values(probes).every((p) => since(p) >= SECOND_OF_FRAMES),
    () =>
      `a second of audio at every phone (frames so far: ${Object.entries(probes)
        .map(([k, p]) => `${k}: ${since(p)}`)
        .join(', ')})`,
    o.ms ?? 20000,
  );
  return Object.fromEntries(Object.entries(probes).map(([k, p]) => [k, p.heard(TONES, from).shares]));
}

/** Asserts that `who` hears exactly the parties whose tones are in `present`. */
export function expectHears(t: Test, who: string, shares: Record<number, number>, present: number[]): void {
  for (const hz of TONES) {
    if (present.includes(hz)) t.ok(shares[hz]! > PRESENT, `${who} hears the ${NAMES[hz]} (${shares[hz]!.toFixed(2)})`);
    else t.ok(shares[hz]! < ABSENT, `${who} does not hear the ${NAMES[hz]} (${shares[hz]!.toFixed(3)})`);
  }
}

/** A frame whose mean square is above 100² (about −50 dBFS) carries sound. */
const SOUNDING = 160 * 100 * 100;

export interface ChannelTones {
  /** Mean Goertzel share of each tone over the channel's sounding 20 ms frames. */
  shares: Record<number, number>;
  /** The fraction of frames that carry sound. */
  sounding: number;
}

/**
 * What one 8 kHz WAV channel holds, from its second second on: each party's
 * tone share over the frames that carry sound, and how many do. A SIPp phone
 * starved of CPU on a loaded host sends fewer packets and the recorder writes
 * silence for the gaps; measured over every frame, those gaps would read as a
 * party missing from its channel. Who is on the channel is judged over the
 * sounding frames, and that most frames sound is checked on its own
 * (as test/e2e/agents/desktop.test.ts does).
 */
export function channelTones(x: Int16Array): ChannelTones {
  const sum: Record<number, number> = Object.fromEntries(TONES.map((hz) => [hz, 0]));
  let frames = 0;
  let sounding = 0;
  for (let i = 8000; i + 160 <= x.length; i += 160, frames++) {
    const f = x.subarray(i, i + 160);
    let e = 0;
    for (const v of f) e += v * v;
    if (e < SOUNDING) continue;
    sounding++;
    for (const hz of TONES) sum[hz]! += goertzelShare(f, hz, e);
  }
  const k = Math.max(1, sounding);
  return { shares: Object.fromEntries(TONES.map((hz) => [hz, sum[hz]! / k])), sounding: sounding / Math.max(1, frames) };
}

/** `channelTones` in words, for an assertion's message. */
export function describeChannel(c: ChannelTones): string {
  return `${TONES.map((hz) => `${NAMES[hz]} ${c.shares[hz]!.toFixed(2)}`).join(', ')}, ${Math.round(c.sounding * 100)} % of frames sounding`;
}
