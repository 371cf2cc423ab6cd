/**
 * `npm run bench -- detect-beeps` — what tells a voicemail beep from a held vowel, measured on the tuning
 * splits only (espeak `tune`, real-voice `train` with its augmentations; no held-out item is read).
 *
 * Runs the beep detector (thresholds from the config and `--media '<json>'`, its cue bounds —
 * `maxLevelJitterDb`, `maxFreqSpreadPct`, `maxHarmonicShare`, `maxLevelDropDb`, `maxVibratoPct` — opened wide
 * unless `--keep` is given) over every frame of every item, without the analyser's "after speech" gate, and
 * sorts each run it reports into a real beep (the corpus put a beep there: its end within 200 ms) or a false
 * one (anywhere else: a person's vowel, a greeting's vowel, music). Prints, per kind, the distribution of
 * each run's level jitter and frequency spread, then one JSON line with the counts each threshold pair
 * would keep.
 */
import { join } from 'node:path';
import { readAudioFile } from '../lib/media/audio-file';
import { mediaConfig } from '../lib/media/config';
import { FeatureExtractor } from '../lib/media/features';
import { BeepDetector, type BeepResult } from '../lib/media/tones';
import { FRAME_MS, FRAME_SAMPLES } from '../lib/media/types';
import { loadOrGenerate } from './corpus/generate';
import { loadReal, REAL_VERSION } from './corpus/real';
import { mediaOverrides } from './lib/media-overrides';

interface Run extends BeepResult {
  real: boolean;
  id: string;
}

/** Runs outside a corpus beep count as false only in voice and music items: SIT, fax and busy tones are generated tones. */
const VOICE_OR_MUSIC = new Set(['human', 'machine', 'music']);

function scan(
  pcm: Int16Array,
  det: BeepDetector,
  fx: FeatureExtractor,
  id: string,
  expect: string,
  beepEndMs: number | undefined,
  out: Run[],
): void {
  const frame = new Int16Array(FRAME_SAMPLES);
  let t = 0;
  for (let i = 0; i < pcm.length + 4 * FRAME_SAMPLES; i += FRAME_SAMPLES) {
    t += FRAME_MS;
    frame.fill(0);
    if (i < pcm.length) frame.set(pcm.subarray(i, Math.min(i + FRAME_SAMPLES, pcm.length)));
    const r = det.push(fx.compute(frame));
    if (!r) continue;
    const real = beepEndMs !== undefined && Math.abs(t - 2 * FRAME_MS - beepEndMs) <= 200;
    if (real || VOICE_OR_MUSIC.has(expect)) out.push({ ...r, id, real });
  }
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : null;
};

export default async function main(args: string[]): Promise<void> {
  const root = join(__dirname, '.out');
  const keep = args.includes('--keep');
  const base = mediaConfig(undefined, mediaOverrides(args));
  const config = keep
    ? base
    : mediaConfig(base, {
        beep: { maxLevelJitterDb: 1000, maxFreqSpreadPct: 1000, maxHarmonicShare: 1000, maxLevelDropDb: 1000, maxVibratoPct: 1000 },
      });
  const runs: Run[] = [];
  const espeak = await loadOrGenerate(root);
  for (const item of espeak.items) {
    if (item.split !== 'tune') continue;
    const pcm = readAudioFile(join(espeak.dir, item.file));
    scan(
      pcm,
      new BeepDetector(config.beep, config.tones),
      new FeatureExtractor(),
      `espeak:${item.id}`,
      item.expect,
      item.beep?.endMs,
      runs,
    );
  }
  const real = loadReal(root);
  if (!real) throw new Error('real-voice corpus missing: run `npm run bench -- detect` once to build it');
  for (const item of real.items) {
    if (item.split !== 'train') continue;
    const pcm = readAudioFile(join(real.dir, item.file));
    scan(
      pcm,
      new BeepDetector(config.beep, config.tones),
      new FeatureExtractor(),
      `${item.id}~${item.aug}`,
      item.expect,
      item.beep?.endMs,
      runs,
    );
  }
  for (const kind of [true, false]) {
    const rs = runs.filter((r) => r.real === kind);
    const ps = [0, 0.5, 0.9, 0.95, 0.99, 1];
    // One line of percentiles per statistic, the first headed with the kind and count.
    const percentiles = (key: 'levelJitterDb' | 'freqSpreadPct' | 'levelDropDb' | 'vibratoPct') =>
      `${key} p${ps
        .map(
          (p) =>
            `${p * 100}=${q(
              rs.map((r) => r[key]),
              p,
            )}`,
        )
        .join(' ')}`;
    console.log(`${kind ? 'real beeps ' : 'false beeps'} n=${rs.length}  ${percentiles('levelJitterDb')}`);
    console.log(`${' '.repeat(17)}${percentiles('freqSpreadPct')}`);
    console.log(`${' '.repeat(17)}${percentiles('levelDropDb')}`);
    console.log(`${' '.repeat(17)}${percentiles('vibratoPct')}`);
    if (!kind || args.includes('-v'))
      for (const r of rs)
        console.log(
          `  ${r.id} ${r.freqHz} Hz ${r.durationMs} ms jitter ${r.levelJitterDb} dB spread ${r.freqSpreadPct} % harmonic ${r.harmonicShare} drop ${r.levelDropDb} dB vibrato ${r.vibratoPct} %`,
        );
  }
  const grid: Record<string, { real: number; false: number }> = {};
  for (const j of [0.3, 0.5, 0.75, 1, 1.5]) {
    for (const s of [1, 2, 3, 5]) {
      const ok = runs.filter((r) => r.levelJitterDb <= j && r.freqSpreadPct <= s);
      grid[`${j}dB/${s}%`] = { real: ok.filter((r) => r.real).length, false: ok.filter((r) => !r.real).length };
    }
  }
  console.log(
    JSON.stringify({
      bench: 'detect-beeps',
      realCorpusVersion: REAL_VERSION,
      keep,
      overrides: mediaOverrides(args) ?? null,
      realBeeps: runs.filter((r) => r.real).length,
      falseBeeps: runs.filter((r) => !r.real).length,
      grid,
    }),
  );
}
