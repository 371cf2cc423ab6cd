/**
 * The workbook's shared strings, held compactly while the sheet is read: a
 * million-row workbook saved by Excel has about three million of them, and as
 * separate JavaScript strings (with their headers and the array's pointers)
 * they would take about 40 bytes each plus the garbage collector's headroom.
 * Here each is its UTF-8 bytes after a varint length, in 4 MiB slabs outside
 * the JS heap, plus 4 bytes of index; a cell's text is decoded when its row
 * is read.
 */
const SLAB = 4 << 20;
/** Index entries per block (no copying as the index grows). */
const BLOCK = 1 << 16;
/** Slabs a 32-bit position can address. */
const MAX_SLABS = 2 ** 32 / SLAB;

export class SharedStrings {
  private readonly slabs: Buffer[] = [];
  private slab: Buffer | undefined;
  private pos = 0;
  /** Per string: slab number × SLAB + offset of its length prefix. */
  private readonly index: Uint32Array[] = [];
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(s: string): void {
    // Callers bound a string to far less than a slab (import.xlsx.maxCellChars); a longer one gets a slab of its own.
    const max = s.length * 3 + 5;
    if (!this.slab || this.pos + max > this.slab.length) {
      if (this.slabs.length >= MAX_SLABS) throw new RangeError('shared strings exceed 4 GiB');
      this.slab = Buffer.allocUnsafe(Math.max(SLAB, max));
      this.slabs.push(this.slab);
      this.pos = 0;
    }
    const slab = this.slab;
    const at = this.pos;
    // Bytes first, after room for the longest prefix, then the prefix and a move if it was shorter.
    const len = slab.write(s, at + 5, 'utf8');
    let p = at;
    for (let v = len; ;) {
      if (v < 0x80) {
        slab[p++] = v;
        break;
      }
      slab[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    if (p !== at + 5) slab.copy(slab, p, at + 5, at + 5 + len);
    this.pos = p + len;
    // An oversized string's slab takes nothing after it: positions past SLAB would point into the next slab.
    if (slab.length > SLAB) this.pos = slab.length;
    const b = this.n >>> 16;
    if (b === this.index.length) this.index.push(new Uint32Array(BLOCK));
    this.index[b]![this.n & (BLOCK - 1)] = (this.slabs.length - 1) * SLAB + at;
    this.n++;
  }

  /** The i-th string, or undefined past the end. */
  get(i: number): string | undefined {
    if (!(i >= 0 && i < this.n) || !Number.isInteger(i)) return undefined;
    const ref = this.index[i >>> 16]![i & (BLOCK - 1)]!;
    const slab = this.slabs[Math.floor(ref / SLAB)]!;
    let p = ref % SLAB;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = slab[p++]!;
      len += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    return slab.toString('utf8', p, p + len);
  }
}
