/**
 * `dialer analyze <file> [options]` (options and help in ./specs.ts)
 * Runs the call analyser over a recording (WAV, or raw .ulaw/.alaw/.raw) and
 * prints its verdicts with their times in the audio. The media settings and
 * the tone region are the dialer's own (loadConfig: DIALER_CONFIG / env), so
 * without --region the file is judged as the dialer would judge the call.
 * Person / machine / music / notsure verdicts carry the model's confidence
 * and the features that decided them.
 *
 * JSON output (stable; other tools score it):
 *   { "file": string, "durationMs": number, "phase": "early"|"answered", "region": string,
 *     "answerAtMs": number|null, "verdicts": Verdict[] }   // Verdict as in lib/media/types.ts, atMs from the file start
 */
import { AnnouncementLibrary } from '../../lib/media/announcements';
import { analyzePcm } from '../../lib/media/analyzer';
import { readAudioFile } from '../../lib/media/audio-file';
import { mediaConfig } from '../../lib/media/config';
import { loadConfig } from '../../lib/config';
import type { Verdict } from '../../lib/media/types';
import { UsageError, numberOption, parseCommandArgs, usageLine } from './parse';
import { analyzeSpec } from './specs';
import type { Command } from './types';

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
  const { values: v, positionals } = parseCommandArgs(analyzeSpec, argv);
  const usage = usageLine(analyzeSpec);
  if (positionals.length > 1) throw new UsageError(`one file only\n${usage}`);
  const file = positionals[0];
  if (!file) throw new UsageError(`a recording to analyse is required\n${usage}`);
  if (v.phase !== undefined && v.phase !== 'early' && v.phase !== 'answered')
    throw new UsageError(`--phase must be early or answered, not "${String(v.phase)}"`);
  const answerAtMs = numberOption(analyzeSpec, 'answer-at', v['answer-at'], 0, Number.MAX_SAFE_INTEGER);
  return {
    file,
    phase: (v.phase as Args['phase'] | undefined) ?? (answerAtMs !== undefined ? 'early' : 'answered'),
    waitForBeep: v['wait-for-beep'] === true,
    json: v.json === true,
    ...(answerAtMs !== undefined ? { answerAtMs } : {}),
    ...(typeof v.region === 'string' ? { region: v.region } : {}),
    ...(typeof v.announcements === 'string' ? { announcements: v.announcements } : {}),
  };
}

function describe(v: Verdict): string {
  const { kind, atMs, ...rest } = v;
  const fmt = (x: unknown): string =>
    Array.isArray(x)
      ? x.join('/')
      : x && typeof x === 'object'
        ? `{${Object.entries(x)
            .map(([k, y]) => `${k}: ${String(y)}`)
            .join(', ')}}`
        : String(x);
  return `${String(atMs).padStart(7)} ms  ${kind.padEnd(12)} ${Object.entries(rest)
    .map(([k, x]) => `${k}=${fmt(x)}`)
    .join(' ')}`;
}

export const analyzeCommand: Command = {
  async run(argv) {
    const args = parseAnalyzeArgs(argv);
    // The same default as calls: media.defaultRegion as configured, which follows phone.defaultRegion unless set.
    const config = mediaConfig(loadConfig().media);
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
      process.stdout.write(
        `${JSON.stringify({ file: args.file, durationMs, phase: args.phase, region, answerAtMs: args.answerAtMs ?? null, verdicts })}\n`,
      );
    } else {
      process.stdout.write(
        `${args.file}: ${durationMs} ms, ${args.phase}${args.answerAtMs !== undefined ? ` (answered at ${args.answerAtMs} ms)` : ''}, region ${region}\n`,
      );
      if (!verdicts.length) process.stdout.write('  no verdict\n');
      for (const v of verdicts) process.stdout.write(`  ${describe(v)}\n`);
    }
    return 0;
  },
};
