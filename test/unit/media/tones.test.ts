/**
 * Tone detectors at the edges of their tolerances: inside passes, outside fails.
 * Frequencies, durations, twist and level as in ../shared/reference/tones-and-amd.md.
 */
import t from 'tap';
import { DEFAULT_REGIONS } from '../../../lib/config/sections/media';
import type { Verdict } from '../../../lib/media/types';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { speak } from '../../../bench/corpus/speech';
import { babble, kinds, run, S } from '../../helpers/media-signals';

const sitOf = (vs: Verdict[]) => vs.find((v): v is Extract<Verdict, { kind: 'sit' }> => v.kind === 'sit')?.code ?? null;
const sit = (segs: Array<[number, number]>, amp = 4000) =>
  S.concat(S.silence(200), ...segs.map(([f, d]) => S.tone([f], d, amp)), S.silence(600));

t.test('SIT: the four Bell codes and the ITU form are told apart', async (t) => {
  t.equal(
    sitOf(
      run(
        sit([
          [985.2, 380],
          [1428.5, 380],
          [1776.7, 380],
        ]),
        { phase: 'early' },
      ),
    ),
    'NC',
  );
  t.equal(
    sitOf(
      run(
        sit([
          [913.8, 274],
          [1370.6, 274],
          [1776.7, 380],
        ]),
        { phase: 'early' },
      ),
    ),
    'IC',
  );
  t.equal(
    sitOf(
      run(
        sit([
          [985.2, 380],
          [1370.6, 274],
          [1776.7, 380],
        ]),
        { phase: 'early' },
      ),
    ),
    'VC',
  );
  t.equal(
    sitOf(
      run(
        sit([
          [913.8, 274],
          [1428.5, 380],
          [1776.7, 380],
        ]),
        { phase: 'early' },
      ),
    ),
    'RO',
  );
  t.equal(
    sitOf(
      run(
        sit([
          [950, 330],
          [1400, 330],
          [1800, 330],
        ]),
        { phase: 'early' },
      ),
    ),
    'ITU',
  );
  t.equal(
    sitOf(
      run(
        sit([
          [950, 330],
          [1400, 330],
          [1800, 330],
        ]),
        { phase: 'answered' },
      ),
    ),
    'ITU',
    'also after answer',
  );
});

t.test('SIT frequency: ±0.2 % stays Bell, 1 % off falls back to ITU, outside ITU ±50 Hz is nothing', async (t) => {
  const ic = (k: number): Array<[number, number]> => [
    [913.8 * k, 274],
    [1370.6 * k, 274],
    [1776.7 * k, 380],
  ];
  t.equal(sitOf(run(sit(ic(1.002)), { phase: 'early' })), 'IC', '+0.2 %');
  t.equal(sitOf(run(sit(ic(0.998)), { phase: 'early' })), 'IC', '−0.2 %');
  t.equal(sitOf(run(sit(ic(1.01)), { phase: 'early' })), 'ITU', '+1 %: not a Bell code');
  t.equal(
    sitOf(
      run(
        sit([
          [1060, 330],
          [1400, 330],
          [1800, 330],
        ]),
        { phase: 'early' },
      ),
    ),
    null,
    'first tone 1060 Hz: outside 950 ± 50',
  );
  t.equal(
    sitOf(
      run(
        sit([
          [950, 330],
          [1400, 330],
          [1900, 330],
        ]),
        { phase: 'early' },
      ),
    ),
    null,
    'third tone 1900 Hz',
  );
});

