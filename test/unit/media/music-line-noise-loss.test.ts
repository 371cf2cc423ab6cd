/**
 * The music rule on the whole line (lib/media/amd-model.ts `lineMusic`) in broadband noise and packet loss (round
 * thirteen): a note's pitch period, estimated frame by frame in noise, jitters a lag step either way around it, so the
 * hold is counted on the period's 3-frame running median (`amd.musicLineHoldMedian`); a burst of lost packets played as
 * zeros is a hole in the measurement, not a rest in the music (`amd.musicLineLossHoleMs`), while a longer run of zeros
 * is still a pause.
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import type { Verdict } from '../../../lib/media/types';
import { run, S, voice, voiced, white } from '../../helpers/media-signals';

const cfg = mediaConfig();
const RATE = 8000;
const FRAME = 160;
const lineMusic = (vs: Verdict[]) => vs.some((v) => v.kind === 'music' && /on the line/.test(v.reason));
const features = (vs: Verdict[]) => (vs[0] as { features: Record<string, number> }).features;
/** Each test sees the line rule alone (sunk music off, as music-on-the-line.test.ts). */
const ON = { sunkMusicMinShare: 0 };
const opts = (amd: Record<string, unknown> = {}) => ({ phase: 'answered' as const, overrides: { amd: { ...ON, ...amd } } });

/** Notes (`noteMs` each, 400 by default) on whole lags of the 4 kHz pitch grid, each 20 ms frame's period off by `step` lags with chance `p` (a single-frame outlier, as noise makes of a held note's estimate). */
function jittered(ms: number, p: number, step: number, seed: number, noteMs = 400, lags = [20, 24, 27, 22, 30]): Float64Array {
  const r = S.rng(seed);
  const frames = Array.from({ length: ms / 20 + 1 }, (_, k) => {
    const lag = lags[Math.floor((k * 20) / noteMs) % lags.length]!;
    const u = r();
    return u < p / 2 ? lag - step : u < p ? lag + step : lag;
  });
  const x = new Float64Array(ms * 8);
  let ph = 0;
  for (let i = 0; i < x.length; i++) {
    const f = 4000 / frames[Math.floor(i / FRAME)]!;
    ph += (2 * Math.PI * f) / RATE;
    let v = 0;
    for (let h = 1; h * f < 2000; h++) v += Math.sin(h * ph) / Math.sqrt(h);
    x[i] = v * 1500;
  }
  return x;
}
/** Steady notes (400 ms each, harmonics to 2 kHz). */
const NOTES = [196, 220, 247, 262, 294, 330, 294, 262, 247, 220];
function notes(ms: number): Float64Array {
  const x = new Float64Array(ms * 8);
  let ph = 0;
  for (let i = 0; i < x.length; i++) {
    const f = NOTES[Math.floor(i / RATE / 0.4) % NOTES.length]!;
    ph += (2 * Math.PI * f) / RATE;
    let v = 0;
    for (let h = 1; h * f < 2000; h++) v += Math.sin(h * ph) / Math.sqrt(h);
    x[i] = v * 1500;
  }
  return x;
}
/** `x` with `frames` whole 20 ms frames zeroed every `everyMs` (from 300 ms on). */
function dropped(x: Float64Array, everyMs: number, frames: number): Float64Array {
  const y = Float64Array.from(x);
  for (let at = 300 * 8; at < y.length; at += everyMs * 8)
    y.fill(0, Math.floor(at / FRAME) * FRAME, Math.floor(at / FRAME) * FRAME + frames * FRAME);
  return y;
}

t.test(
  'defaults: loss bursts up to 60 ms bridged; the median hold on notes on; the person hold on since round fifteen (README)',
  async (t) => {
    t.match(cfg.amd, { musicLineHoldMedian: true, musicLineMinNoteShare: 0.2, musicLineLossHoleMs: 60, musicHoldsPersonVerdict: true });
  },
);

t.test('a held note whose period jitters a lag step on single frames: held on the running median, not frame to frame', async (t) => {
  // A steady level: the VAD hears all of it as quiet, whose own hold gate (musicLineQuietMinPairs, frame to frame) is
  // tested in music-on-the-line.test.ts; off here, so the line's hold decides.
  const x = jittered(6000, 0.4, 1, 4);
  const quietOff = { musicLineQuietMinPairs: 100000 };
  const median = run(x, opts({ ...quietOff, musicLineHoldMedian: true }));
  t.ok(lineMusic(median), `median: music on the line, ${JSON.stringify(median)}`);
  t.ok(features(median).linePitchHold! >= 0.7, `held (${features(median).linePitchHold})`);
  // The pitch hold alone: the spectral-lines cue (musicLineMinLines, on since round sixteen) is off here; the note's
  // partials do stay put, so with it the line is music on its lines (the last assertion).
  const exact = run(x, opts({ ...quietOff, musicLineHoldMedian: false, musicLineMinLines: 0 }));
  t.notOk(lineMusic(exact), `frame to frame: not held, ${JSON.stringify(exact)}`);
  const seen = run(x, opts({ ...quietOff, musicLineHoldMedian: false, musicLineMinPitchHold: 0 }));
  t.ok(features(seen).linePitchHold! < cfg.amd.musicLineMinPitchHold, `exact hold ${features(seen).linePitchHold} under the gate`);
  const lines = run(x, opts({ ...quietOff, musicLineHoldMedian: false }));
  t.match(lines, [{ kind: 'music', reason: /spectral lines on the line/ }], `with the lines cue: ${JSON.stringify(lines)}`);
});

