/**
 * Music that is not our three train tracks: the varied dev set of bench/corpus/music-dev.ts (18 synthesised pieces,
 * every timbre × texture, and hold messages: a train voice's prompt spoken over a piece), clean and through every
 * line condition the held-out rows measure: white, pink, brown and babble noise (SNR against the active audio, as
 * detect-noise-dev), μ-law / A-law / GSM round trips, and 20 ms packets lost at random (played as zeros).
 *
 *   npm run bench -- detect-music-dev [--media '<json>'] [--against '<json>' | '[<json>, …]'] [--snr 5,10,20]
 *                                     [--noise white,pink,brown,babble|none] [--loss 1,3,5] [--messages 12] [--verbose]
 *                                     [--set synth|wide|all] [--per-track 2] [--wide-messages 3]
 *
 * `--set wide` runs the wide set of real recorded music instead (bench/corpus/music-wide.ts: excerpts of four Debian
 * packages' orchestral, ambient, electronic, blues and rock tracks, `--per-track` excerpts of each and
 * `--wide-messages` hold messages per package; its cache is built by scripts/music-wide.sh on first use), `all` both;
 * the JSON line then adds a row per package (`sources`).
 *
 * Prints one JSON line: `music` (pieces called music) and `messagePerson` (hold messages called a person: must stay
 * 0; music or machine is right for them) per cell and summed over noise, codec and loss cells, with `wrong`: the
 * pieces not called music, counted by the verdict they got and its path (`machine (beep)`: a beep after the music's
 * first notes; `(guess)`: the model's best guess when the analysis time ran out; bench/lib/verdict-path.ts). `--against` runs the
 * same audio under more configurations and counts the runs whose verdict or its time changed (`DIFF k` on stderr).
 * `--verbose` lists every piece not called music and every message called a person, with the verdict's reason and
 * features. The held-out music and speaker are never read.
 */
import { analyzePcm } from '../lib/media/analyzer';
import { mediaConfig, type MediaConfig } from '../lib/media/config';
import type { Verdict } from '../lib/media/types';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { musicDevSet } from './corpus/music-dev';
import { loadMusicWide, musicWideSet } from './corpus/music-wide';
import { babble, codec, CODECS, colored, loadVoice, VOICES } from './corpus/real';
import * as S from './corpus/synth';
import { predicted } from './detect-real';
import { mediaOverrides } from './lib/media-overrides';
import { countPath, verdictPath } from './lib/verdict-path';

const NOISES = ['white', 'pink', 'brown', 'babble'] as const;

/** A comma-separated list option (`none` for none), else `all`: shared with detect-music-gates. */
export function list<T>(args: string[], name: string, all: readonly T[], parse: (s: string) => T): readonly T[] {
  const i = args.indexOf(name);
  return i < 0
    ? all
    : args[i + 1]!.split(',')
        .filter((s) => s !== 'none')
        .map(parse);
}

