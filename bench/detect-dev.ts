/**
 * The dev set for tuning call analysis: the real-voice corpus's *train* split
 * only (its clean items and their augmented copies: white, pink, brown and
 * babble noise at 5–30 dB SNR, level, codecs, loss, leading silence). The
 * held-out split is never read here, so a choice made on these figures is
 * not tuned on the figures `npm run bench -- detect` reports for it.
 *
 *   npm run bench -- detect-dev [--media '<json overrides>'] [--verbose]
 *
 * Prints one JSON line: person / machine / music recall and the median person verdict time after the greeting
 * (`personMedianMs`) per augmentation.
 */
import { join } from 'node:path';
import { mediaConfig } from '../lib/media/config';
import { REAL_VERSION } from './corpus/real';
import { median, realCorpus, runReal, type RealOutcome } from './detect-real';
import { mediaOverrides } from './lib/media-overrides';

export default function main(args: string[]): void {
  const overrides = mediaOverrides(args);
  const corpus = realCorpus(join(__dirname, '.out'), (s) => console.error(s));
  if (!corpus) throw new Error('real-voice corpus missing (bash scripts/real-corpus.sh)');
  const config = mediaConfig(undefined, overrides);
  const b = runReal(corpus, config, {
    verbose: args.includes('--verbose'),
    log: (s) => console.error(s),
    only: (i) => i.split === 'train',
  });
  const out: RealOutcome[] = [...(b.real?.out ?? []), ...(b.realTrainAugmented?.out ?? [])];
  const r = (xs: RealOutcome[]) => (xs.length ? Math.round((1000 * xs.filter((o) => o.correct).length) / xs.length) / 10 : null);
  const rows: Record<string, unknown> = {};
  for (const aug of [...new Set(out.map((o) => o.item.aug))].sort()) {
    const xs = out.filter((o) => o.item.aug === aug);
    rows[aug] = {
      n: xs.length,
      person: r(xs.filter((o) => o.item.expect === 'human')),
      machine: r(xs.filter((o) => o.item.expect === 'machine')),
      music: r(xs.filter((o) => o.item.expect === 'music')),
      // Person verdict after the end of the greeting (median, ms), as detect reports it: a longer wait shows here.
      personMedianMs: median(xs.filter((o) => o.item.expect === 'human' && o.correct).map((o) => o.latencyMs!)),
    };
  }
  const noisy = out.filter((o) => ['white', 'pink', 'brown', 'babble'].includes(o.item.aug));
  const audio = (b.real?.audio ?? 0) + (b.realTrainAugmented?.audio ?? 0);
  const cpu = (b.real?.cpu ?? 0) + (b.realTrainAugmented?.cpu ?? 0);
  console.log(
    JSON.stringify({
      bench: 'detect-dev',
      realCorpusVersion: REAL_VERSION,
      overrides: overrides ?? null,
      noisePerson: r(noisy.filter((o) => o.item.expect === 'human')),
      noiseMachine: r(noisy.filter((o) => o.item.expect === 'machine')),
      audioSecondsPerCpuSecond: Math.round(audio / cpu),
      rows,
    }),
  );
}

if (require.main === module) main(process.argv.slice(2));
