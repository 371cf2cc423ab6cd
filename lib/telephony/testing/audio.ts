/**
 * Far-end audio for the SIPp scenarios, generated with sox and espeak-ng at
 * test time (nothing recorded is committed). Output is raw μ-law, what SIPp's
 * rtp_stream sends as is. `sox -D` keeps the files byte-identical between runs,
 * so they are cached in the temp folder under a version-stamped name.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bump when a recipe changes so stale caches are not reused. */
const VERSION = 3;

export type FarEndAudio = 'person' | 'machine' | 'fax' | 'sit' | 'situ' | 'busy' | 'busyjp' | 'silence' | 'agent' | 'customer';

type Part = { speak: string; voice?: string } | { tone: number[]; ms: number; gain?: number } | { silence: number };

// What each far end sounds like (frequencies and durations: ../shared/reference/tones-and-amd.md).
const RECIPES: Record<FarEndAudio, Part[]> = {
  // "Hello?" then waiting, then once more: a person on the line.
  person: [{ silence: 300 }, { speak: 'Hello?' }, { silence: 2500 }, { speak: 'Hello, who is this?' }, { silence: 3000 }],
  // A voicemail greeting of several seconds, then the beep.
  machine: [
    { silence: 200 },
    {
      speak:
        'Hi, you have reached the voicemail of John Smith. I am not available to take your call right now. Please leave your name, number and a short message after the tone, and I will call you back.',
    },
    { silence: 400 },
    { tone: [1000], ms: 500 },
    { silence: 4000 },
  ],
  // CED: 0.2 s silence, 2100 Hz for 3.3 s, 75 ms silence (ITU-T T.30).
  fax: [{ silence: 200 }, { tone: [2100], ms: 3300 }, { silence: 75 }, { tone: [1650], ms: 500, gain: -12 }, { silence: 1000 }],
  // SIT vacant code (VC: 985.2/380, 1370.6/274, 1776.7/380) then the announcement.
  sit: [
    { silence: 100 },
    { tone: [985.2], ms: 380 },
    { tone: [1370.6], ms: 274 },
    { tone: [1776.7], ms: 380 },
    { silence: 300 },
    { speak: 'The number you have dialed is not in service. Please check the number and try again.' },
    { silence: 500 },
  ],
  // ITU-T E.180 SIT (950/1400/1800 Hz, 330 ms each) then the announcement.
  situ: [
    { silence: 100 },
    { tone: [950], ms: 330 },
    { tone: [1400], ms: 330 },
    { tone: [1800], ms: 330 },
    { silence: 300 },
    { speak: 'The number you have dialed is not in service. Please check the number and try again.' },
    { silence: 500 },
  ],
  // North American busy: 480+620 Hz, 0.5 s on / 0.5 s off.
  busy: [
    { tone: [480, 620], ms: 500 },
    { silence: 500 },
    { tone: [480, 620], ms: 500 },
    { silence: 500 },
    { tone: [480, 620], ms: 500 },
    { silence: 500 },
    { tone: [480, 620], ms: 500 },
    { silence: 500 },
  ],
  // Japanese busy (NTT): 400 Hz, 0.5 s on / 0.5 s off.
  busyjp: [
    { tone: [400], ms: 500 },
    { silence: 500 },
    { tone: [400], ms: 500 },
    { silence: 500 },
    { tone: [400], ms: 500 },
    { silence: 500 },
    { tone: [400], ms: 500 },
    { silence: 500 },
  ],
  silence: [{ silence: 2000 }],
  agent: [{ speak: 'Agent speaking, how can I help?' }, { silence: 500 }],
  customer: [{ speak: 'This is the customer talking to the agent.' }, { silence: 500 }],
};

let cached: string | undefined;

/** Generates every far-end audio file (once per machine and VERSION) and returns the folder. */
export function farEndAudioDir(): string {
  if (cached) return cached;
  const dir = join(tmpdir(), `dialer-farend-audio-v${VERSION}`);
  mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(RECIPES) as FarEndAudio[]) {
    const out = join(dir, `${name}.ulaw`);
    if (existsSync(out)) continue;
    const work = join(dir, `.${name}-${process.pid}-${Date.now()}`);
    mkdirSync(work, { recursive: true });
    try {
      const parts = RECIPES[name].map((p, i) => renderPart(p, join(work, `p${i}.wav`)));
      const tmpOut = join(work, 'out.ulaw');
      execFileSync('sox', ['-D', ...parts, '-r', '8000', '-c', '1', '-t', 'ul', tmpOut]);
      // rename is atomic: parallel test files never see half a file.
      renameSync(tmpOut, out);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  cached = dir;
  return dir;
}

export function farEndAudio(name: FarEndAudio): string {
  return join(farEndAudioDir(), `${name}.ulaw`);
}

function renderPart(p: Part, file: string): string {
  const fmt = ['-r', '8000', '-c', '1', '-b', '16', '-e', 'signed'];
  if ('silence' in p) {
    execFileSync('sox', ['-D', '-n', ...fmt, file, 'trim', '0', String(p.silence / 1000)]);
  } else if ('tone' in p) {
    const synth = p.tone.flatMap((f) => ['sine', String(f)]);
    const gain = p.gain ?? (p.tone.length > 1 ? -9 : -6);
    execFileSync('sox', ['-D', '-n', ...fmt, file, 'synth', String(p.ms / 1000), ...synth, 'gain', String(gain)]);
  } else {
    const raw = file + '.espeak.wav';
    execFileSync('espeak-ng', ['-v', p.voice ?? 'en-us', '-s', '165', '-w', raw, p.speak]);
    execFileSync('sox', ['-D', raw, ...fmt, file]);
  }
  return file;
}