export default function main(args: string[]): void {
  const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : undefined);
  const overrides = mediaOverrides(args);
  const againstArg: unknown = arg('--against') ? JSON.parse(arg('--against')!) : [];
  const configs: Array<{ overrides: Record<string, unknown> | null; config: MediaConfig }> = [
    { overrides: overrides ?? null, config: mediaConfig(undefined, overrides) },
    ...(Array.isArray(againstArg) ? againstArg : [againstArg]).map((o: Record<string, unknown>) => ({
      overrides: o,
      config: mediaConfig(undefined, o),
    })),
  ];
  const noises = list(args, '--noise', NOISES, (s) => s as (typeof NOISES)[number]);
  const snrs = list(args, '--snr', [5, 10, 20], Number);
  const losses = list(args, '--loss', [1, 3, 5], Number);
  const verbose = args.includes('--verbose');
  const voices = VOICES.train.map((v) => loadVoice(v));
  const prompts = voices.flatMap((v) => v.prompts.map((c) => c.x));
  const set = arg('--set') ?? 'synth';
  if (!['synth', 'wide', 'all'].includes(set)) throw new Error(`--set ${set}: one of synth, wide, all`);
  const items: Array<{ id: string; kind: 'music' | 'message'; desc: string; pcm: Int16Array; source?: string }> = [];
  if (set !== 'wide') items.push(...musicDevSet(prompts, Number(arg('--messages') ?? 12)).map((i) => ({ ...i, source: 'synth' })));
  if (set !== 'synth')
    items.push(...musicWideSet(wideTracks(), prompts, Number(arg('--per-track') ?? 2), Number(arg('--wide-messages') ?? 3)));
  const pool = voices.flatMap((v) => v.prompts);

  /** `wrong`: the pieces not called music, by the verdict and path they got (bench/lib/verdict-path.ts). */
  type Cell = { music: number; musicOk: number; message: number; messagePerson: number; wrong: Record<string, number> };
  const cells = configs.map(() => ({}) as Record<string, Cell>);
  const changed = configs.map(() => 0);
  let audio = 0;
  let cpu = 0;
  const run = (row: string, item: (typeof items)[number], pcm: Int16Array) => {
    let first: { p: string; at: number | null } | null = null;
    configs.forEach((cf, k) => {
      const c0 = process.cpuUsage();
      const vs: Verdict[] = analyzePcm(pcm, { config: cf.config, phase: 'answered', region: 'NA' });
      const c = process.cpuUsage(c0);
      if (k === 0) {
        audio += pcm.length / 8000;
        cpu += (c.user + c.system) / 1e6;
      }
      const p = predicted(vs);
      const v = vs.find((x) => x.kind === p || (p === 'machine' && x.kind === 'beep'));
      const at = v?.atMs ?? null;
      const keys = [row, row.replace(/@.*/, ''), ...(set === 'synth' ? [] : [`source:${item.source}`])];
      for (const key of keys.filter((x, i, a) => a.indexOf(x) === i)) {
        const cell = (cells[k]![key] ??= { music: 0, musicOk: 0, message: 0, messagePerson: 0, wrong: {} });
        if (item.kind === 'music') {
          cell.music++;
          if (p === 'music') cell.musicOk++;
          else countPath(cell.wrong, verdictPath(vs));
        } else {
          cell.message++;
          if (p === 'human') cell.messagePerson++;
        }
      }
      const wrong = item.kind === 'music' ? p !== 'music' : p === 'human';
      if (verbose && k === 0 && wrong) {
        const why = v && 'reason' in v ? `${v.reason} ${JSON.stringify('features' in v ? v.features : {})}` : '';
        console.error(`${row.padEnd(10)} ${item.id} (${item.desc}) → ${p} at ${at ?? '-'} ms: ${why}`);
      }
      if (k === 0) first = { p, at };
      else if (first && (first.p !== p || first.at !== at)) {
        changed[k]++;
        console.error(
          `DIFF ${k} ${row.padEnd(10)} ${item.id} (${item.desc}): ${first.p} at ${first.at ?? '-'} ms → ${p} at ${at ?? '-'} ms`,
        );
      }
    });
  };
  let seed = 1;
  let lossSeed = 1;
  for (const item of items) {
    const clean = item.pcm;
    run('clean', item, clean);
    for (const k of CODECS) run(k, item, codec(clean, k));
    for (const pct of losses) {
      const r = S.rng(lossSeed++ * 7919);
      const pcm = Int16Array.from(clean);
      for (let i = 0; i < pcm.length; i += 160) if (r() < pct / 100) pcm.fill(0, i, Math.min(pcm.length, i + 160));
      run(`loss${pct}%`, item, pcm);
    }
    const sig = S.rms(clean, true) || 1;
    const durMs = S.durationMs(clean);
    for (const kind of noises)
      for (const snr of snrs) {
        const r = S.rng(seed++ * 104729);
        const nz = kind === 'babble' ? babble(pool, durMs, r) : colored(kind, durMs, r);
        const g = sig / Math.pow(10, snr / 20);
        run(`${kind}@${snr}`, item, S.toInt16(Float64Array.from(clean, (v, i) => v + g * (nz[i] ?? 0))));
      }
  }
  const pct = (a: number, n: number) => (n ? Math.round((1000 * a) / n) / 10 : null);
  const summary = (c: Record<string, Cell>) => {
    const group = (rows: readonly string[]) => {
      const cs = rows.map((k) => c[k]).filter((x): x is Cell => !!x);
      const s = (f: Exclude<keyof Cell, 'wrong'>) => cs.reduce((a, x) => a + x[f], 0);
      const wrong: Record<string, number> = {};
      for (const x of cs) for (const [path, n] of Object.entries(x.wrong)) wrong[path] = (wrong[path] ?? 0) + n;
      return { music: pct(s('musicOk'), s('music')), messagePerson: s('messagePerson'), messages: s('message'), wrong };
    };
    return {
      clean: group(['clean']),
      noise: group(noises),
      codec: group(CODECS),
      loss: group(losses.map((p) => `loss${p}%`)),
      rows: Object.fromEntries(
        Object.entries(c)
          .filter(([k]) => !k.startsWith('source:'))
          .map(([k, x]) => [
            k,
            { music: pct(x.musicOk, x.music), messagePerson: x.messagePerson, ...(Object.keys(x.wrong).length ? { wrong: x.wrong } : {}) },
          ]),
      ),
      ...(set === 'synth'
        ? {}
        : {
            sources: Object.fromEntries(
              Object.entries(c)
                .filter(([k]) => k.startsWith('source:'))
                .map(([k, x]) => [
                  k.slice(7),
                  { music: pct(x.musicOk, x.music), messagePerson: x.messagePerson, pieces: x.music, messages: x.message, wrong: x.wrong },
                ]),
            ),
          }),
    };
  };
  const [head, ...rest] = cells.map(summary);
  console.log(
    JSON.stringify({
      bench: 'detect-music-dev',
      set,
      overrides: configs[0]!.overrides,
      pieces: items.filter((i) => i.kind === 'music').length,
      messages: items.filter((i) => i.kind === 'message').length,
      ...head,
      audioSecondsPerCpuSecond: Math.round(audio / cpu),
      ...(rest.length ? { against: rest.map((s, k) => ({ overrides: configs[k + 1]!.overrides, changed: changed[k + 1], ...s })) } : {}),
    }),
  );
}

/** The wide set's decoded tracks, building the cache (scripts/music-wide.sh: installs the packages) when missing. */
export function wideTracks(): NonNullable<ReturnType<typeof loadMusicWide>> {
  const root = join(__dirname, '.out');
  const have = loadMusicWide(root);
  if (have) return have;
  console.error('music-wide cache missing: running scripts/music-wide.sh (installs the Debian music packages, then decodes)');
  const r = spawnSync('bash', [join(__dirname, '..', 'scripts', 'music-wide.sh'), '--out', root], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const built = r.status === 0 ? loadMusicWide(root) : null;
  if (!built) throw new Error('the wide music set could not be built (scripts/music-wide.sh failed; see above)');
  return built;
}

if (require.main === module) main(process.argv.slice(2));
