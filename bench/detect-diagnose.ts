/**
 * Why a dev-set person fails: for every person of the real-voice corpus's
 * *train* split (clean and augmented) that the analyser gets wrong, prints the
 * verdict, the features that decided, and the model VAD's voice labels over
 * time beside those of the same recording without its augmentation. Then it
 * names the cause:
 *
 * - `vad-false-speech`: the augmented copy has voice where the clean one has
 *   none (noise or babble taken for speech), ≥ 200 ms of it;
 * - `vad-missed-speech`: the clean copy's speech is missing (quiet syllables
 *   sunk below a raised floor), ≥ 200 ms of it, so one greeting splits in bursts;
 * - `shape`: the labels agree with the clean copy (within 200 ms either way):
 *   the VAD heard what was said and the decision (rules or model) went wrong;
 * - `beep-in-speech`: the beep detector heard a beep in the voice (a held vowel), so a machine;
 * - `no-verdict`: the recording ended before any verdict.
 *
 * Only the train split is read (as detect-dev). The held-out split is never
 * looked at here.
 *
 *   npm run bench -- detect-diagnose [--media '<json overrides>'] [--all]
 *
 * Prints the per-item report on stderr and one JSON line (counts per cause and
 * augmentation) on stdout. One timeline character is 100 ms: `#` voice, `+`
 * some voice, `.` none, `|` the verdict.
 */
import { join } from 'node:path';
import { analyzePcm } from '../lib/media/analyzer';
import { ShapeAmd } from '../lib/media/amd-model';
import { readAudioFile } from '../lib/media/audio-file';
import { mediaConfig, type MediaConfig } from '../lib/media/config';
import { FeatureExtractor } from '../lib/media/features';
import { FRAME_MS, FRAME_SAMPLES } from '../lib/media/types';
import { REAL_VERSION, type RealItem } from './corpus/real';
import { judgeReal, realCorpus } from './detect-real';
import { mediaOverrides } from './lib/media-overrides';

interface Trace {
  /** Voice labels (retroactive, as the decision saw them) per 20 ms frame from answer. */
  labels: Uint8Array;
  floorDb: number;
  thresholdDb: number;
  peakDb: number;
  verdictMs: number;
  samples: number;
}

/** Plays a recording through the model decider's VAD and returns its labels at the verdict (or the end). */
function trace(pcm: Int16Array, cfg: MediaConfig): Trace {
  const amd = new ShapeAmd(cfg.amd, cfg.vad);
  const fx = new FeatureExtractor([]);
  const frame = new Int16Array(FRAME_SAMPLES);
  let t = 0;
  for (let i = 0; i < pcm.length && !amd.decided; i += FRAME_SAMPLES) {
    frame.fill(0);
    frame.set(pcm.subarray(i, Math.min(i + FRAME_SAMPLES, pcm.length)));
    const f = fx.compute(frame);
    amd.push(frame, f.purity, f.freqHz);
    t += FRAME_MS;
  }
  const v = amd.vad;
  const labels = v.label(new Uint8Array(v.n)).slice(0, v.n);
  return { labels, floorDb: v.floorDb, thresholdDb: v.thresholdDb, peakDb: v.peakDb, verdictMs: t, samples: pcm.length };
}

/** Labels shifted by `shiftFrames` (leading silence added by the augmentation) to line up with the clean copy. */
function aligned(l: Uint8Array, shiftFrames: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = l[i + shiftFrames] ?? 0;
  return out;
}

function timeline(l: Uint8Array, verdictFrame: number): string {
  let s = '';
  for (let i = 0; i < l.length; i += 5) {
    let v = 0;
    for (let j = i; j < Math.min(i + 5, l.length); j++) v += l[j]!;
    s += v >= 3 ? '#' : v > 0 ? '+' : '.';
    if (verdictFrame >= i && verdictFrame < i + 5) s += '|';
  }
  return s;
}

export default function main(args: string[]): void {
  const overrides = mediaOverrides(args);
  const corpus = realCorpus(join(__dirname, '.out'), (s) => console.error(s));
  if (!corpus) throw new Error('real-voice corpus missing (bash scripts/real-corpus.sh)');
  const cfg = mediaConfig(undefined, overrides);
  const items = corpus.items.filter((i) => i.split === 'train' && (args.includes('--all') || i.expect === 'human'));
  const byId = new Map(items.map((i) => [i.id, i]));
  const cleanTrace = new Map<string, Trace>();
  const cleanOf = (i: RealItem): Trace => {
    let t = cleanTrace.get(i.base);
    if (!t) cleanTrace.set(i.base, (t = trace(readAudioFile(join(corpus.dir, byId.get(i.base)!.file)), cfg)));
    return t;
  };
  const counts: Record<string, Record<string, number>> = {};
  let persons = 0;
  for (const item of items) {
    const pcm = readAudioFile(join(corpus.dir, item.file));
    const vs = analyzePcm(pcm, { config: cfg, phase: 'answered', region: item.region, waitForBeep: !!item.beep });
    const o = judgeReal(item, vs);
    if (item.expect === 'human') persons++;
    if (o.correct) continue;
    const mine = trace(pcm, cfg);
    const clean = cleanOf(item);
    // The lead augmentation puts silence before the item: align on the clean copy's timeline.
    const shift = item.aug === 'lead' ? Math.max(0, Math.round((pcm.length - clean.samples) / FRAME_SAMPLES)) : 0;
    const n = Math.max(clean.labels.length, mine.labels.length - shift);
    const a = aligned(mine.labels, shift, n);
    const c = aligned(clean.labels, 0, n);
    let falseSpeech = 0;
    let missed = 0;
    for (let i = 0; i < n; i++) {
      if (a[i] && !c[i]) falseSpeech++;
      if (c[i] && !a[i]) missed++;
    }
    const first = vs.find((v) => v.kind !== 'ringback');
    const cause = !first
      ? 'no-verdict'
      : first.kind === 'machine' && first.reason?.startsWith('beep')
        ? 'beep-in-speech'
        : falseSpeech * FRAME_MS >= 200
          ? 'vad-false-speech'
          : missed * FRAME_MS >= 200
            ? 'vad-missed-speech'
            : 'shape';
    (counts[item.aug] ??= {})[cause] = (counts[item.aug]![cause] ?? 0) + 1;
    console.error(`${item.id} [${item.desc}] expect ${item.expect} → ${o.predicted}: ${cause}`);
    console.error(`  verdict   ${JSON.stringify(first ?? null)}`);
    console.error(
      `  this      ${timeline(a, Math.round(mine.verdictMs / FRAME_MS) - 1 - shift)}  floor ${mine.floorDb.toFixed(1)} thr ${mine.thresholdDb.toFixed(1)} peak ${mine.peakDb.toFixed(1)} dBFS`,
    );
    if (item.aug !== 'clean')
      console.error(
        `  clean     ${timeline(c, Math.round(clean.verdictMs / FRAME_MS) - 1)}  floor ${clean.floorDb.toFixed(1)} thr ${clean.thresholdDb.toFixed(1)} peak ${clean.peakDb.toFixed(1)} dBFS`,
      );
    console.error(
      `  voice not in clean ${falseSpeech * FRAME_MS} ms, clean voice missed ${missed * FRAME_MS} ms; pcm ${pcm.length / 8} ms`,
    );
  }
  console.log(
    JSON.stringify({ bench: 'detect-diagnose', realCorpusVersion: REAL_VERSION, overrides: overrides ?? null, persons, failures: counts }),
  );
}

if (require.main === module) main(process.argv.slice(2));
