/**
 * Tones heard after answer where something before them passed for a voice (room noise, background talk): a
 * SIT's first segment must not be taken for a voicemail beep, and a real beep (one that ends in quiet, or in
 * a second tone that is no SIT) must still be one.
 */
import t from 'tap';
import type { Verdict } from '../../../lib/media/types';
import { kinds, run, S, voiced } from '../../helpers/media-signals';

/** 1.2 s of a voice (a harmonic source whose pitch wanders 90–210 Hz, four syllables a second): sets "speech seen". */
const voice = () =>
  voiced(
    1200,
    (t) => 150 + 60 * Math.sin(2 * Math.PI * 1.3 * t),
    (t) => Math.sqrt(Math.abs(Math.sin(Math.PI * 4 * t))),
  );
const sitNC = (amp = 4000) => S.concat(S.tone([985.2], 380, amp), S.tone([1428.5], 380, amp), S.tone([1776.7], 380, amp));

t.test('a SIT after a voice is a SIT, not a beep after a greeting', async (t) => {
  const vs = run(S.concat(S.silence(200), voice(), S.silence(300), sitNC(), S.silence(1500)), { phase: 'answered', waitForBeep: true });
  t.equal(vs[0]?.kind, 'sit', JSON.stringify(vs));
  t.equal((vs[0] as Extract<Verdict, { kind: 'sit' }>).code, 'NC');
});

t.test('a beep after a voice that ends in quiet is still a beep', async (t) => {
  const vs = run(S.concat(S.silence(200), voice(), S.silence(300), S.tone([985], 380, 4000), S.silence(2500)), {
    phase: 'answered',
    waitForBeep: true,
  });
  t.ok(kinds(vs).includes('beep'), JSON.stringify(vs));
  t.notOk(kinds(vs).includes('sit'));
});

t.test('a beep that runs into a second tone (no SIT) is still a beep, reported once that tone ends', async (t) => {
  const vs = run(S.concat(S.silence(200), voice(), S.silence(300), S.tone([1000], 300, 4000), S.tone([1400], 300, 4000), S.silence(2500)), {
    phase: 'answered',
    waitForBeep: true,
  });
  const beep = vs.find((v): v is Extract<Verdict, { kind: 'beep' }> => v.kind === 'beep');
  t.ok(beep, JSON.stringify(vs));
  t.ok(Math.abs(beep!.freqHz - 1000) <= 10, `the first tone is the beep: ${beep?.freqHz} Hz`);
  // Voice ends at 1.4 s, beep 1.7–2.0 s, second tone to 2.3 s: held until the run is judged, not longer.
  t.ok(beep!.atMs >= 2300 && beep!.atMs <= 2500, `reported at ${beep?.atMs} ms`);
  t.notOk(kinds(vs).includes('sit'));
});

/** `x` with white or brown noise added at `snrDb` below the tone's RMS (`toneAmp` peak), as the corpus recipe mixes it. */
function noisy(x: Float64Array, toneAmp: number, snrDb: number, kind: 'white' | 'brown', seed: number): Float64Array {
  const r = S.rng(seed);
  const n = S.noise(S.durationMs(x), r);
  // Brown: white noise integrated (leaky), then brought back to unit RMS.
  let acc = 0;
  const nz = kind === 'white' ? n : Float64Array.from(n, (v) => (acc = 0.995 * acc + v));
  const g = toneAmp / Math.SQRT2 / Math.pow(10, snrDb / 20) / (S.rms(nz) || 1);
  return Float64Array.from(x, (v, i) => v + g * nz[i]!);
}
const patternOf = (vs: Verdict[]) => vs.find((v): v is Extract<Verdict, { kind: 'busy' }> => v.kind === 'busy')?.pattern ?? null;

t.test('busy after answer in white noise at 5 dB SNR: the plan bins judged against the noise floor (NA dual, DE single)', async (t) => {
  for (const seed of [1, 2, 3]) {
    const na = noisy(S.concat(S.silence(300), S.cadence([480, 620], [500, 500], 5000, 3000)), 3000, 5, 'white', seed);
    t.equal(patternOf(run(na, { phase: 'answered', region: 'NA' })), 'busy', `NA seed ${seed}`);
    const de = noisy(S.concat(S.silence(300), S.cadence([425], [480, 480], 5000, 6000)), 6000, 5, 'white', seed);
    t.equal(patternOf(run(de, { phase: 'answered', region: 'DE' })), 'busy', `DE seed ${seed}`);
  }
});

t.test('the single-tone frequency test holds in noise: 460 Hz under the DE plan is no busy at 5 or 30 dB', async (t) => {
  for (const snr of [5, 30]) {
    const x = noisy(S.concat(S.silence(300), S.cadence([460], [480, 480], 5000, 6000)), 6000, snr, 'white', 7);
    t.equal(patternOf(run(x, { phase: 'answered', region: 'DE' })), null, `${snr} dB`);
  }
});

t.test('a SIT in white or brown noise at 5 dB SNR is a SIT (SIT bins, pre-emphasised view for the rumble)', async (t) => {
  for (const kind of ['white', 'brown'] as const) {
    let hit = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const x = noisy(S.concat(S.silence(300), sitNC(4000), S.silence(1500)), 4000, 5, kind, seed);
      if (run(x, { phase: 'answered' })[0]?.kind === 'sit') hit++;
    }
    t.ok(hit >= 4, `${kind}: ${hit} of 5`);
  }
});

t.test('no tone verdict in a voice or music under white noise', async (t) => {
  for (const seed of [1, 2]) {
    const v = noisy(S.concat(S.silence(300), voice(), S.silence(200), voice(), S.silence(3000)), 3000, 10, 'white', seed);
    for (const region of ['NA', 'DE', 'UK', 'JP'])
      t.notOk(
        run(v, { phase: 'answered', region }).some((x) => x.kind === 'busy' || x.kind === 'sit'),
        `voice ${seed} ${region}`,
      );
    const m = noisy(S.music(8000, S.rng(seed), 4000), 4000, 10, 'white', seed);
    for (const region of ['NA', 'DE', 'UK', 'JP'])
      t.notOk(
        run(m, { phase: 'answered', region }).some((x) => x.kind === 'busy' || x.kind === 'sit'),
        `music ${seed} ${region}`,
      );
  }
});