t.test('the median hold counts only on a line whose pitch sits on notes (musicLineMinNoteShare, musicLineNoteMinMs)', async (t) => {
  t.match(cfg.amd, { musicLineMinNoteShare: 0.2, musicLineNoteMinMs: 160 });
  const quietOff = { musicLineQuietMinPairs: 100000 };
  const med = (amd: Record<string, unknown> = {}) => opts({ ...quietOff, musicLineHoldMedian: true, ...amd });
  // The same jittered pitch, its steps two lags apart: held 400 ms (notes), or 100 ms (a slow voice moving its pitch a
  // step at a time, each step as long as a syllable's vowel: its median holds within a step, but no step is a note).
  const long = jittered(6000, 0.4, 1, 4, 400, [20, 22, 24, 26, 28, 26, 24, 22]);
  const short = jittered(6000, 0.4, 1, 4, 100, [20, 22, 24, 26, 28, 26, 24, 22]);
  const a = run(long, med());
  t.ok(lineMusic(a), `400 ms steps: music on the line, ${JSON.stringify(a)}`);
  t.ok(features(a).lineNoteShare! >= 0.5, `on notes (${features(a).lineNoteShare})`);
  const b = run(short, med());
  t.notOk(lineMusic(b), `100 ms steps: not music on the line, ${JSON.stringify(b)}`);
  const open = run(short, med({ musicLineMinNoteShare: 0 }));
  t.ok(lineMusic(open), `100 ms steps without the note gate: music on the median hold, ${JSON.stringify(open)}`);
  t.ok(features(open).lineNoteShare! < cfg.amd.musicLineMinNoteShare, `its note share ${features(open).lineNoteShare} is under the gate`);
  t.ok(features(open).linePitchHold! >= cfg.amd.musicLineMinPitchHold, `its median hold ${features(open).linePitchHold} passes`);
  // The shortest note: 240 ms steps are notes at 160 ms, not at 300.
  const mid = jittered(6000, 0.4, 1, 4, 240, [20, 22, 24, 26, 28, 26, 24, 22]);
  t.ok(lineMusic(run(mid, med())), '240 ms steps: notes at musicLineNoteMinMs 160');
  t.notOk(lineMusic(run(mid, med({ musicLineNoteMinMs: 300 }))), '240 ms steps: no notes at musicLineNoteMinMs 300');
  // The median hold off: the exact hold alone, the note share never asked. The floor route (on since round twenty)
  // is off here: the notes' partials stand over the noise floor, so with it the line is music on its lines.
  const pitchOnly = { musicLineMinFloorLines: 0 };
  t.notOk(
    lineMusic(run(long, opts({ ...quietOff, ...pitchOnly, musicLineHoldMedian: false }))),
    'median hold off: not held frame to frame',
  );
  t.ok(lineMusic(run(long, opts({ ...quietOff, musicLineHoldMedian: false }))), 'with the floor route: music on its lines');
  // A line held frame to frame passes on its exact hold, whatever its note share.
  const clean = run(notes(6000), opts({ musicLineHoldMedian: true, musicLineMinNoteShare: 1 }));
  t.ok(lineMusic(clean), `steady notes: music on their exact hold, ${JSON.stringify(clean)}`);
  t.equal(features(clean).lineNoteShare, undefined, 'the note share not asked');
  // At a steady level the VAD hears the whole line as quiet: on notes, the quiet part's pairs hold on the median too, so
  // the quiet-part gate (musicLineQuietMinPairs, frame to frame otherwise) lets the notes through.
  const quiet = run(long, opts({ musicLineHoldMedian: true }));
  t.ok(lineMusic(quiet), `400 ms steps, the quiet gate on: music on the line, ${JSON.stringify(quiet)}`);
  t.notOk(
    lineMusic(run(long, opts({ ...pitchOnly, musicLineHoldMedian: false, musicLineQuietMinPairs: 5 }))),
    'the exact hold alone: not music',
  );
  // Lost packets inside a note are passed over: the note goes on.
  const lossy = run(dropped(long, 140, 1), med());
  t.ok(lineMusic(lossy), `400 ms steps with a packet lost every 140 ms: music on the line, ${JSON.stringify(lossy)}`);
});

