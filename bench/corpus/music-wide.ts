/**
 * A wide dev set of real recorded music: the real-voice corpus has five hold-music tracks from one package
 * (asterisk-moh-opsound, three for train, two held out), and music/detect-music-dev's pieces are synthesised. Rules
 * fitted on those can fit them. This set takes excerpts of the music of other Debian packages, played and recorded by
 * people, in other styles than opsound's electronic loops:
 *
 * - wesnoth-1.16-music: orchestral and folk (strings, winds, choir, harp, percussion; 40 tracks);
 * - warzone2100-music: ambient, electronic and orchestral soundtracks (three albums, Opus, decoded by opusdec);
 * - lincity-ng-data: guitar blues, ambient, electronic (3 tracks);
 * - extremetuxracer-data: rock, pop and jingles (10 tracks).
 *
 * Each excerpt follows the hold-music recipe of bench/corpus/real.ts (6–12 s at −26…−12 dBFS of active audio, after
 * 0–400 ms of room), from a seeded position past the track's first and last 5 s (fades), redrawn where under 60 % of
 * its 20 ms frames are active (a pause in a piece is not hold music anyone must classify). Hold messages: a train
 * voice's prompt over an excerpt, as music-dev's (must be music or a machine, never a person).
 *
 * Generated, never committed. `bash scripts/music-wide.sh` installs the packages and decodes every track once to
 * 8 kHz 16-bit mono (sox `-D`: no dither, the same bytes on every machine) under bench/.out/music-wide-v1; the
 * excerpts are cut in memory by `musicWideSet` (pure, seeded). The held-out opsound tracks are never read here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as S from './synth';

export const MUSIC_WIDE_VERSION = 1;

export interface WideSource {
  /** Short name used in item ids and the bench's per-source rows. */
  name: string;
  pkg: string;
  dir: string;
}

export const WIDE_SOURCES: readonly WideSource[] = [
  { name: 'wesnoth', pkg: 'wesnoth-1.16-music', dir: '/usr/share/games/wesnoth/1.16/data/core/music' },
  { name: 'warzone', pkg: 'warzone2100-music', dir: '/usr/share/games/warzone2100/music' },
  { name: 'lincity', pkg: 'lincity-ng-data', dir: '/usr/share/games/lincity-ng/music' },
  { name: 'etr', pkg: 'extremetuxracer-data', dir: '/usr/share/games/etr/music' },
];

/** Tracks under 30 s are jingles (a victory fanfare): too short for excerpts past the fades. */
const MIN_TRACK_S = 30;
const FADE_S = 5;

export interface WideTrack {
  source: string;
  name: string;
  pcm: Int16Array;
}

export interface MusicWideItem {
  id: string;
  source: string;
  kind: 'music' | 'message';
  desc: string;
  pcm: Int16Array;
}

type R = () => number;
const RATE = S.RATE;
const uni = (r: R, a: number, b: number) => a + r() * (b - a);

/** Share of 20 ms frames whose power is within 40 dB of the excerpt's loudest frame's: how much of it is playing. */
export function activeShare(x: Int16Array | Float64Array): number {
  const n = 160;
  const e: number[] = [];
  for (let i = 0; i + n <= x.length; i += n) {
    let s = 0;
    for (let j = i; j < i + n; j++) s += x[j]! * x[j]!;
    e.push(s / n);
  }
  const top = Math.max(0, ...e);
  if (top <= 0) return 0;
  return e.filter((v) => v > top * 1e-4).length / (e.length || 1);
}

/**
 * An excerpt of `durMs` from a seeded start past the fades, redrawn (up to 20 times) while under 60 % of it is
 * active; null when the track is too short or no draw is active enough (a near-silent track).
 */
export function excerpt(track: Int16Array, durMs: number, r: R): Float64Array | null {
  const n = Math.round((durMs * RATE) / 1000);
  const lo = FADE_S * RATE;
  const hi = track.length - FADE_S * RATE - n;
  if (track.length < MIN_TRACK_S * RATE || hi <= lo) return null;
  for (let k = 0; k < 20; k++) {
    const start = Math.floor(uni(r, lo, hi));
    const x = track.subarray(start, start + n);
    if (activeShare(x) >= 0.6) return Float64Array.from(x);
  }
  return null;
}

/**
 * The set: `perTrack` excerpts of every track (6–12 s), and `messagesPerSource` hold messages per source (a train
 * prompt 4–14 dB over an 8–10 s excerpt at −30…−20 dBFS, from 0.3–1.5 s). Pure and seeded: the same tracks give the
 * same items.
 */
