/**
 * Detection accuracy and cost on the labelled corpus (bench/corpus):
 * confusion matrix, per-class precision/recall, verdict latency, audio seconds
 * analysed per CPU second, for the "tune" and "holdout" splits and overall.
 * Then the real-voice corpus (bench/detect-real.ts; built on first use by
 * scripts/real-corpus.sh, which installs its Debian packages): `real` (train
 * voices, clean), `realHoldout` (held-out speaker and language, clean) and
 * `realHoldoutAugmented` (one row per augmentation of the held-out split).
 * Usage: npm run bench -- detect [--split tune|holdout] [--verbose] [--no-real] [--media '<json overrides>']
 * Last line: JSON with humanRecall, machineRecall, toneAccuracy,
 * announcementAccuracy, humanVerdictMedianMs, humanVerdictP95Ms, audioSecondsPerCpuSecond,
 * holdout, real, realHoldout, realHoldoutAugmented.
 */
import { join } from 'node:path';
import { readAudioFile } from '../lib/media/audio-file';
import { AnnouncementLibrary } from '../lib/media/announcements';
import { analyzePcm } from '../lib/media/analyzer';
import { mediaConfig } from '../lib/media/config';
import type { Verdict } from '../lib/media/types';
import { loadOrGenerate, type CorpusItem } from './corpus/generate';
import { REAL_VERSION } from './corpus/real';
import { realCorpus, realReport } from './detect-real';
import { mediaOverrides } from './lib/media-overrides';

interface Outcome {
  item: CorpusItem;
  verdicts: Verdict[];
  predicted: string;
  correct: boolean;
  /** ms: persons from the end of the greeting, others from the start of the audio. */
  latencyMs: number | null;
  spuriousTone: boolean;
  spuriousAnnouncement: boolean;
}

const TONE_KINDS = new Set(['sit', 'fax', 'busy', 'beep']);

function predictedClass(vs: Verdict[]): string {
  const v = vs.find((x) => x.kind !== 'ringback' && x.kind !== 'beep') ?? vs.find((x) => x.kind === 'beep');
  if (!v) return vs.some((x) => x.kind === 'ringback') ? 'ringback' : 'none';
  if (v.kind === 'busy') return v.pattern;
  return v.kind;
}