t.test('a voice gliding through its pitch in white noise is not held on the running median either', async (t) => {
  // 150 -> 250 Hz in 0.67 s, again and again (intonation without syllables, so the other gates let it through).
  const glide = white(
    voiced(
      6000,
      (t) => 150 + 100 * ((t * 1.5) % 1),
      () => 1,
    ),
    10,
  );
  const open = { musicLineMaxPitchOnsetsPerS: 0, musicLineMaxVoicingSwing: 0, musicLineMaxPauseMs: 0, musicLineMaxOnePitchShare: 1 };
  const vs = run(glide, opts({ ...open, musicLineHoldMedian: true }));
  t.notOk(lineMusic(vs), `not music on the line, ${JSON.stringify(vs)}`);
  const read = run(glide, opts({ ...open, musicLineHoldMedian: true, musicLineMinPitchHold: 0 }));
  t.ok(features(read).linePitchHold! < cfg.amd.musicLineMinPitchHold, `its median hold ${features(read).linePitchHold} is under the gate`);
});

t.test('lost packets (zeros) in music: bridged, not read as rests; a longer run of zeros is still a pause', async (t) => {
  // Two 20 ms packets lost every 140 ms: seven breaks in the pitch a second, as many as a voice's syllables.
  const lossy = dropped(notes(6000), 140, 2);
  const bridged = run(lossy, opts());
  t.ok(lineMusic(bridged), `bridged: music on the line, ${JSON.stringify(bridged)}`);
  t.ok(features(bridged).linePitchOnsetsPerS! < 2, `few pitch onsets once bridged (${features(bridged).linePitchOnsetsPerS})`);
  const raw = run(lossy, opts({ musicLineLossHoleMs: 0 }));
  t.notOk(lineMusic(raw), `not bridged: the losses read as articulation, ${JSON.stringify(raw)}`);
  // Three packets in a row (60 ms, the limit) every 600 ms: bridged; six (120 ms): a pause, however held the notes.
  t.ok(lineMusic(run(dropped(notes(6000), 600, 3), opts())), '60 ms bursts: music on the line');
  const long = run(dropped(notes(6000), 600, 6), opts());
  t.notOk(lineMusic(long), `120 ms of zeros: a pause, ${JSON.stringify(long)}`);
  const open = { musicLineMaxPauseMs: 0, musicLineMaxVoicingSwing: 0 };
  const read = run(dropped(notes(6000), 600, 6), opts(open));
  t.ok(lineMusic(read) && features(read).linePauseMs! >= cfg.amd.musicLineMaxPauseMs, `read as a pause (${features(read).linePauseMs} ms)`);
});

t.test(
  'music turning soft after a loud note: no person while its "quiet" holds notes; a person after "hello" is one as before',
  async (t) => {
    const on = (amd: Record<string, unknown> = {}) => opts({ musicHoldsPersonVerdict: true, musicLineHoldMedian: true, ...amd });
    const offP = opts({ musicHoldsPersonVerdict: false, musicLineHoldMedian: true });
    // A loud note for 600 ms, then notes 10 dB softer: the VAD hears a 600 ms "greeting" and then "quiet".
    const soft = Float64Array.from(notes(6000), (v, i) => v * (i < 600 * 8 ? 1 : 0.3));
    const before = run(soft, offP);
    t.match(before, [{ kind: 'human' }], `without it: a person before the line rule may judge, ${JSON.stringify(before)}`);
    t.ok(before[0]!.atMs < cfg.amd.musicMinMs, `at ${before[0]!.atMs} ms`);
    const held = run(soft, on());
    t.ok(lineMusic(held), `with it: music on the line, ${JSON.stringify(held)}`);
    // The quiet must hold its notes: a voice talking on 10 dB softer (its pitch gliding with its syllables) leaves the
    // verdict as it was.
    const talk = S.concat(
      notes(600),
      Float64Array.from(voice(5400, 130, 1), (v) => v * 0.3),
    );
    t.same(run(talk, on()), run(talk, offP), 'talk in the "quiet": as without it');
    // A person: "hello", then a line with white noise: the same verdict at the same time.
    const hello = S.concat(voice(900), new Float64Array(4 * RATE));
    for (const snr of [30, 10]) {
      const x = white(hello, snr);
      const a = run(x, on());
      t.same(a, run(x, offP), `hello in white noise at ${snr} dB: as without it`);
      t.equal(a[0]?.kind, 'human', `hello in white noise at ${snr} dB: a person`);
    }
    t.ok(lineMusic(run(soft, on({ musicLineMinPeriodicShare: 0 }))) === false, 'off with the line rule off');
  },
);
