/**
 * Tones broken up by babble (round twelve): a loud syllable over a busy tone takes a few frames out of its
 * on-segment, a tone-like blip of talk puts a few into its gap (tones.cadenceMaxHoleMs); and a SIT's first segment
 * whose purity babble spoils for a frame or two is not a voicemail beep while the SIT detector, which reads the
 * tone's own bin, still hears the tone (SitDetector.toneOn).
 */
import t from 'tap';
import type { Verdict } from '../../../lib/media/types';
import { kinds, run, S, voiced } from '../../helpers/media-signals';

const patternOf = (vs: Verdict[]) => vs.find((v): v is Extract<Verdict, { kind: 'busy' }> => v.kind === 'busy')?.pattern ?? null;

/** NA busy (480+620 Hz, 500/500 ms) for `totalMs`, with every on-segment cut `holeMs` at 200 ms in (silence). */
function busyWithHoles(holeMs: number, totalMs = 5000): Float64Array {
  const parts: Float64Array[] = [S.silence(300)];
  for (let t = 0; t < totalMs; t += 1000) {
    parts.push(S.tone([480, 620], 200, 3000), S.silence(holeMs), S.tone([480, 620], 300 - holeMs, 3000), S.silence(500));
  }
  return S.concat(...parts);
}

/** NA busy with a 60 ms blip of its own tone in the middle of every gap (talk at the tone's frequencies). */
function busyWithBlips(): Float64Array {
  const parts: Float64Array[] = [S.silence(300)];
  for (let t = 0; t < 5000; t += 1000)
    parts.push(S.tone([480, 620], 500, 3000), S.silence(220), S.tone([480, 620], 60, 3000), S.silence(220));
  return S.concat(...parts);
}

t.test('a busy whose on-segments lose 60 ms (a loud syllable over the tone) is still busy', async (t) => {
  t.equal(patternOf(run(busyWithHoles(60), { phase: 'early', region: 'NA' })), 'busy');
  t.equal(patternOf(run(busyWithHoles(60), { phase: 'answered', region: 'NA' })), 'busy', 'after answer too');
});

t.test('…and not with hole merging off (cadenceMaxHoleMs 0): the holes cut the segments', async (t) => {
  t.equal(patternOf(run(busyWithHoles(60), { phase: 'early', region: 'NA', overrides: { tones: { cadenceMaxHoleMs: 0 } } })), null);
});

t.test('a gap longer than the hole limit is a gap: 160 ms cut out of each on-segment is no busy', async (t) => {
  t.equal(patternOf(run(busyWithHoles(160), { phase: 'early', region: 'NA' })), null);
});

t.test('a 60 ms blip of the tone in each gap does not break the cadence', async (t) => {
  t.equal(patternOf(run(busyWithBlips(), { phase: 'early', region: 'NA' })), 'busy');
  t.equal(
    patternOf(run(busyWithBlips(), { phase: 'early', region: 'NA', overrides: { tones: { cadenceMaxHoleMs: 0 } } })),
    null,
    'merging off',
  );
});

t.test('reorder (250/250 ms) is still reorder: its real segments are longer than any hole', async (t) => {
  for (const region of ['NA', 'DE'] as const) {
    const plan = region === 'NA' ? { f: [480, 620], c: [250, 250] } : { f: [425], c: [240, 240] };
    t.equal(patternOf(run(S.cadence(plan.f, plan.c, 5000, 6000, 120), { phase: 'early', region })), 'reorder', region);
  }
});

/** 1.2 s of a voice: sets "speech seen", so a tone after it may be a voicemail beep. */
const voice = () =>
  voiced(
    1200,
    (t) => 150 + 60 * Math.sin(2 * Math.PI * 1.3 * t),
    (t) => Math.sqrt(Math.abs(Math.sin(Math.PI * 4 * t))),
  );

/**
 * A 985.2 Hz tone of `ms` with a 300 Hz component at 0.75 of its amplitude 160–220 ms in (a loud syllable over it):
 * the beep detector's purity falls to 0.55–0.61 for three frames (its run ends), while the tone's bin still holds
 * 0.64 of the frame, over 0.9 of it less the share taken for noise (the SIT detector's reading).
 */
function spoilt(ms: number, amp = 4000): Float64Array {
  const x = S.tone([985.2], ms, amp);
  for (let i = 1280; i < 1760 && i < x.length; i++) x[i]! += 0.75 * amp * Math.sin((2 * Math.PI * 300 * i) / 8000);
  return x;
}

t.test('a SIT whose first segment is spoilt for three frames is a SIT, not a beep after a greeting', async (t) => {
  const sit = S.concat(spoilt(380), S.tone([1428.5], 380, 4000), S.tone([1776.7], 380, 4000));
  const vs = run(S.concat(S.silence(200), voice(), S.silence(300), sit, S.silence(1500)), { phase: 'answered', waitForBeep: true });
  t.equal(vs[0]?.kind, 'sit', JSON.stringify(vs));
});

t.test('a beep spoilt the same way, ending in quiet, is still a beep (reported once the tone ends)', async (t) => {
  const vs = run(S.concat(S.silence(200), voice(), S.silence(300), spoilt(600), S.silence(2500)), { phase: 'answered', waitForBeep: true });
  const beep = vs.find((v): v is Extract<Verdict, { kind: 'beep' }> => v.kind === 'beep');
  t.ok(beep, JSON.stringify(vs));
  t.notOk(kinds(vs).includes('sit'));
  // Voice ends at 1.4 s, the tone 1.7–2.3 s: the beep stands by 2.4 s.
  t.ok(beep!.atMs >= 2300 && beep!.atMs <= 2400, `reported at ${beep?.atMs} ms`);
});