function judge(item: CorpusItem, vs: Verdict[]): Outcome {
  const predicted = predictedClass(vs);
  const first = vs.find((x) => x.kind !== 'ringback');
  let correct = predicted === item.expect;
  if (item.expect === 'sit') correct = vs.some((v) => v.kind === 'sit' && v.code === item.sitCode) && predicted === 'sit';
  if (item.expect === 'announcement')
    correct = predicted === 'announcement' && vs.some((v) => v.kind === 'announcement' && v.class === item.announcementClass);
  if (item.expect === 'ringback') correct = vs.some((v) => v.kind === 'ringback') && predicted === 'ringback';
  if (item.expect === 'machine' && item.beep) {
    const b = vs.find((v): v is Extract<Verdict, { kind: 'beep' }> => v.kind === 'beep');
    correct = predicted === 'machine' && !!b && Math.abs(b.freqHz - item.beep.freqHz) <= item.beep.freqHz * 0.03;
  }
  const nonTone =
    item.expect === 'human' ||
    item.expect === 'machine' ||
    item.expect === 'none' ||
    item.expect === 'announcement' ||
    item.expect === 'silence';
  const spuriousTone = nonTone && vs.some((v) => TONE_KINDS.has(v.kind) && !(v.kind === 'beep' && item.beep));
  const spuriousAnnouncement = item.expect !== 'announcement' && item.expect !== 'sit' && vs.some((v) => v.kind === 'announcement');
  let latencyMs: number | null = null;
  if (first) latencyMs = item.expect === 'human' && item.greetingEndMs !== undefined ? first.atMs - item.greetingEndMs : first.atMs;
  return { item, verdicts: vs, predicted, correct, latencyMs, spuriousTone, spuriousAnnouncement };
}

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function summarize(out: Outcome[], audioSeconds: number, cpuSeconds: number) {
  const of = (e: string) => out.filter((o) => o.item.expect === e);
  const recall = (e: string) => {
    const xs = of(e);
    return xs.length ? xs.filter((o) => o.correct).length / xs.length : NaN;
  };
  const toneItems = out.filter((o) => ['sit', 'fax', 'busy', 'reorder', 'ringback'].includes(o.item.expect) || o.item.beep);
  const spurious = out.filter((o) => o.spuriousTone).length;
  const toneOk = toneItems.filter(
    (o) =>
      o.correct ||
      (o.item.beep && o.verdicts.some((v) => v.kind === 'beep' && Math.abs(v.freqHz - o.item.beep!.freqHz) <= o.item.beep!.freqHz * 0.03)),
  ).length;
  const annItems = out.filter((o) => o.item.expect === 'announcement' || (o.item.expect === 'none' && o.item.id.includes('ann-unknown')));
  const humanLat = of('human')
    .filter((o) => o.predicted === 'human')
    .map((o) => o.latencyMs!);
  return {
    items: out.length,
    humanRecall: r3(recall('human')),
    machineRecall: r3(recall('machine')),
    toneAccuracy: r3(toneOk / (toneItems.length + spurious)),
    spuriousTones: spurious,
    announcementAccuracy: r3(annItems.filter((o) => o.correct).length / annItems.length),
    spuriousAnnouncements: out.filter((o) => o.spuriousAnnouncement).length,
    humanVerdictMedianMs: pct(humanLat, 50),
    humanVerdictP95Ms: pct(humanLat, 95),
    audioSecondsPerCpuSecond: Math.round(audioSeconds / cpuSeconds),
  };
}

function printTables(title: string, out: Outcome[]): void {
  const labels = [...new Set(out.map((o) => o.item.expect))];
  const preds = [...new Set([...labels, ...out.map((o) => o.predicted)])];
  console.log(`\n== ${title}: confusion matrix (rows: truth, columns: first verdict) ==`);
  console.log(['truth\\pred'.padEnd(13), ...preds.map((p) => p.slice(0, 8).padStart(9))].join(''));
  for (const l of labels) {
    console.log(
      [
        l.padEnd(13),
        ...preds.map((p) => String(out.filter((o) => o.item.expect === l && o.predicted === p).length || '.').padStart(9)),
      ].join(''),
    );
  }
  console.log(
    `\n${'class'.padEnd(13)}${'n'.padStart(5)}${'precision'.padStart(11)}${'recall'.padStart(9)}${'lat p50'.padStart(9)}${'lat p95'.padStart(9)}`,
  );
  for (const l of labels) {
    const truth = out.filter((o) => o.item.expect === l);
    const predictedAs = out.filter((o) => o.predicted === l);
    const tp = truth.filter((o) => o.correct).length;
    const lat = truth.filter((o) => o.correct && o.latencyMs !== null).map((o) => o.latencyMs!);
    const prec = predictedAs.length ? predictedAs.filter((o) => o.correct).length / predictedAs.length : NaN;
    console.log(
      `${l.padEnd(13)}${String(truth.length).padStart(5)}${prec.toFixed(3).padStart(11)}${(tp / truth.length).toFixed(3).padStart(9)}${String(pct(lat, 50)).padStart(9)}${String(pct(lat, 95)).padStart(9)}`,
    );
  }
}

