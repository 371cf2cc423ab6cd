/**
 * Trains the person / machine / music model of lib/media/amd-model.ts.
 *
 *   npx tsx scripts/train-amd.ts [--corpus bench/.out/real-v5] [--pitch-copies 0] [--espeak bench/.out/corpus-v3|none] [--labels calls.json] [--media '<json overrides>'] [--out lib/media/amd-weights.json]
 *
 * Data: by default the "train" split of the real-voice corpus (bench/corpus/real.ts;
 * built by scripts/real-corpus.sh), clean and augmented (`--pitch-copies n` adds n
 * pitch-shifted copies of each of its persons and machines, bench/corpus/pitch-recipe.ts:
 * its three speakers are women, callers are half men; off, measured no gain, README),
 * plus the persons and machines of the synthetic corpus's "tune" split (bench/corpus/generate.ts:
 * espeak-ng voices, other greeting texts, Japanese). Neither held-out split is
 * ever read here. `--labels` trains on an operator's own calls instead (or as
 * well, with --corpus): a JSON array of { "file": "<recording>", "label":
 * "human"|"machine"|"music" } — e.g. the calls of the AMD confusion report
 * labelled with the agents' dispositions (README, "Call analysis model").
 *
 * Each recording is played through the same feature code as the live
 * analyser (answered audio), under the media config the detector will run (`--media`: the same overrides as
 * `npm run bench -- detect --media`, e.g. '{"vad":{"pitchTrackMs":60}}': a VAD option changes what the features see,
 * so a model meant for it is trained with it); every 100 ms after speech onset the feature
 * vector is a training example with the recording's label (machine greetings
 * stop at their beep: the beep detector decides there). Each recording weighs
 * the same and each class weighs the same. The model is a multinomial logistic
 * regression on standardised features with L2, fitted by full-batch gradient
 * descent: small, fast, readable, and less prone to fit the corpus than trees.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FEATURE_NAMES } from '../lib/media/amd-features';
import { MODEL_CLASSES, ShapeAmd, type AmdModel, type ModelClass } from '../lib/media/amd-model';
import { readAudioFile } from '../lib/media/audio-file';
import { mediaConfig, type MediaConfig } from '../lib/media/config';
import { FeatureExtractor } from '../lib/media/features';
import { FRAME_SAMPLES } from '../lib/media/types';
import { PITCH_HIGH_CENTS, PITCH_LOW_CENTS, PITCH_LOW_SHARE, pitchPlan } from '../bench/corpus/pitch-recipe';
import { mediaOverrides } from '../bench/lib/media-overrides';
import { augment, loadVoice, realCorpusDir, shiftPitch, VOICES, type Made, type RealItem } from '../bench/corpus/real';
import * as S from '../bench/corpus/synth';
import { GEN_VERSION, type CorpusItem } from '../bench/corpus/generate';

interface Example {
  /**
   * The recording, read or made on demand (the audio of thousands of examples is never held at once), and where its
   * snapshots stop (ms), e.g. at a voicemail beep.
   */
  load: () => { pcm: Int16Array; untilMs?: number };
  label: ModelClass;
}

const K = FEATURE_NAMES.length;
const SNAPSHOT_EVERY_MS = 100;
const MAX_AFTER_ONSET_MS = 8000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Feature snapshots of one recording. */
export function snapshots(pcm: Int16Array, untilMs = Infinity, cfg: MediaConfig = mediaConfig()): Float64Array[] {
  const out: Float64Array[] = [];
  const amd = new ShapeAmd(cfg.amd, cfg.vad, (t, x) => {
    if (t % SNAPSHOT_EVERY_MS === 0 && t <= untilMs && t - amd.onsetMs <= MAX_AFTER_ONSET_MS) out.push(Float64Array.from(x));
  });
  const fx = new FeatureExtractor([]);
  const frame = new Int16Array(FRAME_SAMPLES);
  const end = Math.min(pcm.length, Math.ceil(((untilMs === Infinity ? 1e9 : untilMs) * 8) / FRAME_SAMPLES) * FRAME_SAMPLES);
  for (let i = 0; i < end; i += FRAME_SAMPLES) {
    frame.fill(0);
    frame.set(pcm.subarray(i, Math.min(i + FRAME_SAMPLES, pcm.length)));
    const f = fx.compute(frame);
    amd.push(frame, f.purity, f.freqHz);
  }
  return out;
}