export function musicWideSet(tracks: readonly WideTrack[], prompts: readonly Float64Array[], perTrack: number, messagesPerSource: number, seed = 2020): MusicWideItem[] {
  const r = S.rng(seed);
  const roomLead = () => S.scale(S.noise(uni(r, 0, 400), r), 32768 * Math.pow(10, uni(r, -70, -55) / 20));
  const items: MusicWideItem[] = [];
  for (const t of tracks)
    for (let i = 0; i < perTrack; i++) {
      const x = excerpt(t.pcm, uni(r, 6000, 12000), r);
      if (!x) continue;
      items.push({ id: `${t.source}/${t.name}-${i}`, source: t.source, kind: 'music', desc: `${t.source} ${t.name}`, pcm: S.toInt16(S.concat(roomLead(), S.atLevel(x, uni(r, -26, -12)))) });
    }
  const sources = [...new Set(tracks.map((t) => t.source))];
  for (const source of sources) {
    // Beds from tracks long enough to cut from; a draw that finds no active stretch is drawn again (5 tries each).
    const own = tracks.filter((t) => t.source === source && t.pcm.length >= MIN_TRACK_S * RATE);
    for (let i = 0, tries = 0; i < messagesPerSource && prompts.length && own.length && tries < 5 * messagesPerSource; tries++) {
      const t = own[Math.floor(r() * own.length)]!;
      const bedX = excerpt(t.pcm, uni(r, 8000, 10000), r);
      if (!bedX) continue;
      i++;
      const musicDb = uni(r, -30, -20);
      const bed = S.atLevel(bedX, musicDb);
      const voice = S.atLevel(prompts[Math.floor(r() * prompts.length)]!, musicDb + uni(r, 4, 14));
      const x = S.mixAt(bed, voice, uni(r, 300, 1500));
      items.push({ id: `${source}/message-${i - 1}`, source, kind: 'message', desc: `voice over ${source} ${t.name}`, pcm: S.toInt16(S.concat(roomLead(), x.subarray(0, bed.length))) });
    }
  }
  return items;
}

export function musicWideDir(root: string): string {
  return join(root, `music-wide-v${MUSIC_WIDE_VERSION}`);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]))
    .filter((f) => /\.(ogg|opus|wav|flac)$/i.test(f))
    .sort();
}

/** One file to 8 kHz 16-bit mono, no dither; Opus through opusdec (sox 14.4 has no Opus reader). */
function decode(file: string): Int16Array {
  const out = ['-D', '-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', '-', 'gain', '-n', '-3'];
  let r;
  if (/\.opus$/i.test(file)) {
    const wav = spawnSync('opusdec', ['--quiet', '--force-wav', file, '-'], { maxBuffer: 1 << 30 });
    if (wav.status !== 0) throw new Error(`opusdec ${file}: ${wav.stderr.toString()}`);
    r = spawnSync('sox', ['-D', '-t', 'wav', '-', ...out], { input: wav.stdout, maxBuffer: 1 << 30 });
  } else r = spawnSync('sox', ['-D', file, ...out], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`sox ${file}: ${r.stderr.toString()}`);
  const b = r.stdout as Buffer;
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + (b.byteLength & ~1)));
}

interface Manifest {
  tracks: Array<{ source: string; name: string; file: string }>;
}

/** Decodes every source's tracks into the cache (once); throws naming the missing package. */
export function buildMusicWide(root: string, log: (s: string) => void = () => {}): string {
  const dir = musicWideDir(root);
  const tracks: Manifest['tracks'] = [];
  for (const src of WIDE_SOURCES) {
    if (!existsSync(src.dir)) throw new Error(`${src.dir} is missing: run bash scripts/music-wide.sh (installs ${src.pkg})`);
    mkdirSync(join(dir, src.name), { recursive: true });
    for (const f of walk(src.dir)) {
      const name = basename(f).replace(/\.[a-z0-9]+$/i, '').replace(/[^A-Za-z0-9_-]+/g, '_');
      const file = `${src.name}/${name}.raw`;
      if (!existsSync(join(dir, file))) writeFileSync(join(dir, file), decode(f));
      tracks.push({ source: src.name, name, file });
    }
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ tracks }, null, 1));
  log(`music-wide v${MUSIC_WIDE_VERSION}: ${tracks.length} tracks under ${dir}`);
  return dir;
}

/** The decoded tracks, or null when the cache is not built. */
export function loadMusicWide(root: string): WideTrack[] | null {
  const m = join(musicWideDir(root), 'manifest.json');
  if (!existsSync(m)) return null;
  const { tracks } = JSON.parse(readFileSync(m, 'utf8')) as Manifest;
  return tracks.map((t) => {
    const b = readFileSync(join(musicWideDir(root), t.file));
    return { source: t.source, name: t.name, pcm: new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + (b.byteLength & ~1))) };
  });
}

if (require.main === module) {
  const i = process.argv.indexOf('--out');
  const root = i > 0 ? process.argv[i + 1]! : join(__dirname, '..', '.out');
  console.log(buildMusicWide(root, (s) => console.log(s)));
}
