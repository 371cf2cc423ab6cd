/**
 * The real-voice part of `npm run bench -- detect`: scores the analyser on the
 * corpus of bench/corpus/real.ts (built on first use by scripts/real-corpus.sh),
 * for `real` (train split, clean), `realHoldout` (held-out speaker/language,
 * clean) and one row per augmentation of the held-out split.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readAudioFile } from '../lib/media/audio-file';
import { analyzePcm } from '../lib/media/analyzer';
import type { MediaConfig } from '../lib/media/config';
import type { Verdict } from '../lib/media/types';
import { AUGMENTATIONS, loadReal, type RealCorpus, type RealItem } from './corpus/real';

export interface RealOutcome {
  item: RealItem;
  verdicts: Verdict[];
  predicted: string;
  correct: boolean;
  latencyMs: number | null;
}

const DECISIVE = new Set(['human', 'machine', 'notsure', 'silence', 'music', 'busy', 'sit', 'fax', 'announcement', 'beep']);

export function predicted(vs: Verdict[]): string {
  const v = vs.find((x) => DECISIVE.has(x.kind));
  if (!v) return 'none';
  if (v.kind === 'busy') return v.pattern;
  if (v.kind === 'beep') return 'machine';
  return v.kind;
}

export function judgeReal(item: RealItem, vs: Verdict[]): RealOutcome {
  const p = predicted(vs);
  let correct = p === item.expect;
  if (item.expect === 'sit') correct = vs.some((v) => v.kind === 'sit') && p === 'sit';
  const first = vs.find((x) => DECISIVE.has(x.kind));
  const latencyMs = first
    ? item.expect === 'human' && item.greetingEndMs !== undefined
      ? first.atMs - item.greetingEndMs
      : first.atMs
    : null;
  return { item, verdicts: vs, predicted: p, correct, latencyMs };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

export function summarizeReal(out: RealOutcome[], audioS: number, cpuS: number) {
  const rec = (f: (o: RealOutcome) => boolean) => {
    const xs = out.filter(f);
    return xs.length ? r3(xs.filter((o) => o.correct).length / xs.length) : null;
  };
  const tones = (o: RealOutcome) => o.item.expect === 'busy' || o.item.expect === 'reorder' || o.item.expect === 'sit';
  const beeps = out.filter((o) => o.item.beep);
  return {
    items: out.length,
    humanRecall: rec((o) => o.item.expect === 'human'),
    machineRecall: rec((o) => o.item.expect === 'machine'),
    toneAccuracy: rec(tones),
    musicAccuracy: rec((o) => o.item.expect === 'music'),
    beepRecall: beeps.length
      ? r3(
          beeps.filter((o) =>
            o.verdicts.some((v) => v.kind === 'beep' && Math.abs(v.freqHz - o.item.beep!.freqHz) <= o.item.beep!.freqHz * 0.03),
          ).length / beeps.length,
        )
      : null,
    humanAsMachine: out.filter((o) => o.item.expect === 'human' && o.predicted === 'machine').length,
    machineAsHuman: out.filter((o) => o.item.expect === 'machine' && o.predicted === 'human').length,
    notsure: out.filter((o) => o.predicted === 'notsure').length,
    humanVerdictMedianMs: median(out.filter((o) => o.item.expect === 'human' && o.correct).map((o) => o.latencyMs!)),
    audioSecondsPerCpuSecond: Math.round(audioS / cpuS),
  };
}

/** Loads the real-voice corpus, building it (and installing its packages) when missing; null when it cannot. */
export function realCorpus(root: string, log: (s: string) => void): RealCorpus | null {
  const have = loadReal(root);
  if (have) return have;
  log('real-voice corpus missing: running scripts/real-corpus.sh (installs the Debian sound packages, then builds)');
  const r = spawnSync('bash', [join(__dirname, '..', 'scripts', 'real-corpus.sh'), '--out', root], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) {
    log('real-voice corpus could not be built: real/realHoldout are null');
    return null;
  }
  return loadReal(root);
}

export function runReal(
  corpus: RealCorpus,
  config: MediaConfig,
  opts: { verbose?: boolean; log: (s: string) => void; only?: (i: RealItem) => boolean },
): Record<string, { out: RealOutcome[]; audio: number; cpu: number }> {
  const buckets: Record<string, { out: RealOutcome[]; audio: number; cpu: number }> = {};
  for (const item of corpus.items) {
    if (opts.only && !opts.only(item)) continue;
    const key = item.split === 'train' ? (item.aug === 'clean' ? 'real' : 'realTrainAugmented') : `holdout:${item.aug}`;
    const pcm = readAudioFile(join(corpus.dir, item.file));
    const c0 = process.cpuUsage();
    const vs = analyzePcm(pcm, { config, phase: 'answered', region: item.region, waitForBeep: !!item.beep });
    const c = process.cpuUsage(c0);
    const o = judgeReal(item, vs);
    const b = (buckets[key] ??= { out: [], audio: 0, cpu: 0 });
    b.out.push(o);
    b.audio += pcm.length / 8000;
    b.cpu += (c.user + c.system) / 1e6;
    if (opts.verbose && !o.correct)
      opts.log(
        `MISS ${item.id} (${item.desc}) expect ${item.expect} → ${JSON.stringify(vs.filter((v) => v.kind !== 'ringback').slice(0, 2))}`,
      );
  }
  return buckets;
}

export function realReport(corpus: RealCorpus | null, config: MediaConfig, verbose: boolean, log: (s: string) => void) {
  if (!corpus) return { real: null, realHoldout: null, realHoldoutAugmented: null };
  const b = runReal(corpus, config, { verbose, log });
  const s = (k: string) => (b[k] ? summarizeReal(b[k].out, b[k].audio, b[k].cpu) : null);
  const clean = s('holdout:clean');
  const rows = Object.fromEntries(
    AUGMENTATIONS.filter((a) => a !== 'clean').map((a) => {
      const x = s(`holdout:${a}`);
      return [
        a,
        x && {
          humanRecall: x.humanRecall,
          machineRecall: x.machineRecall,
          toneAccuracy: x.toneAccuracy,
          musicAccuracy: x.musicAccuracy,
          humanVerdictMedianMs: x.humanVerdictMedianMs,
          audioSecondsPerCpuSecond: x.audioSecondsPerCpuSecond,
        },
      ];
    }),
  );
  return { real: s('real'), realTrainAugmented: s('realTrainAugmented'), realHoldout: clean, realHoldoutAugmented: rows };
}
