/**
 * Trains the person / machine / music model of lib/media/amd-model.ts.
 *
 *   npx tsx scripts/train-amd.ts [--corpus bench/.out/real-v5] [--pitch-copies 0] [--music-augs 0] [--cv]
 *                                [--espeak bench/.out/corpus-v3|none] [--labels calls.json] [--media '<json overrides>'] [--out lib/media/amd-weights.json]
 *
 * Data: by default the "train" split of the real-voice corpus (bench/corpus/real.ts;
 * built by scripts/real-corpus.sh), clean and augmented (`--pitch-copies n` adds n
 * pitch-shifted copies of each of its persons and machines, bench/corpus/pitch-recipe.ts:
 * its three speakers are women, callers are half men; off, measured no gain, README), `--music-augs n` adds n
 * copies of each clean train music excerpt through every noise, codec and loss condition (bench/corpus/music-aug-recipe.ts;
 * off: round twenty-four measured no gain end to end, README),
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
 *
 * `--cv` also prints a grouped cross-validation before the final fit: three folds, fold k leaving out the k-th train
 * voice (its persons and machines, and every copy made from them) and the k-th train music track (and its copies);
 * the espeak and `--labels` recordings are always trained on. Per class, the held-out snapshots' recall (argmax) and
 * mean log loss, and the music recall over the augmented music only — a model change is judged on audio it was
 * not fitted to.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MODEL_CLASSES, ShapeAmd, type AmdModel, type ModelClass } from '../lib/media/amd-model';
import { readAudioFile } from '../lib/media/audio-file';
import { mediaConfig, type MediaConfig } from '../lib/media/config';
import { FeatureExtractor } from '../lib/media/features';
import { FRAME_SAMPLES } from '../lib/media/types';
import { PITCH_HIGH_CENTS, PITCH_LOW_CENTS, PITCH_LOW_SHARE, pitchPlan } from '../bench/corpus/pitch-recipe';
import { mediaOverrides } from '../bench/lib/media-overrides';
import { asModel, crossValidate, foldOf, groupOf, train, weightRows } from '../bench/lib/amd-training';
import { MUSIC_TRAIN_AUGS, musicAugPlan } from '../bench/corpus/music-aug-recipe';
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
  /** Cross-validation group: the train voice or music track it was made from; '' (always trained on) otherwise. */
  group: string;
  /** Made by an augmentation (not the clean recording): the cross-validation's music-under-conditions figure. */
  augmented: boolean;
}

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
        group: groupOf(c.base),
        augmented: aug !== 'clean',
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

/**
 * The augmented music copies of bench/corpus/music-aug-recipe.ts as examples: the clean excerpt through one noise,
 * codec or loss condition by the corpus's own augment() (noise SNR against the excerpt's active level).
 */
function musicAugExamples(corpusDir: string, items: RealItem[], copies: number): Example[] {
  let pool: ReturnType<typeof loadVoice>['prompts'] | undefined;
  const babblePool = () => (pool ??= VOICES.train.flatMap((v) => loadVoice(v).prompts));
  return musicAugPlan(items, copies).map((c) => ({
    label: 'music' as const,
    group: groupOf(c.base),
    augmented: true,
    load: () => {
      const pcm = readAudioFile(join(corpusDir, c.base.file));
      const made: Made = {
        x: Float64Array.from(pcm),
        expect: 'music',
        region: c.base.region,
        desc: c.base.desc,
        sigRms: S.rms(pcm, true) || 1,
      };
      return { pcm: augment(made, c.aug, S.rng(c.seed), c.aug === 'babble' ? babblePool() : []).pcm };
    },
  }));
}

export interface Recipe {
  corpusDir?: string;
  pitchCopies: number;
  musicAugs: number;
  espeak: string;
  labels?: string;
}

