/**
 * A denser noise dev set than detect-dev's: every clean item of the real-voice
 * corpus's *train* split (persons, machines, music) mixed with each of white,
 * pink, brown and babble noise at each of 5, 10, 15, 20 and 30 dB SNR (SNR
 * against the item's active level, as the corpus recipe's own noise
 * augmentation; babble from the train voices' prompts). detect-dev has about
 * 25 persons per noise row at one random SNR each; this has every train person
 * in every cell, so a change to the speech/non-speech decision is measured on
 * some 3,000 persons in noise instead of 100. The held-out split is never read.
 *
 *   npm run bench -- detect-noise-dev [--media '<json overrides>'] [--snr 5,10] [--noise white,babble|none] [--codec ulaw,alaw,gsm] [--level -30,10] [--loss 1,3,5] [--every 3] [--pitch -800] [--expect human] [--verbose]
 *
 * Prints one JSON line: recall per class, per noise and SNR, and the clean
 * figures of the same items. `--every k` keeps every k-th item (a quicker look; `--expect human,machine`
 * then keeps only those classes);
 * `--pitch <cents>` first lowers (or raises) every item's voice with sox's `pitch`
 * effect, tempo kept: the train voices are three women, and `--pitch -800`
 * (200 → 126 Hz) gives a lower-voiced copy of the same split, nearer a man's
 * pitch, without reading the held-out speaker; the tones stay as they are, and every other prompt of the babble pool
 * is moved too (babble of mixed pitch, as a real room's). Tones (busy, reorder, SIT after answer; class `tone`
 * for `--expect`) are the train split's 15 plus `--tones n` more made by the corpus recipe with a dev seed
 * of their own (the held-out tones' seed is never used). `--verbose` lists every wrong person, machine and music item on stderr (cell,
 * item, what it became and why), and a tally of what persons became. `--codec ulaw,alaw,gsm` adds one cell per codec:
 * every clean item through that codec's round trip (bench/corpus/real.ts `codec`, the corpus's own μ-law / A-law /
 * GSM augmentation, sox without dither), summed apart from the noises (`codecPerson`, …); `--noise none` leaves the
 * noise cells out (a codec-only read). `--level -30,10` adds one cell per gain (dB), `level-30dB`, `level+10dB`: every
 * clean item scaled (clipped at full scale, as the corpus's level augmentations), summed as `levelPerson`, …. `--loss 1,3,5`
 * adds one cell per packet-loss rate (%), `loss3%`: every clean item with 20 ms packets lost at random and played as
 * zeros (the corpus's loss augmentation at a fixed rate), summed as `lossPerson`, …. Each row also has `personMs`, the
 * median verdict time of the persons it got right, after the greeting's end (as detect's `humanVerdictMedianMs`).
 * `--against '<json overrides>'` (or a JSON array of them) runs every item (the same mixed audio) under one more
 * configuration each: their summaries are `against` in the JSON line, each with `changed`, the runs whose verdict or
 * verdict time differs from the first configuration's (listed on stderr as `DIFF k`, k counting the `--against` configurations from 1, as detect-music-dev's): a like-for-like comparison
 * without mixing the noise again. `--espeak` adds the synthetic (espeak-ng) corpus's *tune* persons and machines after
 * the real items (their seeds follow, so the real items' noise is unchanged): other voices than the train split's three
 * women, most of them men's (en-us, en-gb, en-us+m3, ja), already in G.711 and some at 15–30 dB SNR of white noise,
 * which the cell's noise then dominates; `--espeak only` runs those alone. The espeak held-out split is never read.
 */
import { join } from 'node:path';
import { analyzePcm } from '../lib/media/analyzer';
import { readAudioFile } from '../lib/media/audio-file';
import { mediaConfig } from '../lib/media/config';
import { babble, codec, CODECS, colored, loadVoice, REAL_VERSION, shiftPitch, toneItem, VOICES, type RealItem } from './corpus/real';
import * as S from './corpus/synth';
import { judgeReal, median, realCorpus } from './detect-real';
import { GEN_VERSION, type CorpusItem } from './corpus/generate';
import { existsSync, readFileSync } from 'node:fs';
import { mediaOverrides } from './lib/media-overrides';

