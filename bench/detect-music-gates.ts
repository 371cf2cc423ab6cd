/**
 * Which gate refuses music under a line condition: every music piece of the train/dev sets that the analyser calls
 * music on the clean line is played again through GSM 06.10, packet loss and pink/brown noise (the held-out rows'
 * conditions), and each run that is then not called music is put down to the first failing bar of the route that
 * called its clean copy music (lib/media/amd-model.ts musicGates, read at the frame of the wrong verdict), with what
 * it was called instead (bench/lib/verdict-path.ts; `human (noisy-line wait)`: a person given at the end of a noisy
 * line's longer pause, amd-model.ts `pending`). bench/lib/music-gates.ts tabulates gate → count per cell and per
 * augmentation family.
 *
 *   npm run bench -- detect-music-gates [--set wide|synth|real|all] [--codec gsm] [--loss 1,3,5] [--noise pink,brown]
 *                                       [--snr 5,10] [--per-track 2] [--media '<json>'] [--verbose]
 *
 * Sets: `wide` (detect-music-dev's real recorded excerpts, four Debian packages), `synth` (music-dev's synthesised
 * pieces), `real` (the real-voice corpus's *train* hold music, clean items), `all` (the three). Hold messages are left
 * out: the question is music refused. `--verbose` lists every refused run on stderr with all four routes' gates and the
 * wrong verdict's reason. Prints one JSON line. The held-out split and its music are never read.
 */
import { join } from 'node:path';
import type { MusicRoute, ShapeAmd } from '../lib/media/amd-model';
import { analyzePcm } from '../lib/media/analyzer';
import { readAudioFile } from '../lib/media/audio-file';
import { mediaConfig } from '../lib/media/config';
import type { Verdict } from '../lib/media/types';
import { musicDevSet } from './corpus/music-dev';
import { musicWideSet } from './corpus/music-wide';
import { codec, CODECS, colored, loadVoice, VOICES, type Codec } from './corpus/real';
import * as S from './corpus/synth';
import { list, wideTracks } from './detect-music-dev';
import { predicted, realCorpus } from './detect-real';
import { mediaOverrides } from './lib/media-overrides';
import { tabulate, type Refusal } from './lib/music-gates';
import { verdictPath } from './lib/verdict-path';

interface Run {
  verdicts: Verdict[];
  route: MusicRoute | 'guess' | '';
  gates: Record<MusicRoute, string>;
  atMs: number | null;
}

/** The verdict path (bench/lib/verdict-path.ts), a person the noisy line's wait gave (ShapeAmd `pending`) told apart. */
function calledPath(vs: Verdict[]): string {
  const path = verdictPath(vs);
  const v = vs.find((x) => x.kind === 'human');
  return path === 'human' && v && 'reason' in v && v.reason.endsWith('(noisy line)') ? 'human (noisy-line wait)' : path;
}

