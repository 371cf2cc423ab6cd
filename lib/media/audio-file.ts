/**
 * Reads audio files into 8 kHz mono 16-bit PCM for the analysers, and writes
 * WAV. Accepted: WAV (PCM 16-bit at any rate/channels, or G.711 μ-law/A-law at
 * 8 kHz), raw `.ulaw`/`.ul`/`.pcmu`, `.alaw`/`.al`/`.pcma`, and raw signed
 * 16-bit little-endian `.raw`/`.sln` at 8 kHz. Other inputs are refused with a
 * message saying why.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { decodeG711 } from './g711';
import { FRAME_SAMPLES, SAMPLE_RATE } from './types';

export class AudioFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AudioFormatError';
  }
}

export function readAudioFile(path: string): Int16Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new AudioFormatError(`${path}: cannot read: ${(err as Error).message}`);
  }
  return decodeAudio(buf, extname(path).toLowerCase(), path);
}

/** Decodes bytes by file extension (`.wav`, `.ulaw`, …). */
export function decodeAudio(buf: Uint8Array, ext: string, name = 'audio'): Int16Array {
  switch (ext) {
    case '.wav':
      return decodeWav(buf, name);
    case '.ulaw':
    case '.ul':
    case '.pcmu':
      return decodeG711('ulaw', buf);
    case '.alaw':
    case '.al':
    case '.pcma':
      return decodeG711('alaw', buf);
    case '.raw':
    case '.sln': {
      const out = new Int16Array(buf.length >> 1);
      const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      for (let i = 0; i < out.length; i++) out[i] = dv.getInt16(i * 2, true);
      return out;
    }
    default:
      throw new AudioFormatError(`${name}: unknown audio type "${ext || '(none)'}" (use .wav, .ulaw, .alaw or .raw)`);
  }
}

function decodeWav(buf: Uint8Array, name: string): Int16Array {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (o: number) => String.fromCharCode(buf[o]!, buf[o + 1]!, buf[o + 2]!, buf[o + 3]!);
  if (buf.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new AudioFormatError(`${name}: not a RIFF/WAVE file`);
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = tag(off);
    let size = dv.getUint32(off + 4, true);
    const body = off + 8;
    if (id === 'fmt ') {
      fmt = {
        format: dv.getUint16(body, true),
        channels: dv.getUint16(body + 2, true),
        rate: dv.getUint32(body + 4, true),
        bits: dv.getUint16(body + 14, true),
      };
      // WAVE_FORMAT_EXTENSIBLE: the real format is the sub-format GUID's first two bytes.
      if (fmt.format === 0xfffe && size >= 26) fmt.format = dv.getUint16(body + 24, true);
    } else if (id === 'data') {
      if (!fmt) throw new AudioFormatError(`${name}: data chunk before fmt chunk`);
      // Streams written by sox/espeak to a pipe carry a placeholder size.
      if (size === 0 || size === 0xffffffff || body + size > buf.length) size = buf.length - body;
      return pcmFromWav(buf.subarray(body, body + size), fmt, name);
    }
    off = body + size + (size & 1);
  }
  throw new AudioFormatError(`${name}: no data chunk`);
}

function pcmFromWav(data: Uint8Array, fmt: { format: number; channels: number; rate: number; bits: number }, name: string): Int16Array {
  const { format, channels, rate, bits } = fmt;
  if ((format === 6 || format === 7) && bits === 8) {
    if (rate !== SAMPLE_RATE || channels !== 1)
      throw new AudioFormatError(`${name}: G.711 WAV must be 8000 Hz mono (is ${rate} Hz, ${channels} ch)`);
    return decodeG711(format === 7 ? 'ulaw' : 'alaw', data);
  }
  if (format !== 1 || bits !== 16)
    throw new AudioFormatError(`${name}: unsupported WAV encoding (format ${format}, ${bits} bit); use 16-bit PCM or G.711`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const frames = Math.floor(data.length / (2 * channels));
  const mono = new Float64Array(frames);
  for (let i = 0; i < frames; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += dv.getInt16((i * channels + c) * 2, true);
    mono[i] = s / channels;
  }
  return resample(mono, rate);
}

/** Linear-interpolation resampling to 8 kHz (after a crude moving-average low-pass when downsampling). */
function resample(x: Float64Array, rate: number): Int16Array {
  if (rate === SAMPLE_RATE) return Int16Array.from(x, (v) => Math.round(v));
  let src = x;
  if (rate > SAMPLE_RATE) {
    const w = Math.max(1, Math.round(rate / SAMPLE_RATE));
    src = new Float64Array(x.length);
    let acc = 0;
    for (let i = 0; i < x.length; i++) {
      acc += x[i]!;
      if (i >= w) acc -= x[i - w]!;
      src[i] = acc / Math.min(i + 1, w);
    }
  }
  const n = Math.floor((x.length * SAMPLE_RATE) / rate);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const p = (i * rate) / SAMPLE_RATE;
    const j = Math.floor(p);
    const fr = p - j;
    const a = src[j] ?? 0;
    const b = src[j + 1] ?? a;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(a + (b - a) * fr)));
  }
  return out;
}

/** Splits PCM into 20 ms frames (the last one zero-padded). Frames are views or fresh copies only at the tail. */
export function* frames(pcm: Int16Array): Generator<Int16Array> {
  for (let i = 0; i < pcm.length; i += FRAME_SAMPLES) {
    if (i + FRAME_SAMPLES <= pcm.length) yield pcm.subarray(i, i + FRAME_SAMPLES);
    else {
      const last = new Int16Array(FRAME_SAMPLES);
      last.set(pcm.subarray(i));
      yield last;
    }
  }
}

/** 16-bit mono PCM WAV bytes. */
export function encodeWav(pcm: Int16Array, rate = SAMPLE_RATE): Buffer {
  const b = Buffer.alloc(44 + pcm.length * 2);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + pcm.length * 2, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(pcm.length * 2, 40);
  for (let i = 0; i < pcm.length; i++) b.writeInt16LE(pcm[i]!, 44 + i * 2);
  return b;
}

export function writeWav(path: string, pcm: Int16Array): void {
  writeFileSync(path, encodeWav(pcm));
}