const NOISES = ['white', 'pink', 'brown', 'babble'] as const;
const SNRS = [5, 10, 15, 20, 30];

function list<T extends string | number>(args: string[], name: string, all: readonly T[], parse: (s: string) => T): readonly T[] {
  const i = args.indexOf(name);
  return i < 0 ? all : args[i + 1]!.split(',').map(parse);
}

export default function main(args: string[]): void {
  const overrides = mediaOverrides(args);
  const noises = list(args, '--noise', NOISES, (s) => s as (typeof NOISES)[number] | 'none').filter(
    (s): s is (typeof NOISES)[number] => s !== 'none',
  );
  const levels = list(args, '--level', [], Number);
  const levelRow = (db: number) => `level${db > 0 ? '+' : ''}${db}dB`;
  const codecs = list(args, '--codec', [], (s) => {
    if (!(CODECS as readonly string[]).includes(s)) throw new Error(`--codec: ${s} is not one of ${CODECS.join(', ')}`);
    return s as (typeof CODECS)[number];
  });
  const snrs = list(args, '--snr', SNRS, Number);
  const losses = list(args, '--loss', [], Number);
  const lossRow = (pct: number) => `loss${pct}%`;
  const corpus = realCorpus(join(__dirname, '.out'), (s) => console.error(s));
  if (!corpus) throw new Error('real-voice corpus missing (bash scripts/real-corpus.sh)');
  const config = mediaConfig(undefined, overrides);
  const againstArg: unknown = args.includes('--against') ? JSON.parse(args[args.indexOf('--against') + 1]!) : [];
  const againstOverrides = (Array.isArray(againstArg) ? againstArg : [againstArg]) as Record<string, unknown>[];
  const against = againstOverrides.map((o) => ({
    overrides: o,
    config: mediaConfig(undefined, o),
    cells: {} as Record<string, Record<string, { n: number; ok: number }>>,
    changed: 0,
  }));
  const cents = args.includes('--pitch') ? Number(args[args.indexOf('--pitch') + 1]) : 0;
  // With --pitch the babble is of mixed pitch: every other prompt of the pool moved as the person is, the rest left at
  // the train voices' own (a room's talkers are of both sexes; babble all moved with the person put every talker near
  // the person's own lag, which raised the held pitch the music rule reads: n15-16p, p90 hold 0.43 → 0.47).
  const pool = noises.includes('babble')
    ? VOICES.train
        .flatMap((v) => loadVoice(v).prompts)
        .map((c, i) => (cents && i % 2 ? { ...c, x: Float64Array.from(shiftPitch(S.toInt16(c.x), cents)) } : c))
    : [];
  const every = args.includes('--every') ? Number(args[args.indexOf('--every') + 1]) : 1;
  const TONE = new Set(['busy', 'reorder', 'sit']);
  const cls = (e: string) => (TONE.has(e) ? 'tone' : e);
  const expect = args.includes('--expect') ? args[args.indexOf('--expect') + 1]!.split(',') : null;
  const extraTones = args.includes('--tones') ? Number(args[args.indexOf('--tones') + 1]) : 0;
  // Extra dev tones: the corpus recipe (toneItem) with a seed neither split uses (train 4242, held-out 8484).
  const made = new Map<string, Int16Array>();
  const tr = S.rng(2121);
  const extra: RealItem[] = Array.from({ length: extraTones }, (_, i) => {
    const m = toneItem(i, tr);
    const id = `dev-tone-${i}`;
    made.set(id, S.toInt16(m.x));
    return {
      id,
      file: '',
      split: 'train',
      aug: 'clean',
      base: id,
      expect: m.expect,
      region: m.region,
      desc: m.desc,
      ...(m.sitCode ? { sitCode: m.sitCode } : {}),
    };
  });
  // --espeak: the synthetic corpus's tune persons and machines (other voices, mostly men's), read as they are.
  const espeakDir = join(__dirname, '.out', `corpus-v${GEN_VERSION}`);
  const espeak: RealItem[] = [];
  if (args.includes('--espeak')) {
    if (!existsSync(join(espeakDir, 'manifest.json')))
      throw new Error('--espeak: synthetic corpus missing (npm run bench -- detect --no-real)');
    const all = JSON.parse(readFileSync(join(espeakDir, 'manifest.json'), 'utf8')) as CorpusItem[];
    for (const e of all.filter((i) => i.split === 'tune' && i.phase === 'answered' && (i.expect === 'human' || i.expect === 'machine'))) {
      made.set(`espeak-${e.id}`, readAudioFile(join(espeakDir, e.file)));
      espeak.push({
        id: `espeak-${e.id}`,
        file: '',
        split: 'train',
        aug: 'clean',
        base: e.id,
        expect: e.expect as 'human' | 'machine',
        region: e.region ?? 'NA',
        desc: e.desc,
        ...(e.greetingEndMs !== undefined ? { greetingEndMs: e.greetingEndMs } : {}),
        ...(e.beep ? { beep: e.beep } : {}),
      });
    }
  }
  const espeakOnly = args[args.indexOf('--espeak') + 1] === 'only';
  const items = [
    ...corpus.items
      .filter(
        (i) =>
          !espeakOnly &&
          i.split === 'train' &&
          i.aug === 'clean' &&
          ['human', 'machine', 'music', 'busy', 'reorder', 'sit'].includes(i.expect),
      )
      .filter((_, k) => k % every === 0),
    ...(espeakOnly ? [] : extra),
    ...espeak,
  ].filter((i) => !expect || expect.includes(cls(i.expect)));
  // ms: the verdict times of the right answers (persons: after the greeting's end, as detect's humanVerdictMedianMs).
  type Cell = { n: number; ok: number; ms?: number[] };
  const cells: Record<string, Record<string, Cell>> = {};
  const add = (row: string, cls: string, ok: boolean, into = cells, ms: number | null = null) => {
    const c = ((into[row] ??= {})[cls] ??= { n: 0, ok: 0 });
    c.n++;
    if (ok) c.ok++;
    if (ok && ms !== null) (c.ms ??= []).push(ms);
  };
  const verbose = args.includes('--verbose');
  const became: Record<string, number> = {};
  let audio = 0;
  let cpu = 0;
  const run = (row: string, item: (typeof items)[number], pcm: Int16Array) => {
    const c0 = process.cpuUsage();
    const vs = analyzePcm(pcm, { config, phase: 'answered', region: item.region, waitForBeep: !!item.beep });
    const c = process.cpuUsage(c0);
    audio += pcm.length / 8000;
    cpu += (c.user + c.system) / 1e6;
    const o = judgeReal(item, vs);
    add(row, cls(item.expect), o.correct, cells, o.latencyMs);
    if (verbose && !o.correct) {
      const v = vs.find((x) => x.kind === o.predicted);
      const why = v && 'reason' in v ? `${v.reason} ${JSON.stringify('features' in v ? v.features : {})}` : '';
      console.error(`${row.padEnd(10)} ${item.id} expect ${item.expect} → ${o.predicted ?? 'none'} at ${v?.atMs ?? '-'} ms: ${why}`);
      const key = `${row.replace(/@.*/, '')}→${o.predicted ?? 'none'}`;
      if (item.expect === 'human') became[key] = (became[key] ?? 0) + 1;
    }
    if (row.includes('@')) add(row.replace(/@.*/, ''), cls(item.expect), o.correct, cells, o.latencyMs);
    const at = (x: typeof o) => x.verdicts.find((v) => v.kind === x.predicted)?.atMs ?? null;
    against.forEach((b, k) => {
      const ob = judgeReal(item, analyzePcm(pcm, { config: b.config, phase: 'answered', region: item.region, waitForBeep: !!item.beep }));
      add(row, cls(item.expect), ob.correct, b.cells, ob.latencyMs);
      if (row.includes('@')) add(row.replace(/@.*/, ''), cls(item.expect), ob.correct, b.cells, ob.latencyMs);
      if (ob.predicted !== o.predicted || at(ob) !== at(o)) {
        b.changed++;
        console.error(
          `DIFF ${k + 1} ${row.padEnd(10)} ${item.id} expect ${item.expect}: ${o.predicted ?? 'none'} at ${at(o) ?? '-'} ms → ${ob.predicted ?? 'none'} at ${at(ob) ?? '-'} ms`,
        );
      }
    });
  };
  let seed = 1;
  let lossSeed = 1;
  // Progress on stderr every 25 items: a queued run on a loaded host can be budgeted.
  const t0 = Date.now();
  for (const [i, item] of items.entries()) {
    if (i > 0 && i % 25 === 0) console.error(`# ${i}/${items.length} items, ${Math.round((Date.now() - t0) / 1000)} s`);
    const file = made.get(item.id) ?? readAudioFile(join(corpus.dir, item.file));
    // Tones are the line's, not a voice: --pitch leaves them at their region's frequencies (moved, none is a tone any more).
    const clean = cents && cls(item.expect) !== 'tone' ? shiftPitch(file, cents) : file;
    run('clean', item, clean);
    for (const k of codecs) run(k, item, codec(clean, k));
    for (const db of levels) run(levelRow(db), item, S.toInt16(S.scale(Float64Array.from(clean), Math.pow(10, db / 20))));
    // The corpus's loss augmentation at a fixed rate: 20 ms packets lost at random, played as zeros (a seed stream of
    // its own, so the noise cells' seeds stay as they were).
    for (const pct of losses) {
      const r = S.rng(lossSeed++ * 7919);
      const pcm = Int16Array.from(clean);
      for (let i = 0; i < pcm.length; i += 160) if (r() < pct / 100) pcm.fill(0, i, Math.min(pcm.length, i + 160));
      run(lossRow(pct), item, pcm);
    }
    const sig = S.rms(clean, true) || 1;
    const durMs = S.durationMs(clean);
    for (const kind of noises) {
      for (const snr of snrs) {
        const r = S.rng(seed++ * 104729);
        const nz = kind === 'babble' ? babble(pool, durMs, r) : colored(kind, durMs, r);
        const g = sig / Math.pow(10, snr / 20);
        run(`${kind}@${snr}`, item, S.toInt16(Float64Array.from(clean, (v, i) => v + g * (nz[i] ?? 0))));
      }
    }
  }
  const pct = (c: Cell | undefined) => (c?.n ? Math.round((1000 * c.ok) / c.n) / 10 : null);
  const summary = (cells: Record<string, Record<string, Cell>>) => {
    const sum = (cls: string, rowNames: readonly string[]) => {
      const cs = rowNames.map((k) => cells[k]?.[cls]).filter((c): c is Cell => !!c);
      return pct({ n: cs.reduce((a, c) => a + c.n, 0), ok: cs.reduce((a, c) => a + c.ok, 0) });
    };
    const rows = Object.fromEntries(
      Object.entries(cells).map(([k, v]) => [
        k,
        {
          person: pct(v.human),
          machine: pct(v.machine),
          music: pct(v.music),
          ...(v.tone ? { tone: pct(v.tone) } : {}),
          personMs: median(v.human?.ms ?? []),
        },
      ]),
    );
    // One group of figures (person, machine, music, and tone when tones ran) over some rows, keyed `<prefix>Person`….
    const group = (prefix: string, rowNames: readonly string[]) => ({
      [`${prefix}Person`]: sum('human', rowNames),
      [`${prefix}Machine`]: sum('machine', rowNames),
      [`${prefix}Music`]: sum('music', rowNames),
      ...(cells.clean?.tone ? { [`${prefix}Tone`]: sum('tone', rowNames) } : {}),
    });
    return {
      ...group('noise', noises),
      ...(codecs.length ? group('codec', codecs) : {}),
      ...(losses.length ? group('loss', losses.map(lossRow)) : {}),
      ...(levels.length ? group('level', levels.map(levelRow)) : {}),
      rows,
    };
  };
  const { rows, ...head } = summary(cells);
  console.log(
    JSON.stringify({
      bench: 'detect-noise-dev',
      realCorpusVersion: REAL_VERSION,
      overrides: overrides ?? null,
      ...(cents ? { pitchCents: cents } : {}),
      items: items.length,
      ...head,
      audioSecondsPerCpuSecond: Math.round(audio / cpu),
      ...(verbose ? { personsBecame: became } : {}),
      rows,
      ...(against.length ? { against: against.map((b) => ({ overrides: b.overrides, changed: b.changed, ...summary(b.cells) })) } : {}),
    }),
  );
}

if (require.main === module) main(process.argv.slice(2));