export default function main(args: string[]): void {
  const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : undefined);
  const overrides = mediaOverrides(args);
  const config = mediaConfig(undefined, overrides);
  const set = arg('--set') ?? 'wide';
  if (!['synth', 'wide', 'real', 'all'].includes(set)) throw new Error(`--set ${set}: one of synth, wide, real, all`);
  const codecs = list(args, '--codec', ['gsm'] as Codec[], (s) => {
    if (!(CODECS as readonly string[]).includes(s)) throw new Error(`--codec: ${s} is not one of ${CODECS.join(', ')}`);
    return s as Codec;
  });
  const losses = list(args, '--loss', [1, 3, 5], Number);
  const noises = list(args, '--noise', ['pink', 'brown'] as const, (s) => {
    if (!['white', 'pink', 'brown'].includes(s)) throw new Error(`--noise: ${s} is not one of white, pink, brown`);
    return s as 'white' | 'pink' | 'brown';
  });
  const snrs = list(args, '--snr', [5, 10], Number);
  const verbose = args.includes('--verbose');

  const prompts = VOICES.train.flatMap((v) => loadVoice(v).prompts.map((c) => c.x));
  const items: Array<{ id: string; source: string; desc: string; pcm: Int16Array }> = [];
  if (set === 'synth' || set === 'all')
    items.push(
      ...musicDevSet(prompts, 0)
        .filter((i) => i.kind === 'music')
        .map((i) => ({ ...i, source: 'synth' })),
    );
  if (set === 'wide' || set === 'all')
    items.push(...musicWideSet(wideTracks(), prompts, Number(arg('--per-track') ?? 2), 0).filter((i) => i.kind === 'music'));
  if (set === 'real' || set === 'all') {
    const corpus = realCorpus(join(__dirname, '.out'), (s) => console.error(s));
    if (!corpus) throw new Error('real-voice corpus missing (bash scripts/real-corpus.sh)');
    for (const i of corpus.items.filter((x) => x.split === 'train' && x.aug === 'clean' && x.expect === 'music'))
      items.push({ id: i.id, source: 'real', desc: i.desc, pcm: readAudioFile(join(corpus.dir, i.file)) });
  }

  const play = (pcm: Int16Array): Run => {
    let shape: ShapeAmd | null = null;
    const verdicts = analyzePcm(pcm, { config, phase: 'answered', region: 'NA', onShape: (s) => (shape = s) });
    const s = shape as ShapeAmd | null;
    const p = predicted(verdicts);
    return {
      verdicts,
      route: s?.musicRoute ?? '',
      gates: { ...(s?.musicGates ?? { line: '', sunk: '', model: '', unpitched: '' }) },
      atMs: verdicts.find((v) => v.kind === p || (p === 'machine' && v.kind === 'beep'))?.atMs ?? null,
    };
  };

  const runs: Record<string, number> = {};
  const refusals: Refusal[] = [];
  const cleanRoutes: Record<string, number> = {};
  let cleanWrong = 0;
  let seed = 1;
  let lossSeed = 1;
  const t0 = Date.now();
  for (const [k, item] of items.entries()) {
    if (k > 0 && k % 10 === 0) console.error(`# ${k}/${items.length} pieces, ${Math.round((Date.now() - t0) / 1000)} s`);
    const clean = play(item.pcm);
    if (predicted(clean.verdicts) !== 'music' || !clean.route) {
      cleanWrong++;
      continue;
    }
    cleanRoutes[clean.route] = (cleanRoutes[clean.route] ?? 0) + 1;
    const judge = (row: string, pcm: Int16Array) => {
      runs[row] = (runs[row] ?? 0) + 1;
      const r = play(pcm);
      if (predicted(r.verdicts) === 'music') return;
      const refusal: Refusal = {
        row,
        route: clean.route as MusicRoute | 'guess',
        gates: r.gates,
        called: calledPath(r.verdicts),
        early: r.atMs !== null && clean.atMs !== null && r.atMs < clean.atMs,
      };
      refusals.push(refusal);
      if (verbose) {
        const v = r.verdicts.find((x) => x.kind !== 'ringback');
        const why = v && 'reason' in v ? v.reason : '';
        console.error(
          `${row.padEnd(9)} ${item.id} (${item.source} ${item.desc}) clean ${clean.route} at ${clean.atMs} ms → ${refusal.called} at ${r.atMs ?? '-'} ms: ${why} | gates ${JSON.stringify(r.gates)}`,
        );
      }
    };
    for (const c of codecs) judge(c, codec(item.pcm, c));
    for (const pct of losses) {
      const r = S.rng(lossSeed++ * 7919);
      const pcm = Int16Array.from(item.pcm);
      for (let i = 0; i < pcm.length; i += 160) if (r() < pct / 100) pcm.fill(0, i, Math.min(pcm.length, i + 160));
      judge(`loss${pct}%`, pcm);
    }
    const sig = S.rms(item.pcm, true) || 1;
    const durMs = S.durationMs(item.pcm);
    for (const kind of noises)
      for (const snr of snrs) {
        const r = S.rng(seed++ * 104729);
        const nz = colored(kind, durMs, r);
        const g = sig / Math.pow(10, snr / 20);
        judge(`${kind}@${snr}`, S.toInt16(Float64Array.from(item.pcm, (v, i) => v + g * (nz[i] ?? 0))));
      }
  }
  const { rows, families } = tabulate(runs, refusals);
  console.log(
    JSON.stringify({
      bench: 'detect-music-gates',
      set,
      overrides: overrides ?? null,
      pieces: items.length,
      cleanMusic: items.length - cleanWrong,
      cleanRoutes,
      families,
      rows,
    }),
  );
}

if (require.main === module) main(process.argv.slice(2));
