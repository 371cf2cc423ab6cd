/**
 * Byte streams of uploaded files → text, chunk by chunk (never the whole file).
 *
 * Japanese spreadsheets export CSV as Shift_JIS (really Microsoft's CP932) or
 * UTF-8 with a BOM; others send UTF-8 without one. `auto` decides from the BOM,
 * else from the first bytes: valid UTF-8 → UTF-8, else valid CP932 → CP932,
 * else the file is refused. Whatever is chosen, every later chunk is checked
 * too, so a file that turns out to be neither fails with an error that says
 * where, instead of importing mojibake.
 */
import iconv from 'iconv-lite';

export const ENCODINGS = ['auto', 'utf-8', 'shift_jis'] as const;
export type EncodingChoice = (typeof ENCODINGS)[number];
export type DetectedEncoding = 'utf-8' | 'utf-8-bom' | 'shift_jis' | 'utf-16le' | 'utf-16be';

/** A problem with the uploaded file itself; the API answers 400 INVALID_FILE (or 413). */
export class ImportFileError extends Error {
  constructor(
    message: string,
    readonly code: 'INVALID_FILE' | 'PAYLOAD_TOO_LARGE' = 'INVALID_FILE',
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}

const SNIFF_BYTES = 64 * 1024;

/** Counts bytes and stops the stream past `max`. */
export async function* limitBytes(src: AsyncIterable<Buffer>, max: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of src) {
    total += chunk.length;
    if (total > max) throw new ImportFileError(`file is larger than ${max} bytes (api.uploadLimitBytes)`, 'PAYLOAD_TOO_LARGE');
    yield chunk;
  }
}

/** Reads the first chunk(s) of a stream without losing them: returns them and an iterator over everything. */
export async function peek(src: AsyncIterable<Buffer>, atLeast: number): Promise<{ head: Buffer; all: AsyncGenerator<Buffer> }> {
  const it = src[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let len = 0;
  let done = false;
  while (len < atLeast) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    parts.push(r.value);
    len += r.value.length;
  }
  const head = Buffer.concat(parts);
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { head, all: all() };
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function isCp932(buf: Buffer): boolean {
  const dec = iconv.getDecoder('cp932');
  return !dec.write(buf).includes('\ufffd');
}

/** Chooses the encoding from the first bytes (BOM, then validity). */
export function detectEncoding(head: Buffer, choice: EncodingChoice): DetectedEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (choice === 'utf-8') return 'utf-8';
  if (choice === 'shift_jis') return 'shift_jis';
  if (head.includes(0))
    throw new ImportFileError('file contains NUL bytes: it is not a UTF-8 or Shift_JIS text file (UTF-16 files need a byte-order mark)');
  if (isUtf8(head)) return 'utf-8';
  if (isCp932(head)) return 'shift_jis';
  throw new ImportFileError('file is neither UTF-8 nor Shift_JIS (CP932) text; save it as CSV UTF-8 or pass encoding=shift_jis|utf-8');
}

/**
 * Decodes a byte stream to text chunks in the detected or given encoding,
 * validating as it goes. `onDetected` reports the choice (shown in the job).
 */
export async function* decodeText(
  src: AsyncIterable<Buffer>,
  choice: EncodingChoice,
  onDetected?: (e: DetectedEncoding) => void,
): AsyncGenerator<string> {
  const { head, all } = await peek(src, SNIFF_BYTES);
  if (head.length === 0) return;
  const enc = detectEncoding(head, choice);
  onDetected?.(enc);
  let offset = 0;
  if (enc === 'utf-8' || enc === 'utf-8-bom') {
    const dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    for await (const chunk of all) {
      let text: string;
      try {
        text = dec.decode(chunk, { stream: true });
      } catch {
        throw new ImportFileError(
          `file is not valid UTF-8 (bad bytes within bytes ${offset}–${offset + chunk.length}); if it was saved as Shift_JIS, pass encoding=shift_jis`,
        );
      }
      if (chunk.includes(0)) throw new ImportFileError(`file contains NUL bytes near byte ${offset}: not a text CSV`);
      offset += chunk.length;
      if (text) yield text;
    }
    try {
      const rest = dec.decode();
      if (rest) yield rest;
    } catch {
      throw new ImportFileError('file is not valid UTF-8: it ends in the middle of a character');
    }
    return;
  }
  const dec = iconv.getDecoder(enc === 'shift_jis' ? 'cp932' : enc, { stripBOM: true });
  for await (const chunk of all) {
    const text = dec.write(chunk);
    if (enc === 'shift_jis' && (text.includes('\ufffd') || chunk.includes(0))) {
      throw new ImportFileError(
        `file is not valid Shift_JIS (CP932) (bad bytes within bytes ${offset}–${offset + chunk.length}); if it was saved as UTF-8, pass encoding=utf-8`,
      );
    }
    offset += chunk.length;
    if (text) yield text;
  }
  const rest = dec.end();
  if (rest) yield rest;
}