t.test('SIT duration and gaps: ±5 % passes, 200 ms segments fail, a 30 ms gap is bridged', async (t) => {
  t.equal(
    sitOf(
      run(
        sit([
          [913.8, 288],
          [1370.6, 260],
          [1776.7, 399],
        ]),
        { phase: 'early' },
      ),
    ),
    'IC',
    '+5 % / −5 % / +5 %',
  );
  t.equal(
    sitOf(
      run(
        sit([
          [913.8, 200],
          [1370.6, 200],
          [1776.7, 200],
        ]),
        { phase: 'early' },
      ),
    ),
    null,
    '200 ms each',
  );
  t.equal(
    sitOf(
      run(
        sit([
          [950, 500],
          [1400, 500],
          [1800, 500],
        ]),
        { phase: 'early' },
      ),
    ),
    null,
    '500 ms each (ITU max 400)',
  );
  const gapped = S.concat(
    S.silence(200),
    S.tone([950], 330, 4000),
    S.silence(30),
    S.tone([1400], 330, 4000),
    S.silence(30),
    S.tone([1800], 330, 4000),
    S.silence(500),
  );
  t.equal(sitOf(run(gapped, { phase: 'early' })), 'ITU', '30 ms gaps');
  const wide = S.concat(
    S.silence(200),
    S.tone([950], 330, 4000),
    S.silence(200),
    S.tone([1400], 330, 4000),
    S.silence(200),
    S.tone([1800], 330, 4000),
    S.silence(500),
  );
  t.equal(sitOf(run(wide, { phase: 'early' })), null, '200 ms gaps: three separate tones');
});

t.test('SIT level: −40 dB below full scale is too quiet, −30 dB is heard', async (t) => {
  const ic: Array<[number, number]> = [
    [913.8, 274],
    [1370.6, 274],
    [1776.7, 380],
  ];
  t.equal(sitOf(run(sit(ic, 32767 * 10 ** (-30 / 20)), { phase: 'early' })), 'IC');
  t.equal(sitOf(run(sit(ic, 32767 * 10 ** (-60 / 20)), { phase: 'early' })), null);
});

t.test('fax CED: 2100 ± 15 Hz for 500 ms; 2140 Hz or a short burst is not fax', async (t) => {
  const ced = (f: number, ms: number) => run(S.concat(S.silence(200), S.tone([f], ms, 5000), S.silence(1000)), { phase: 'answered' });
  t.same(
    ced(2100, 3000)
      .filter((v) => v.kind === 'fax')
      .map((v) => (v as { tone: string }).tone),
    ['CED'],
  );
  t.same(kinds(ced(2112, 3000)).includes('fax'), true, '+12 Hz');
  t.same(kinds(ced(2140, 3000)).includes('fax'), false, '+40 Hz');
  t.same(kinds(ced(2100, 300)).includes('fax'), false, '300 ms');
  const early = run(S.concat(S.silence(200), S.tone([2100], 3000, 5000)), { phase: 'early' });
  t.equal(early[0]?.kind, 'fax', 'CED in early media too');
});

t.test('fax CNG: one 0.5 s 1100 Hz burst before any speech; 0.3 s bursts are not CNG', async (t) => {
  const cng = (ms: number, f = 1100) => run(S.cadence([f], [ms, 3000], 7000, 5000, 3000), { phase: 'answered' });
  t.equal(cng(500)[0]?.kind, 'fax');
  t.equal(cng(500, 1130)[0]?.kind, 'fax', '+30 Hz');
  t.not(cng(500, 1160)[0]?.kind, 'fax', '+60 Hz');
  t.not(cng(300)[0]?.kind, 'fax', '300 ms bursts');
});

const patternOf = (vs: Verdict[]) => {
  const v = vs.find((x): x is Extract<Verdict, { kind: 'busy' }> => x.kind === 'busy');
  return v ? v.pattern : null;
};

t.test('busy and reorder for every shipped region', async (t) => {
  for (const [region, plan] of Object.entries(DEFAULT_REGIONS)) {
    for (const kind of ['busy', 'reorder'] as const) {
      const x = S.cadence(plan[kind].freqsHz, plan[kind].cadenceMs, 5000, 6000, 120);
      const want = region === 'JP' ? 'busy' : kind; // NTT: one tone for both
      t.equal(patternOf(run(x, { phase: 'early', region })), want, `${region} ${kind}`);
    }
  }
});

