/**
 * Speech for the corpus, from espeak-ng (resampled to 8 kHz by sox), cached by
 * its parameters so reruns only read files.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readAudioFile } from '../../lib/media/audio-file';

const run = promisify(execFile);

export interface SpeechSpec {
  voice: string;
  text: string;
  /** words per minute (espeak -s) */
  speed: number;
  /** 0–99 (espeak -p) */
  pitch: number;
  /** sox tempo factor (≠ 1 for "another rendition"), pitch kept. */
  tempo?: number;
}

const inFlight = new Map<string, Promise<Int16Array>>();

export function speak(cacheDir: string, s: SpeechSpec): Promise<Int16Array> {
  const key = createHash('sha1').update(JSON.stringify([s.voice, s.text, s.speed, s.pitch, s.tempo ?? 1])).digest('hex').slice(0, 16);
  let p = inFlight.get(key);
  if (!p) inFlight.set(key, (p = render(cacheDir, key, s)));
  return p;
}

async function render(cacheDir: string, key: string, s: SpeechSpec): Promise<Int16Array> {
  mkdirSync(cacheDir, { recursive: true });
  const out = join(cacheDir, `${key}.wav`);
  if (!existsSync(out)) {
    const raw = join(cacheDir, `${key}.${process.pid}.22k.wav`);
    const tmp = join(cacheDir, `${key}.${process.pid}.tmp.wav`);
    await run('espeak-ng', ['-v', s.voice, '-s', String(s.speed), '-p', String(s.pitch), '-w', raw, s.text]);
    const effects = s.tempo && s.tempo !== 1 ? ['tempo', '-s', String(s.tempo)] : [];
    await run('sox', ['-D', raw, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', tmp, ...effects]);
    unlinkSync(raw);
    renameSync(tmp, out);
  }
  return readAudioFile(out);
}

/** Runs `fn` over items with at most `n` in flight. */
export async function pool<T, R>(items: T[], n: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
