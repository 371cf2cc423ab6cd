/**
 * The wide real-music dev set's cutting (bench/corpus/music-wide.ts), on made-up tracks: which stretches an excerpt
 * may come from (past the fades, mostly active), the level it is set to, and that the set is repeatable.
 */
import t from 'tap';
import { activeShare, excerpt, musicWideSet, type WideTrack } from '../../../bench/corpus/music-wide';
import { rms, rng } from '../../../bench/corpus/synth';

const RATE = 8000;
const tone = (s: number, amp = 8000) =>
  Int16Array.from({ length: s * RATE }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * 440 * i) / RATE)));
const join = (...xs: Int16Array[]) => {
  const out = new Int16Array(xs.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of xs) out.set(x, (o += x.length) - x.length);
  return out;
};

t.test('activeShare: the share of 20 ms frames within 40 dB of the loudest', async (t) => {
  t.equal(activeShare(new Int16Array(8000)), 0, 'silence has none');
  t.equal(activeShare(tone(1)), 1, 'a steady tone is all active');
  t.equal(activeShare(join(tone(1), new Int16Array(8000))), 0.5, 'half a second of tone, half of silence');
  t.equal(activeShare(join(tone(1), tone(1, 60))), 0.5, '42 dB under the loudest is not active');
  t.equal(activeShare(join(tone(1), tone(1, 100))), 1, '38 dB under it is');
});

t.test('excerpt: none from a jingle, never from the fades or a silent stretch', async (t) => {
  t.equal(excerpt(tone(29), 8000, rng(1)), null, 'a 29 s track is a jingle');
  t.equal(excerpt(new Int16Array(60 * RATE), 8000, rng(1)), null, 'a silent track gives none');
  // A loud first and last 5 s (the fades), 30 s of silence, 30 s of music: only the music can be cut from (an
  // excerpt may start in the silence's last 3 s: 60 % active is enough).
  const marked = join(tone(5, 20000), new Int16Array(30 * RATE), tone(30, 4000), tone(5, 20000));
  const r = rng(7);
  for (let k = 0; k < 20; k++) {
    const x = excerpt(marked, 8000, r);
    t.ok(x, 'an excerpt is found');
    const peak = x!.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    t.ok(peak <= 4000 && peak > 3900, `excerpt ${k} lies in the music, not a fade (peak ${peak})`);
    t.ok(activeShare(x!) >= 0.6, 'mostly active');
  }
});

t.test('musicWideSet: per track, levelled, repeatable, messages per source', async (t) => {
  const tracks: WideTrack[] = [
    { source: 'a', name: 'one', pcm: tone(40) },
    { source: 'a', name: 'two', pcm: tone(45, 3000) },
    { source: 'b', name: 'three', pcm: tone(60, 12000) },
    { source: 'b', name: 'jingle', pcm: tone(20) },
  ];
  const prompts = [Float64Array.from(tone(2, 5000))];
  const set = musicWideSet(tracks, prompts, 3, 2);
  const music = set.filter((i) => i.kind === 'music');
  t.equal(music.length, 9, 'three excerpts of each track but the jingle');
  t.equal(set.filter((i) => i.kind === 'message').length, 4, 'two messages per source');
  t.equal(new Set(set.map((i) => i.id)).size, set.length, 'ids are unique');
  for (const m of music) {
    const db = 20 * Math.log10(rms(m.pcm, true) / 32768);
    t.ok(db >= -26.5 && db <= -11.5, `${m.id} at ${db.toFixed(1)} dBFS of active audio`);
    t.ok(m.pcm.length >= 6 * RATE && m.pcm.length <= 12.4 * RATE, `${m.id} is 6–12 s after up to 0.4 s of room`);
  }
  t.same(
    musicWideSet(tracks, prompts, 3, 2).map((i) => [i.id, i.pcm.length, i.pcm[RATE]]),
    set.map((i) => [i.id, i.pcm.length, i.pcm[RATE]]),
    'the same tracks give the same set',
  );
  t.notSame(
    musicWideSet(tracks, prompts, 3, 2, 99).map((i) => i.pcm.length),
    set.map((i) => i.pcm.length),
    'another seed cuts elsewhere',
  );
});
