/**
 * A dev set of monotone synthetic voices, for the music rule on the whole line (amd.musicLineMinPeriodicShare): a
 * voice that holds its pitch like a note must not be called music. espeak-ng renders voicemail greetings (and a few
 * person answers) with voice variants whose pitch range is flattened to a few Hz (variant files `mono*`, written into
 * a private copy of espeak-ng's data under bench/.out/espeak-mono), with the tune split's voices and texts written
 * for this set (neither the held-out split's voices nor its texts). Machines are laid out as the espeak corpus's
 * (lead, greeting, gap, beep of 440–2000 Hz, 2 s), at its SNRs (∞, 30, 20, 15 dB) and through G.711; `--noise` adds
 * the real corpus's white/pink/brown/babble at `--snr` on top of each.
 *
 *   npm run bench -- detect-monotone-dev [--media '<json overrides>'] [--against '<json overrides>' or a JSON array of them] [--noise white,pink] [--snr 10,20] [--wide] [--verbose]
 *
 * Prints one JSON line: per cell, the share of machines (persons) called machine (person), and how many of either
 * were called music. `--against` runs every item (the same mixed audio) under one more configuration each, as
 * detect-noise-dev's: their rows are `against` in the JSON line, each with `changed`, the runs whose verdict or verdict
 * time differs from the first configuration's (listed on stderr as `DIFF k`, k counting the `--against` configurations from 1).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePcm } from '../lib/media/analyzer';
import { readAudioFile } from '../lib/media/audio-file';
import { mediaConfig } from '../lib/media/config';
import { babble, colored, loadVoice, VOICES } from './corpus/real';
import * as S from './corpus/synth';
import { predicted } from './detect-real';
import { mediaOverrides } from './lib/media-overrides';

const SYSTEM_DATA = '/usr/lib/x86_64-linux-gnu/espeak-ng-data';
/** Flat-pitch variants: [name, base Hz, top Hz, the stock variant whose timbre (formants, breath) it keeps]. */
const MONO: Array<[string, number, number, string]> = [
  ['monoA', 100, 104, 'm1'],
  ['monoB', 130, 135, 'm3'],
  ['monoC', 170, 176, 'f1'],
  ['monoD', 200, 206, 'f3'],
  ['monoE', 230, 236, 'f5'],
  ['monoF', 115, 118, 'm6'],
  ['monoG', 150, 160, 'f2'],
  ['monoH', 185, 190, 'f4'],
];
const VOICES_EN = ['en-us', 'en-gb', 'en'];
const MACHINE_TEXTS = [
  'Hello, you have reached the office of doctor Brown. Please leave your name and number after the tone.',
  'This is the Miller residence. Nobody can come to the phone. Please leave a message.',
  'You have reached extension two three seven. I am not at my desk. Please leave a message after the beep.',
  'Thanks for calling Riverside Auto Repair. We are closed for the day. Please call back tomorrow morning.',
  'Hi, this is Karen. I cannot answer right now. Leave a short message and I will call you back.',
  'The mailbox of Peter Wong is full and cannot accept new messages at this time.',
  'Your call has been forwarded to an automatic voice message system. The person is not available.',
  'Good afternoon, this is Sunrise Travel. Please leave your booking number and we will return your call.',
];
const PERSON_TEXTS = ['Hello, who is it?', 'Yes, speaking.', 'Hello, Brown residence.', 'Hi, can I help you?'];
/**
 * `--wide`: stock voices, not flattened by a variant file, at espeak's extremes: the English dialects neither split of
 * the espeak corpus uses besides the tune split's own (the held-out split's en-gb-scotland, en-029, en-us-nyc and
 * en-gb-x-rp are left out), each with stock variants, base pitch (-p) at 0–15 or 85–99, speed (-s) at 100–120 or
 * 220–260, and in half of them the pitch range flattened by SSML (prosody range x-low).
 */
const WIDE_DIALECTS = ['en-gb-x-gbclan', 'en-gb-x-gbcwmd', 'en-us', 'en-gb', 'en'];
const WIDE_VARIANTS = ['f1', 'f2', 'f3', 'f4', 'f5', 'm1', 'm2', 'm4', 'm5', 'm7'];

function dataDir(root: string): string {
  const dir = join(root, 'espeak-mono');
  const vdir = join(dir, 'espeak-ng-data', 'voices', '!v');
  if (!existsSync(join(vdir, MONO[MONO.length - 1]![0]))) {
    cpSync(SYSTEM_DATA, join(dir, 'espeak-ng-data'), { recursive: true });
    for (const [name, lo, hi, base] of MONO) {
      const stock = readFileSync(join(vdir, base), 'utf8')
        .split('\n')
        .filter((l) => !/^(name|pitch)\b/.test(l));
      writeFileSync(join(vdir, name), [stock[0], `name ${name}`, `pitch ${lo} ${hi}`, ...stock.slice(1)].join('\n'));
    }
  }
  return dir;
}