t.test('busy cadence: ±5 % passes, ±40 % fails; wrong region hears nothing', async (t) => {
  const na = (on: number, off: number) =>
    patternOf(run(S.cadence([480, 620], [on, off], 5000, 6000, 100), { phase: 'early', region: 'NA' }));
  t.equal(na(525, 475), 'busy');
  t.equal(na(475, 525), 'busy');
  t.equal(na(700, 300), null);
  t.equal(
    patternOf(run(S.cadence([480, 620], [500, 500], 5000, 6000, 100), { phase: 'early', region: 'DE' })),
    null,
    'NA busy under DE plan',
  );
});

t.test('dual-tone twist: 4 dB passes, 10 dB fails; frequency 8 % off fails', async (t) => {
  const twisted = (db: number) => {
    const hi = S.cadence([620], [500, 500], 5000, 3000 * 10 ** (-db / 20), 100);
    return S.cadence([480], [500, 500], 5000, 3000, 100).map((v, i) => v + hi[i]!);
  };
  t.equal(patternOf(run(twisted(4), { phase: 'early', region: 'NA' })), 'busy', '4 dB');
  t.equal(patternOf(run(twisted(10), { phase: 'early', region: 'NA' })), null, '10 dB');
  t.equal(patternOf(run(S.cadence([440, 570], [500, 500], 5000, 6000, 100), { phase: 'early', region: 'NA' })), null, '440+570 Hz');
});

t.test('single-tone region frequency: 425 Hz ± 2 % passes, 460 Hz fails (DE)', async (t) => {
  const de = (f: number) => patternOf(run(S.cadence([f], [480, 480], 5000, 6000, 100), { phase: 'early', region: 'DE' }));
  t.equal(de(433), 'busy');
  t.equal(de(417), 'busy');
  t.equal(de(460), null);
});

t.test('ringback is reported once and is not final', async (t) => {
  const vs = run(S.cadence([440, 480], [2000, 4000], 9000, 6000, 5000), { phase: 'early', region: 'NA' });
  t.same(kinds(vs), ['ringback']);
});

t.test('voicemail beep after a greeting: 440–2000 Hz, 150–1500 ms', async (t) => {
  // A spoken greeting (espeak-ng, installed by scripts/setup.sh): the beep must follow speech, which has a pitch.
  const dir = mkdtempSync(join(tmpdir(), 'tones-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const greet = Float64Array.from(
    await speak(join(dir, 'cache'), {
      voice: 'en-us',
      text: 'Hi, this is Sam. I cannot take your call right now, please leave a message after the tone.',
      speed: 165,
      pitch: 50,
    }),
  );
  const withBeep = (f: number, ms: number) =>
    run(S.concat(S.silence(300), greet, S.silence(400), S.tone([f], ms, 6000), S.silence(1500)), { phase: 'answered', waitForBeep: true });
  const b = withBeep(1000, 300);
  t.same(kinds(b), ['machine', 'beep']);
  const beep = b[1] as Extract<Verdict, { kind: 'beep' }>;
  t.ok(Math.abs(beep.freqHz - 1000) <= 5 && Math.abs(beep.durationMs - 300) <= 40, JSON.stringify(beep));
  t.same(kinds(withBeep(440, 200)), ['machine', 'beep'], '440 Hz 200 ms');
  t.same(kinds(withBeep(2000, 1400)), ['machine', 'beep'], '2000 Hz 1.4 s');
  t.same(kinds(withBeep(1000, 80)), ['machine'], '80 ms: too short');
  t.same(kinds(withBeep(2600, 500)), ['machine'], '2600 Hz: not a beep');
  t.same(kinds(withBeep(1000, 2500)), ['machine'], '2.5 s: too long');
});

t.test('no tone verdict in speech-like noise or music', async (t) => {
  for (const seed of [1, 2, 3]) {
    const m = run(S.music(8000, S.rng(seed), 4000), { phase: 'early', region: ['NA', 'JP', 'UK', 'DE'][seed]! });
    t.same(kinds(m), [], `music ${seed}`);
    const b = run(babble(6000, seed), { phase: 'early' });
    t.same(kinds(b), [], `babble ${seed}`);
  }
});
