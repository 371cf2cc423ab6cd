/**
 * Recorded prompts the dialer plays itself (the abandon message). An operator
 * configures a file; otherwise one is generated at start with espeak-ng and
 * sox (Debian packages the set-up installs), or, without them, a short tone
 * pattern, so nothing of unknown licence ships with the project.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PromptsConfig } from '../config/sections/runner';
import { writeWav } from '../media/audio-file';
import { SAMPLE_RATE } from '../media/types';

function tonePattern(): Int16Array {
  // Three falling tones, 8 kHz: an audible "we could not connect you" cue.
  const parts = [880, 660, 440].map((f) => {
    const n = Math.round(SAMPLE_RATE * 0.3);
    const pcm = new Int16Array(n + 800);
    for (let i = 0; i < n; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE));
    return pcm;
  });
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Speaks `text` into an 8 kHz mono 16-bit WAV at `path`; false if the tools are missing. */
export function synthesize(text: string, path: string): boolean {
  const tmp = `${path}.tmp.wav`;
  try {
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '160', '-w', tmp, text], { stdio: 'ignore', timeout: 30000 });
    execFileSync('sox', ['-D', tmp, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', path], {
      stdio: 'ignore',
      timeout: 30000,
    });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Path of the abandon message, generating it on first use. */
export function ensureAbandonPrompt(cfg: PromptsConfig): string {
  if (cfg.abandon) {
    if (!existsSync(cfg.abandon)) throw new Error(`dialer.prompts.abandon: file ${cfg.abandon} does not exist`);
    return resolve(cfg.abandon);
  }
  mkdirSync(cfg.dir, { recursive: true });
  const path = resolve(join(cfg.dir, 'abandon.wav'));
  if (!existsSync(path) && !synthesize(cfg.abandonText, path)) writeWav(path, tonePattern());
  return path;
}