function say(root: string, data: string, voice: string, text: string, speed: number, pitch: number, flat = false): Int16Array {
  const cache = join(root, 'monotone-dev');
  mkdirSync(cache, { recursive: true });
  const key = `${voice}-${speed}-${pitch}${flat ? '-flat' : ''}-${Buffer.from(text).toString('base64url').slice(0, 40)}`;
  const out = join(cache, `${key}.wav`);
  if (!existsSync(out)) {
    const raw = join(cache, `${key}.22k.wav`);
    const ssml = flat ? ['-m'] : [];
    const t = flat ? `<speak><prosody range="x-low">${text}</prosody></speak>` : text;
    execFileSync('espeak-ng', [`--path=${data}`, ...ssml, '-v', voice, '-s', String(speed), '-p', String(pitch), '-w', raw, t]);
    execFileSync('sox', ['-D', raw, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', out]);
  }
  return readAudioFile(out);
}

export default function main(args: string[]): void {
  const root = join(__dirname, '.out');
  const data = dataDir(root);
  const overrides = mediaOverrides(args);
  const config = mediaConfig(undefined, overrides);
  // --against: the same runs (the same mixed audio) under more configurations, as detect-noise-dev's.
  const againstArg: unknown = args.includes('--against') ? JSON.parse(args[args.indexOf('--against') + 1]!) : [];
  const against = (Array.isArray(againstArg) ? againstArg : [againstArg]).map((o: Record<string, unknown>) => ({
    overrides: o,
    config: mediaConfig(undefined, o),
    cells: {} as Record<string, Record<string, Cell>>,
    changed: 0,
  }));
  const noises = args.includes('--noise') ? args[args.indexOf('--noise') + 1]!.split(',') : [];
  const snrs = args.includes('--snr') ? args[args.indexOf('--snr') + 1]!.split(',').map(Number) : [10, 20];
  const verbose = args.includes('--verbose');
  const wide = args.includes('--wide');
  const pool = noises.includes('babble') ? VOICES.train.flatMap((v) => loadVoice(v).prompts) : [];
  const r = S.rng(1616);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const level = () => Math.pow(10, (-(r() * 14) - 1) / 20);
  const corpusSnrs = [Infinity, 30, 20, 15];
  type Item = { id: string; expect: 'machine' | 'human'; x: Float64Array; desc: string };
  const items: Item[] = [];
  let k = 0;
  const make = (voice: string, j: number, speed: number, pitch: number, flat: boolean) => {
    const snr = corpusSnrs[k % corpusSnrs.length]!;
    const g = level();
    const desc = `${voice} s${speed} p${pitch}${flat ? ' flat' : ''} snr ${snr}`;
    if (j < 2) {
      const text = pick(MACHINE_TEXTS);
      const sp = S.scale(say(root, data, voice, text, speed, pitch, flat), g);
      const lead = k % 4 === 0 ? 500 + Math.floor(r() * 1500) : Math.floor(r() * 300);
      const end = lead + S.audibleEndMs(sp);
      let x = S.concat(S.silence(lead), sp.subarray(0, Math.round((end - lead) * 8)), S.silence(300 + Math.floor(r() * 400)));
      const beepHz = pick([440, 600, 800, 1000, 1400, 1800, 2000]);
      if (k % 3 !== 0) x = S.concat(x, S.tone([beepHz], pick([200, 300, 500, 800, 1000]), 12000 * g));
      x = S.concat(x, S.silence(2000));
      if (snr !== Infinity) x = S.addNoise(x, S.rms(sp, true), snr, r);
      items.push({ id: `${flat || !voice.includes('mono') ? 'wide-' : 'mono-'}machine-${k}`, expect: 'machine', x, desc });
    } else {
      const sp = S.scale(say(root, data, voice, pick(PERSON_TEXTS), speed, pitch, flat), g);
      let x = S.concat(S.silence(Math.floor(r() * 300)), sp, S.silence(4000));
      if (snr !== Infinity) x = S.addNoise(x, S.rms(sp, true), snr, r);
      items.push({ id: `${flat || !voice.includes('mono') ? 'wide-' : 'mono-'}human-${k}`, expect: 'human', x, desc });
    }
  };
  for (const [mono] of MONO) {
    for (const v of VOICES_EN) {
      const voice = `${v}+${mono}`;
      // Two machines and one person per voice × variant.
      for (let j = 0; j < 3; j++, k++) make(voice, j, 140 + Math.floor(r() * 50), 30 + Math.floor(r() * 40), false);
    }
  }
  if (wide) {
    // A random stream of its own, so the default set's items stay as they were.
    const rw = S.rng(6161);
    for (const d of WIDE_DIALECTS)
      for (const v of WIDE_VARIANTS)
        for (let j = 0; j < 3; j++, k++) {
          const speed = rw() < 0.5 ? 100 + Math.floor(rw() * 21) : 220 + Math.floor(rw() * 41);
          const pitch = rw() < 0.5 ? Math.floor(rw() * 16) : 85 + Math.floor(rw() * 15);
          make(`${d}+${v}`, j, speed, pitch, rw() < 0.5);
        }
  }
  const cells: Record<string, Record<string, Cell>> = {};
  let audio = 0;
  let cpu = 0;
  let seed = 1;
  const run = (row: string, item: Item, x: Float64Array, law: 'ulaw' | 'alaw') => {
    const pcm = S.fromG711(S.g711(x, law), law);
    const c0 = process.cpuUsage();
    const vs = analyzePcm(pcm, { config, phase: 'answered', waitForBeep: item.expect === 'machine' });
    const c = process.cpuUsage(c0);
    audio += pcm.length / 8000;
    cpu += (c.user + c.system) / 1e6;
    const p = predicted(vs);
    tally(cells, row, item, p);
    const at = (x: typeof vs, k: string) => x.find((v) => v.kind === k)?.atMs ?? null;
    against.forEach((b, k) => {
      const vb = analyzePcm(pcm, { config: b.config, phase: 'answered', waitForBeep: item.expect === 'machine' });
      const pb = predicted(vb);
      tally(b.cells, row, item, pb);
      if (pb !== p || at(vb, pb) !== at(vs, p)) {
        b.changed++;
        console.error(
          `DIFF ${k + 1} ${row.padEnd(10)} ${item.id} expect ${item.expect}: ${p} at ${at(vs, p) ?? '-'} ms → ${pb} at ${at(vb, pb) ?? '-'} ms`,
        );
      }
    });
    if (verbose && p !== item.expect) {
      const v = vs.find((y) => y.kind === p);
      const why = v && 'reason' in v ? `${v.reason} ${JSON.stringify('features' in v ? v.features : {})}` : '';
      console.error(`${row.padEnd(10)} ${item.id} (${item.desc}) → ${p} at ${v?.atMs ?? '-'} ms: ${why}`);
    }
  };
  for (const item of items) {
    const law = seed % 2 ? 'alaw' : 'ulaw';
    run('corpus', item, item.x, law);
    const sig = S.rms(item.x, true) || 1;
    const durMs = S.durationMs(item.x);
    for (const kind of noises)
      for (const snr of snrs) {
        const rr = S.rng(seed++ * 104729);
        const nz = kind === 'babble' ? babble(pool, durMs, rr) : colored(kind as 'white', durMs, rr);
        const g = sig / Math.pow(10, snr / 20);
        run(
          `${kind}@${snr}`,
          item,
          Float64Array.from(item.x, (v, i) => v + g * (nz[i] ?? 0)),
          law,
        );
      }
    seed++;
  }
  const pct = (c: Cell | undefined) => (c ? Math.round((1000 * c.ok) / c.n) / 10 : null);
  const rowsOf = (cells: Record<string, Record<string, Cell>>) =>
    Object.fromEntries(
      Object.entries(cells).map(([row, v]) => [
        row,
        { machine: pct(v.machine), person: pct(v.human), music: (v.machine?.music ?? 0) + (v.human?.music ?? 0) },
      ]),
    );
  const musicOf = (cells: Record<string, Record<string, Cell>>) =>
    Object.values(cells)
      .flatMap((v) => Object.values(v))
      .reduce((a, c) => a + c.music, 0);
  const rows = rowsOf(cells);
  const all = Object.values(cells).flatMap((v) => Object.values(v));
  console.log(
    JSON.stringify({
      bench: 'detect-monotone-dev',
      overrides: overrides ?? null,
      items: items.length,
      voices: readdirSync(join(data, 'espeak-ng-data', 'voices', '!v')).filter((f) => f.startsWith('mono')).length,
      calledMusic: all.reduce((a, c) => a + c.music, 0),
      runs: all.reduce((a, c) => a + c.n, 0),
      audioSecondsPerCpuSecond: Math.round(audio / cpu),
      rows,
      ...(against.length
        ? {
            against: against.map((b) => ({
              overrides: b.overrides,
              changed: b.changed,
              calledMusic: musicOf(b.cells),
              rows: rowsOf(b.cells),
            })),
          }
        : {}),
    }),
  );
}

type Cell = { n: number; ok: number; music: number };

/** One run's verdict `p` counted into its row's cell for the item's class. */
function tally(cells: Record<string, Record<string, Cell>>, row: string, item: { expect: string }, p: string): void {
  const cell = ((cells[row] ??= {})[item.expect] ??= { n: 0, ok: 0, music: 0 });
  cell.n++;
  if (p === item.expect) cell.ok++;
  if (p === 'music') cell.music++;
}

if (require.main === module) main(process.argv.slice(2));