export default async function main(args: string[]): Promise<void> {
  const verbose = args.includes('--verbose');
  const onlySplit = args.includes('--split') ? args[args.indexOf('--split') + 1] : undefined;
  const root = join(__dirname, '.out');
  const corpus = await loadOrGenerate(root, (s) => console.log(s));
  const library = AnnouncementLibrary.load(corpus.announcementsDir);
  // --media '<json>': media config overrides (e.g. {"amd":{"decider":"rules"}} for the app_amd-style rules).
  const config = mediaConfig(undefined, mediaOverrides(args));
  const items = corpus.items.filter((i) => !onlySplit || i.split === onlySplit);
  const pcms = items.map((i) => readAudioFile(join(corpus.dir, i.file)));
  const results: Record<string, { out: Outcome[]; audio: number; cpu: number }> = {};
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const pcm = pcms[k]!;
    const c0 = process.cpuUsage();
    const vs = analyzePcm(pcm, {
      config,
      phase: item.phase,
      region: item.region ?? 'NA',
      waitForBeep: item.waitForBeep ?? false,
      announcements: library,
    });
    const c = process.cpuUsage(c0);
    const o = judge(item, vs);
    const bucket = (results[item.split] ??= { out: [], audio: 0, cpu: 0 });
    bucket.out.push(o);
    bucket.audio += pcm.length / 8000;
    bucket.cpu += (c.user + c.system) / 1e6;
    if (verbose && o.correct && item.expect === 'human' && (o.latencyMs ?? 0) > 1500)
      console.log(`SLOW ${item.id} (${item.desc}) ${o.latencyMs} ms after greeting → ${JSON.stringify(vs)}`);
    if (verbose && (!o.correct || o.spuriousTone || o.spuriousAnnouncement))
      console.log(`MISS ${item.id} (${item.desc}) expect ${item.expect} → ${JSON.stringify(vs)}`);
  }
  const all = Object.values(results).flatMap((r) => r.out);
  const audio = Object.values(results).reduce((s, r) => s + r.audio, 0);
  const cpu = Object.values(results).reduce((s, r) => s + r.cpu, 0);
  for (const [split, r] of Object.entries(results)) printTables(`${split} (${r.out.length} items)`, r.out);
  const perSplit = Object.fromEntries(Object.entries(results).map(([s, r]) => [s, summarize(r.out, r.audio, r.cpu)]));
  console.log('\nper split:', JSON.stringify(perSplit));
  console.log(`audio analysed: ${audio.toFixed(0)} s in ${cpu.toFixed(2)} CPU s`);
  const real = args.includes('--no-real')
    ? null
    : realReport(
        realCorpus(root, (s) => console.log(s)),
        config,
        verbose,
        (s) => console.log(s),
      );
  if (real?.realHoldoutAugmented) {
    console.log('\n== real-voice held-out split, per augmentation ==');
    console.log(
      `${'augmentation'.padEnd(20)}${'human'.padStart(8)}${'machine'.padStart(9)}${'tones'.padStart(7)}${'music'.padStart(7)}${'p50 ms'.padStart(8)}`,
    );
    const rows: Array<
      [
        string,
        {
          humanRecall: number | null;
          machineRecall: number | null;
          toneAccuracy: number | null;
          musicAccuracy: number | null;
          humanVerdictMedianMs: number | null;
        } | null,
      ]
    > = [['clean', real.realHoldout], ...Object.entries(real.realHoldoutAugmented)];
    for (const [k, v] of rows)
      console.log(
        `${k.padEnd(20)}${String(v?.humanRecall).padStart(8)}${String(v?.machineRecall).padStart(9)}${String(v?.toneAccuracy).padStart(7)}${String(v?.musicAccuracy).padStart(7)}${String(v?.humanVerdictMedianMs).padStart(8)}`,
      );
  }
  console.log(
    JSON.stringify({
      bench: 'detect',
      corpusVersion: corpus.dir.replace(/.*corpus-v/, ''),
      // The real-voice corpus has its own recipe version (bench/corpus/real.ts); null when it was not built.
      realCorpusVersion: real ? REAL_VERSION : null,
      ...summarize(all, audio, cpu),
      holdout: perSplit.holdout ?? null,
      ...(real ?? {}),
    }),
  );
}