export function train(rows: Array<{ x: Float64Array; y: number; w: number }>, opts = { iters: 600, lr: 1, l2: 1e-3 }) {
  const n = rows.length;
  const mean = new Array<number>(K).fill(0);
  const std = new Array<number>(K).fill(0);
  let wsum = 0;
  for (const r of rows) {
    wsum += r.w;
    for (let i = 0; i < K; i++) mean[i]! += r.w * r.x[i]!;
  }
  for (let i = 0; i < K; i++) mean[i]! /= wsum;
  for (const r of rows) for (let i = 0; i < K; i++) std[i]! += r.w * (r.x[i]! - mean[i]!) ** 2;
  for (let i = 0; i < K; i++) std[i] = Math.sqrt(std[i]! / wsum) || 1;
  const Z = rows.map((r) => Float64Array.from(r.x, (v, i) => (v - mean[i]!) / std[i]!));
  const C = MODEL_CLASSES.length;
  const W = Array.from({ length: C }, () => new Float64Array(K + 1));
  const G = Array.from({ length: C }, () => new Float64Array(K + 1));
  const p = new Float64Array(C);
  let loss = 0;
  for (let it = 0; it < opts.iters; it++) {
    for (const g of G) g.fill(0);
    loss = 0;
    for (let k = 0; k < n; k++) {
      const z = Z[k]!;
      let max = -Infinity;
      for (let c = 0; c < C; c++) {
        let s = W[c]![0]!;
        for (let i = 0; i < K; i++) s += W[c]![i + 1]! * z[i]!;
        p[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += p[c] = Math.exp(p[c]! - max);
      const w = rows[k]!.w / wsum;
      for (let c = 0; c < C; c++) {
        p[c]! /= sum;
        const e = (p[c]! - (rows[k]!.y === c ? 1 : 0)) * w;
        G[c]![0]! += e;
        for (let i = 0; i < K; i++) G[c]![i + 1]! += e * z[i]!;
      }
      loss -= w * Math.log(Math.max(1e-12, p[rows[k]!.y]!));
    }
    for (let c = 0; c < C; c++) for (let i = 0; i <= K; i++) W[c]![i]! -= opts.lr * (G[c]![i]! + (i ? opts.l2 * W[c]![i]! : 0));
  }
  return { mean, std, weights: W.map((w) => Array.from(w, (v) => Math.round(v * 1e5) / 1e5)), loss };
}

/**
 * The pitch-shifted copies of bench/corpus/pitch-recipe.ts as examples: the clean recording moved by sox `pitch`, then
 * the corpus's own augmentations (noise SNR against the shifted voice's active level, as detect-noise-dev mixes it).
 * A machine's snapshots stop 40 ms before its beep: the shift moves content by −10…+40 ms.
 */
function pitchExamples(corpusDir: string, items: RealItem[], copies: number): Example[] {
  let pool: ReturnType<typeof loadVoice>['prompts'] | undefined;
  const babblePool = () => (pool ??= VOICES.train.flatMap((v) => loadVoice(v).prompts));
  const out: Example[] = [];
  for (const c of pitchPlan(items, copies)) {
    let shifted: Int16Array | undefined;
    const made = (): Made => {
      shifted ??= shiftPitch(readAudioFile(join(corpusDir, c.base.file)), c.cents);
      return {
        x: Float64Array.from(shifted),
        expect: c.base.expect,
        region: c.base.region,
        desc: c.base.desc,
        sigRms: S.rms(shifted, true) || 1,
      };
    };
    const r = S.rng(c.seed);
    const label = c.base.expect as ModelClass;
    const beepAt = c.base.beep ? c.base.beep.endMs - c.base.beep.durationMs - 40 : undefined;
    for (const aug of ['clean', ...c.augs] as const) {
      out.push({
        label,
        load: () => {
          const a = augment(made(), aug, r, aug === 'babble' ? babblePool() : []);
          // 'lead' moves the content, and the beep with it.
          return beepAt === undefined ? { pcm: a.pcm } : { pcm: a.pcm, untilMs: beepAt + a.shiftMs };
        },
      });
    }
  }
  return out;
}

function main(): void {
  const corpusDir = arg('--corpus') ?? (arg('--labels') ? undefined : realCorpusDir(join(__dirname, '..', 'bench', '.out')));
  const labels = arg('--labels');
  const outFile = resolve(arg('--out') ?? join(__dirname, '..', 'lib', 'media', 'amd-weights.json'));
  const examples: Example[] = [];
  const sources: string[] = [];
  if (corpusDir) {
    const items = (JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as RealItem[]).filter((i) => i.split === 'train');
    for (const i of items) {
      if (i.expect !== 'human' && i.expect !== 'machine' && i.expect !== 'music') continue;
      examples.push({
        label: i.expect,
        load: () => ({ pcm: readAudioFile(join(corpusDir, i.file)), ...(i.beep ? { untilMs: i.beep.endMs - i.beep.durationMs } : {}) }),
      });
    }
    sources.push(
      `real-voice corpus train split (${corpusDir.replace(/.*\//, '')}: ${examples.length} recordings, voices ${[...new Set(items.map((i) => i.base.split('-')[0]))].filter((v) => v.includes('_')).join(', ')}, clean + augmented)`,
    );
    // Off by default: round fifteen measured no gain for low voices (README, "Call analysis model"); the shipped
    // weights were trained without them.
    const copies = Number(arg('--pitch-copies') ?? 0);
    if (copies > 0) {
      const n = examples.length;
      examples.push(...pitchExamples(corpusDir, items, copies));
      sources.push(
        `${examples.length - n} pitch-shifted copies of its persons and machines (${copies} per clean item, ${PITCH_LOW_SHARE * 100} % ${PITCH_LOW_CENTS.join('…')} cents, the rest +${PITCH_HIGH_CENTS.join('…+')}; clean + the siblings' augmentations)`,
      );
    }
  }
  const espeak =
    arg('--espeak') ?? (labels && !arg('--corpus') ? 'none' : join(__dirname, '..', 'bench', '.out', `corpus-v${GEN_VERSION}`));
  if (espeak !== 'none') {
    const items = (JSON.parse(readFileSync(join(espeak, 'manifest.json'), 'utf8')) as CorpusItem[]).filter(
      (i) => i.split === 'tune' && i.phase === 'answered' && (i.expect === 'human' || i.expect === 'machine'),
    );
    for (const i of items)
      examples.push({
        label: i.expect as ModelClass,
        load: () => ({ pcm: readAudioFile(join(espeak, i.file)), ...(i.beep ? { untilMs: i.beep.endMs - i.beep.durationMs } : {}) }),
      });
    sources.push(`synthetic corpus tune split (${espeak.replace(/.*\//, '')}: ${items.length} persons and machines)`);
  }
  if (labels) {
    const base = dirname(resolve(labels));
    const list = JSON.parse(readFileSync(labels, 'utf8')) as Array<{ file: string; label: string }>;
    for (const [k, e] of list.entries()) {
      if (!(MODEL_CLASSES as readonly string[]).includes(e.label))
        throw new Error(`${labels}[${k}].label must be one of ${MODEL_CLASSES.join(', ')}, not "${e.label}"`);
      examples.push({ label: e.label as ModelClass, load: () => ({ pcm: readAudioFile(resolve(base, e.file)) }) });
    }
    sources.push(`${list.length} labelled calls from ${labels}`);
  }
  if (!examples.length) throw new Error('no training recordings (give --corpus and/or --labels)');
  const rows: Array<{ x: Float64Array; y: number; w: number }> = [];
  const perClass = new Array<number>(MODEL_CLASSES.length).fill(0);
  const media = arg('--media');
  const cfg = mediaConfig(undefined, mediaOverrides(process.argv.slice(2)));
  if (media) sources.push(`features under media config ${media}`);
  const snaps = examples.map((e) => {
    const { pcm, untilMs } = e.load();
    return snapshots(pcm, untilMs, cfg);
  });
  examples.forEach((e, k) => snaps[k]!.length && perClass[MODEL_CLASSES.indexOf(e.label)]!++);
  examples.forEach((e, k) => {
    const s = snaps[k]!;
    const y = MODEL_CLASSES.indexOf(e.label);
    for (const x of s) rows.push({ x, y, w: 1 / s.length / perClass[y]! });
  });
  const t0 = Date.now();
  const m = train(rows);
  const model: AmdModel = {
    version: 1,
    classes: [...MODEL_CLASSES],
    features: [...FEATURE_NAMES],
    mean: m.mean.map((v) => Math.round(v * 1e5) / 1e5),
    std: m.std.map((v) => Math.round(v * 1e5) / 1e5),
    weights: m.weights,
    trainedOn: sources.join('; '),
    figures: {
      recordings: Object.fromEntries(MODEL_CLASSES.map((c, i) => [c, perClass[i]])),
      snapshots: rows.length,
      weightedLogLoss: Math.round(m.loss * 1e4) / 1e4,
    },
  };
  writeFileSync(outFile, `${JSON.stringify(model, null, 1)}\n`);
  console.log(
    `trained on ${rows.length} snapshots of ${examples.length} recordings in ${((Date.now() - t0) / 1000).toFixed(1)} s; log loss ${m.loss.toFixed(4)} → ${outFile}`,
  );
}

if (require.main === module) main();
