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
