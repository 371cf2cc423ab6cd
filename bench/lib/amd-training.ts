/**
 * The fit and the grouped cross-validation of the person / machine / music model (scripts/train-amd.ts): pure, no
 * audio read here. See the script's header for the recipe and the README ("Call analysis model") for the figures.
 */
import { FEATURE_NAMES } from '../../lib/media/amd-features';
import { MODEL_CLASSES, predict, type AmdModel, type ModelClass } from '../../lib/media/amd-model';
import { MUSIC, VOICES, type RealItem } from '../corpus/real';

const K = FEATURE_NAMES.length;

/**
 * Multinomial logistic regression on standardised features with L2, fitted by full-batch gradient descent on
 * weighted rows (each row's weight `w`; see weightRows).
 */
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

/** The cross-validation group of a train item: its voice (persons, machines) or its music track; '' otherwise. */
export function groupOf(item: Pick<RealItem, 'base' | 'expect'>): string {
  const names: readonly string[] =
    item.expect === 'music' ? MUSIC.train : item.expect === 'human' || item.expect === 'machine' ? VOICES.train : [];
  return names.find((n) => item.base.startsWith(`${n}-`)) ?? '';
}

/** The fold a group is left out in: the k-th voice and the k-th music track share fold k; -1: always trained on. */
export function foldOf(group: string): number {
  const v = (VOICES.train as readonly string[]).indexOf(group);
  return v >= 0 ? v : (MUSIC.train as readonly string[]).indexOf(group);
}

/** Each recording weighs the same, and each class: a snapshot weighs 1 / (its recording's snapshots × its class's recordings). */
export function weightRows(
  labels: readonly number[],
  snaps: readonly Float64Array[][],
): Array<{ x: Float64Array; y: number; w: number; k: number }> {
  const perClass = new Array<number>(MODEL_CLASSES.length).fill(0);
  labels.forEach((y, k) => snaps[k]!.length && perClass[y]!++);
  const rows: Array<{ x: Float64Array; y: number; w: number; k: number }> = [];
  labels.forEach((y, k) => {
    for (const x of snaps[k]!) rows.push({ x, y, w: 1 / snaps[k]!.length / perClass[y]!, k });
  });
  return rows;
}

export function asModel(m: ReturnType<typeof train>): AmdModel {
  return {
    version: 1,
    classes: [...MODEL_CLASSES],
    features: [...FEATURE_NAMES],
    mean: m.mean.map((v) => Math.round(v * 1e5) / 1e5),
    std: m.std.map((v) => Math.round(v * 1e5) / 1e5),
    weights: m.weights,
  };
}

export interface CvFigures {
  /** Per class: held-out snapshots called that class (argmax), each recording weighing the same. */
  recall: Record<ModelClass, number>;
  /** Per class: mean log loss of the held-out snapshots, each recording weighing the same. */
  logLoss: Record<ModelClass, number>;
  /** Held-out music snapshots of augmented recordings (noise, codecs, loss, level) called music. */
  augmentedMusicRecall: number;
}

/**
 * Grouped cross-validation (see the header): fold k trains on every recording whose fold is not k and scores those
 * whose fold is k; the figures sum over the folds. Recordings of fold −1 are always trained on.
 */
export function crossValidate(
  meta: ReadonlyArray<{ label: number; fold: number; augmented: boolean }>,
  snaps: readonly Float64Array[][],
  opts?: Parameters<typeof train>[1],
): CvFigures {
  const C = MODEL_CLASSES.length;
  const hit = new Array<number>(C).fill(0);
  const loss = new Array<number>(C).fill(0);
  const n = new Array<number>(C).fill(0);
  let augHit = 0;
  let augN = 0;
  const folds = [...new Set(meta.map((m) => m.fold))].filter((f) => f >= 0).sort();
  const probs = new Float64Array(C);
  for (const f of folds) {
    const tr = meta.map((m, k) => k).filter((k) => meta[k]!.fold !== f);
    const model = asModel(
      train(
        weightRows(
          tr.map((k) => meta[k]!.label),
          tr.map((k) => snaps[k]!),
        ),
        opts,
      ),
    );
    meta.forEach((m, k) => {
      const s = snaps[k]!;
      if (m.fold !== f || !s.length) return;
      let h = 0;
      let l = 0;
      for (const x of s) {
        predict(model, x, probs);
        let best = 0;
        for (let c = 1; c < C; c++) if (probs[c]! > probs[best]!) best = c;
        if (best === m.label) h++;
        l -= Math.log(Math.max(1e-12, probs[m.label]!));
      }
      hit[m.label]! += h / s.length;
      loss[m.label]! += l / s.length;
      n[m.label]!++;
      if (m.label === MODEL_CLASSES.indexOf('music') && m.augmented) {
        augHit += h / s.length;
        augN++;
      }
    });
  }
  const per = (a: number[]) =>
    Object.fromEntries(MODEL_CLASSES.map((c, i) => [c, n[i] ? Math.round((1e4 * a[i]!) / n[i]!) / 1e4 : 0])) as Record<ModelClass, number>;
  return { recall: per(hit), logLoss: per(loss), augmentedMusicRecall: augN ? Math.round((1e4 * augHit) / augN) / 1e4 : 0 };
}
