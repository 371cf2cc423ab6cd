/**
 * Just enough ZIP (APPNOTE.TXT 6.3.x) to read a workbook in bounded memory.
 *
 * The upload is spooled to a temporary file first: Excel writes
 * xl/sharedStrings.xml *after* the worksheets, so a reader that only streams
 * would have to hold the whole sheet until the strings arrive. From the file,
 * the central directory (the end of the archive, §4.3.16) says where each
 * entry is; entries are then inflated as streams, counting the bytes they
 * expand to and stopping past the limits (a zip bomb is refused while it is
 * being read, whatever sizes its headers declare).
 */
import type { FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInflateRaw } from 'node:zlib';
import { ImportFileError } from '../decode';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface InflateLimits {
  /** Most bytes all entries read from one archive may expand to (import.xlsx.maxUnzippedBytes). */
  maxUnzippedBytes: number;
  /** Most bytes one entry may expand to per compressed byte (import.xlsx.maxExpansionRatio). */
  maxExpansionRatio: number;
}

const EOCD_SIG = 0x06054b50;
const CD_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** EOCD record (22 bytes) + the longest comment (65,535). */
const EOCD_SEARCH = 22 + 0xffff;
const MAX_ENTRIES = 10_000;
const MAX_CENTRAL_DIRECTORY = 16 << 20;
/** Small entries (relationships, workbook.xml) compress far better than rows; never refuse these for their ratio. */
const RATIO_SLACK = 1 << 20;

const bad = (why: string) => new ImportFileError(`not a readable XLSX workbook: ${why}`);

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return buf.subarray(0, bytesRead);
}

/** The archive's entries, from its central directory. */
export async function readCentralDirectory(fh: FileHandle, size: number): Promise<Map<string, ZipEntry>> {
  const tailLen = Math.min(size, EOCD_SEARCH);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('no end of central directory (the file is cut short or not a ZIP archive)');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
    throw bad('ZIP64 archives are not supported (save the workbook from Excel again)');
  if (count > MAX_ENTRIES) throw bad(`the archive has ${count} entries (at most ${MAX_ENTRIES})`);
  if (cdSize > MAX_CENTRAL_DIRECTORY || cdOffset + cdSize > size) throw bad('its central directory is out of bounds');
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CD_SIG) throw bad('its central directory is damaged');
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const e: ZipEntry = {
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
    };
    entries.set(e.name.replace(/^\/+/, ''), e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * An entry's bytes, inflated as they are read. Throws ImportFileError naming
 * the limit as soon as the entry (or the archive so far, `budget`) expands
 * past it.
 */
export async function* entryBytes(
  path: string,
  fh: FileHandle,
  size: number,
  e: ZipEntry,
  limits: InflateLimits,
  budget: { used: number },
): AsyncGenerator<Buffer> {
  if (e.flags & 1) throw bad(`${e.name} is encrypted`);
  if (e.method !== 0 && e.method !== 8)
    throw bad(`${e.name} uses compression method ${e.method} (only stored and deflated entries are read)`);
  const local = await readAt(fh, e.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIG) throw bad(`the local header of ${e.name} is damaged`);
  const start = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + e.compressedSize > size) throw bad(`${e.name} runs past the end of the file`);
  const entryMax = Math.max(RATIO_SLACK, e.compressedSize * limits.maxExpansionRatio);
  const check = (out: number) => {
    if (out > entryMax) {
      throw new ImportFileError(
        `${e.name} expands more than ${limits.maxExpansionRatio} times its compressed size (import.xlsx.maxExpansionRatio): refused as a zip bomb`,
        'PAYLOAD_TOO_LARGE',
      );
    }
    if (budget.used > limits.maxUnzippedBytes) {
      throw new ImportFileError(
        `the workbook expands to more than ${limits.maxUnzippedBytes} bytes (import.xlsx.maxUnzippedBytes)`,
        'PAYLOAD_TOO_LARGE',
      );
    }
  };
  if (e.compressedSize === 0) return;
  const raw = createReadStream(path, { start, end: start + e.compressedSize - 1, highWaterMark: 1 << 16 });
  const src = e.method === 8 ? raw.pipe(createInflateRaw({ chunkSize: 1 << 16 })) : raw;
  let out = 0;
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      out += chunk.length;
      budget.used += chunk.length;
      check(out);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw bad(`${e.name} cannot be inflated: ${(err as Error).message}`);
  } finally {
    raw.destroy();
    if (src !== raw) src.destroy();
  }
}