/** Every training recording of a recipe (loaded on demand), and the sentences that name them in `trainedOn`. */
export function trainingExamples(rc: Recipe): { examples: Example[]; sources: string[] } {
  const examples: Example[] = [];
  const sources: string[] = [];
  if (rc.corpusDir) {
    const corpusDir = rc.corpusDir;
    const items = (JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as RealItem[]).filter((i) => i.split === 'train');
    for (const i of items) {
      if (i.expect !== 'human' && i.expect !== 'machine' && i.expect !== 'music') continue;
      examples.push({
        label: i.expect,
        group: groupOf(i),
        augmented: i.aug !== 'clean',
        load: () => ({ pcm: readAudioFile(join(corpusDir, i.file)), ...(i.beep ? { untilMs: i.beep.endMs - i.beep.durationMs } : {}) }),
      });
    }
    sources.push(
      `real-voice corpus train split (${corpusDir.replace(/.*\//, '')}: ${examples.length} recordings, voices ${[...new Set(items.map((i) => i.base.split('-')[0]))].filter((v) => v.includes('_')).join(', ')}, clean + augmented)`,
    );
    // Off by default: round fifteen measured no gain for low voices (README, "Call analysis model"); the shipped
    // weights were trained without them.
    if (rc.pitchCopies > 0) {
      const n = examples.length;
      examples.push(...pitchExamples(corpusDir, items, rc.pitchCopies));
      sources.push(
        `${examples.length - n} pitch-shifted copies of its persons and machines (${rc.pitchCopies} per clean item, ${PITCH_LOW_SHARE * 100} % ${PITCH_LOW_CENTS.join('…')} cents, the rest +${PITCH_HIGH_CENTS.join('…+')}; clean + the siblings' augmentations)`,
      );
    }
    if (rc.musicAugs > 0) {
      const n = examples.length;
      examples.push(...musicAugExamples(corpusDir, items, rc.musicAugs));
      sources.push(
        `${examples.length - n} augmented copies of its music (${rc.musicAugs} per clean excerpt and condition: ${MUSIC_TRAIN_AUGS.join(', ')})`,
      );
    }
  }
  if (rc.espeak !== 'none') {
    const espeak = rc.espeak;
    const items = (JSON.parse(readFileSync(join(espeak, 'manifest.json'), 'utf8')) as CorpusItem[]).filter(
      (i) => i.split === 'tune' && i.phase === 'answered' && (i.expect === 'human' || i.expect === 'machine'),
    );
    for (const i of items)
      examples.push({
        label: i.expect as ModelClass,
        group: '',
        augmented: false,
        load: () => ({ pcm: readAudioFile(join(espeak, i.file)), ...(i.beep ? { untilMs: i.beep.endMs - i.beep.durationMs } : {}) }),
      });
    sources.push(`synthetic corpus tune split (${espeak.replace(/.*\//, '')}: ${items.length} persons and machines)`);
  }
  if (rc.labels) {
    const labels = rc.labels;
    const base = dirname(resolve(labels));
    const list = JSON.parse(readFileSync(labels, 'utf8')) as Array<{ file: string; label: string }>;
    for (const [k, e] of list.entries()) {
      if (!(MODEL_CLASSES as readonly string[]).includes(e.label))
        throw new Error(`${labels}[${k}].label must be one of ${MODEL_CLASSES.join(', ')}, not "${e.label}"`);
      examples.push({
        label: e.label as ModelClass,
        group: '',
        augmented: false,
        load: () => ({ pcm: readAudioFile(resolve(base, e.file)) }),
      });
    }
    sources.push(`${list.length} labelled calls from ${labels}`);
  }
  return { examples, sources };
}

function main(): void {
  const labels = arg('--labels');
  const corpusDir = arg('--corpus') ?? (labels ? undefined : realCorpusDir(join(__dirname, '..', 'bench', '.out')));
  const outFile = resolve(arg('--out') ?? join(__dirname, '..', 'lib', 'media', 'amd-weights.json'));
  const espeak =
    arg('--espeak') ?? (labels && !arg('--corpus') ? 'none' : join(__dirname, '..', 'bench', '.out', `corpus-v${GEN_VERSION}`));
  const { examples, sources } = trainingExamples({
    ...(corpusDir ? { corpusDir } : {}),
    pitchCopies: Number(arg('--pitch-copies') ?? 0),
    musicAugs: Number(arg('--music-augs') ?? 0),
    espeak,
    ...(labels ? { labels } : {}),
  });
  if (!examples.length) throw new Error('no training recordings (give --corpus and/or --labels)');
  const media = arg('--media');
  const cfg = mediaConfig(undefined, mediaOverrides(process.argv.slice(2)));
  if (media) sources.push(`features under media config ${media}`);
  const snaps = examples.map((e) => {
    const { pcm, untilMs } = e.load();
    return snapshots(pcm, untilMs, cfg);
  });
  const ys = examples.map((e) => MODEL_CLASSES.indexOf(e.label));
  if (process.argv.includes('--cv') && !examples.some((e) => foldOf(e.group) >= 0))
    console.log('--cv: no train voice or music track among the recordings, nothing to leave out');
  else if (process.argv.includes('--cv')) {
    const t = Date.now();
    const cv = crossValidate(
      examples.map((e, k) => ({ label: ys[k]!, fold: foldOf(e.group), augmented: e.augmented })),
      snaps,
    );
    console.log(JSON.stringify({ cv, seconds: Math.round((Date.now() - t) / 1000) }));
  }
  const perClass = new Array<number>(MODEL_CLASSES.length).fill(0);
  ys.forEach((y, k) => snaps[k]!.length && perClass[y]!++);
  const rows = weightRows(ys, snaps);
  const t0 = Date.now();
  const m = train(rows);
  const model: AmdModel = {
    ...asModel(m),
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
