/**
 * `dialer analyze <file> [--phase early|answered] [--answer-at <ms>] [--region NA|JP|UK|DE]
 *   [--announcements <dir>] [--wait-for-beep] [--json]`
 * Runs the call analyser over a recording (WAV, or raw .ulaw/.alaw/.raw) and
 * prints its verdicts with their times in the audio.
 *
 * JSON output (stable; other tools score it):
 *   { "file": string, "durationMs": number, "phase": "early"|"answered", "region": string,
 *     "answerAtMs": number|null, "verdicts": Verdict[] }   // Verdict as in lib/media/types.ts, atMs from the file start
 */
import { AnnouncementLibrary } from '../../lib/media/announcements';
import { analyzePcm } from '../../lib/media/analyzer';
import { readAudioFile } from '../../lib/media/audio-file';
import { mediaConfig } from '../../lib/media/config';
import type { Verdict } from '../../lib/media/types';
import type { Command } from './types';

const USAGE = 'usage: dialer analyze <file> [--phase early|answered] [--answer-at <ms>] [--region NA|JP|UK|DE] [--announcements <dir>] [--wait-for-beep] [--json]';

interface Args {
  file: string;
  phase: 'early' | 'answered';
  answerAtMs?: number;
  region?: string;
  announcements?: string;
  waitForBeep: boolean;
  json: boolean;
}

export function parseAnalyzeArgs(argv: string[]): Args {
  const a: Partial<Args> & { waitForBeep: boolean; json: boolean } = { waitForBeep: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${k} needs a value\n${USAGE}`);
      return v;
    };
    if (k === '--phase') {
      const v = val();
      if (v !== 'early' && v !== 'answered') throw new Error(`--phase must be early or answered, not "${v}"`);
      a.phase = v;
    } else if (k === '--answer-at') {
      const v = Number(val());
      if (!Number.isFinite(v) || v < 0) throw new Error('--answer-at must be a number of milliseconds ≥ 0');
      a.answerAtMs = v;
    } else if (k === '--region') a.region = val();
    else if (k === '--announcements') a.announcements = val();
    else if (k === '--wait-for-beep') a.waitForBeep = true;
    else if (k === '--json') a.json = true;
    else if (k.startsWith('--')) throw new Error(`unknown option ${k}\n${USAGE}`);
    else if (a.file) throw new Error(`one file only\n${USAGE}`);
    else a.file = k;
  }
  if (!a.file) throw new Error(USAGE);
  return { ...a, file: a.file, phase: a.phase ?? (a.answerAtMs !== undefined ? 'early' : 'answered') };
}

function describe(v: Verdict): string {
  const { kind, atMs, ...rest } = v;
  return `${String(atMs).padStart(7)} ms  ${kind.padEnd(12)} ${Object.entries(rest).map(([k, x]) => `${k}=${Array.isArray(x) ? x.join('/') : x}`).join(' ')}`;
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'classify a recording (person/machine/fax/SIT/busy/announcement…) and print verdicts',
  async run(argv) {
    let args: Args;
    try {
      args = parseAnalyzeArgs(argv);
    } catch (err) {
      process.stderr.write(`dialer analyze: ${(err as Error).message}\n`);
      return 2;
    }
    const config = mediaConfig();
    const region = args.region ?? config.defaultRegion;
    if (!config.regions[region]) {
      process.stderr.write(`dialer analyze: unknown region "${region}" (known: ${Object.keys(config.regions).join(', ')})\n`);
      return 2;
    }
    let pcm: Int16Array;
    let announcements: AnnouncementLibrary | undefined;
    try {
      pcm = readAudioFile(args.file);
      if (args.announcements) announcements = AnnouncementLibrary.load(args.announcements);
    } catch (err) {
      process.stderr.write(`dialer analyze: ${(err as Error).message}\n`);
      return 1;
    }
    const verdicts = analyzePcm(pcm, {
      config,
      phase: args.phase,
      region,
      waitForBeep: args.waitForBeep,
      ...(announcements ? { announcements } : {}),
      ...(args.answerAtMs !== undefined ? { answerAtMs: args.answerAtMs } : {}),
    });
    const durationMs = Math.round(pcm.length / 8);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ file: args.file, durationMs, phase: args.phase, region, answerAtMs: args.answerAtMs ?? null, verdicts })}\n`);
    } else {
      process.stdout.write(`${args.file}: ${durationMs} ms, ${args.phase}${args.answerAtMs !== undefined ? ` (answered at ${args.answerAtMs} ms)` : ''}, region ${region}\n`);
      if (!verdicts.length) process.stdout.write('  no verdict\n');
      for (const v of verdicts) process.stdout.write(`  ${describe(v)}\n`);
    }
    return 0;
  },
};
