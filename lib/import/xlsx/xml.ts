/**
 * A streaming scanner for the small part of XML that SpreadsheetML uses
 * (ECMA-376 Part 1 §18): elements, attributes, text, CDATA, comments and
 * processing instructions. No DOCTYPE (so no entity expansion), no
 * namespaces beyond dropping the prefix. It never holds more than one
 * unfinished tag (`maxTagLength`) between chunks; text is handed on in pieces
 * as it arrives, so the consumer decides how much of it to keep — which is
 * what lets a 600 MB shared string be refused after its first 32 KB instead
 * of after all of it.
 */
import { ImportFileError } from '../decode';

export interface XmlHandler {
  open(name: string, attrs: string, selfClosing: boolean): void;
  close(name: string): void;
  /** Raw text (entities not yet decoded); one text node may come in several pieces. */
  text(raw: string): void;
}

const bad = (part: string, why: string) => new ImportFileError(`not a readable XLSX workbook: ${part}: ${why}`);

/** Local name of a tag: `x:row` → `row`. */
function localName(tag: string): string {
  const c = tag.indexOf(':');
  return c < 0 ? tag : tag.slice(c + 1);
}

export class XmlScanner {
  private rest = '';

  constructor(
    private readonly part: string,
    private readonly h: XmlHandler,
    private readonly maxTagLength = 64 * 1024,
  ) {}

  write(chunk: string): void {
    const s = this.rest ? this.rest + chunk : chunk;
    this.rest = '';
    const n = s.length;
    let i = 0;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt < 0) {
        this.h.text(s.slice(i));
        return;
      }
      if (lt > i) this.h.text(s.slice(i, lt));
      const end = this.markup(s, lt);
      if (end < 0) {
        this.rest = s.slice(lt);
        if (this.rest.length > this.maxTagLength) throw bad(this.part, `a tag longer than ${this.maxTagLength} characters`);
        return;
      }
      i = end;
    }
  }

  end(): void {
    if (this.rest) throw bad(this.part, 'it ends inside a tag');
  }

  /** Handles the markup starting at `lt`; returns the index after it, or -1 if it is not complete yet. */
  private markup(s: string, lt: number): number {
    const c1 = s.charCodeAt(lt + 1);
    if (Number.isNaN(c1)) return -1;
    if (c1 === 0x3f /* ? */) {
      const e = s.indexOf('?>', lt + 2);
      return e < 0 ? -1 : e + 2;
    }
    if (c1 === 0x21 /* ! */) {
      if (s.length < lt + 9) return -1;
      if (s.startsWith('<!--', lt)) {
        const e = s.indexOf('-->', lt + 4);
        return e < 0 ? -1 : e + 3;
      }
      if (s.startsWith('<![CDATA[', lt)) {
        const e = s.indexOf(']]>', lt + 9);
        if (e < 0) return -1;
        // Handed on escaped, so the consumer decodes every text the same way.
        this.h.text(
          s
            .slice(lt + 9, e)
            .replace(/&/g, '&amp;')
            .replace(/</g, '&lt;'),
        );
        return e + 3;
      }
      throw bad(this.part, 'DOCTYPE declarations are not allowed');
    }
    // Find the closing '>' outside quoted attribute values.
    let j = lt + 1;
    for (;;) {
      const gt = s.indexOf('>', j);
      if (gt < 0) return -1;
      const q = firstQuote(s, j, gt);
      if (q < 0) {
        this.tag(s, lt, gt);
        return gt + 1;
      }
      const qe = s.indexOf(s[q]!, q + 1);
      if (qe < 0) return -1;
      j = qe + 1;
    }
  }

  private tag(s: string, lt: number, gt: number): void {
    if (s.charCodeAt(lt + 1) === 0x2f /* / */) {
      this.h.close(localName(s.slice(lt + 2, gt).trim()));
      return;
    }
    const selfClosing = s.charCodeAt(gt - 1) === 0x2f;
    const body = s.slice(lt + 1, selfClosing ? gt - 1 : gt);
    let k = 0;
    while (k < body.length) {
      const c = body.charCodeAt(k);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) break;
      k++;
    }
    this.h.open(localName(body.slice(0, k)), body.slice(k), selfClosing);
    if (selfClosing) this.h.close(localName(body.slice(0, k)));
  }
}

/** The first quote character in s[from, to), or -1 (a bounded scan: indexOf would search the whole chunk). */
function firstQuote(s: string, from: number, to: number): number {
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x22 || c === 0x27) return k;
  }
  return -1;
}

const attrRes = new Map<string, RegExp>();

/** The value of attribute `name` (qualified as written, e.g. `r:id`) in a tag's attribute text. */
export function attr(attrs: string, name: string): string | undefined {
  let re = attrRes.get(name);
  if (!re) {
    re = new RegExp(`(?:^|\\s)${name.replace(/[.:]/g, '\\$&')}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
    attrRes.set(name, re);
  }
  const m = re.exec(attrs);
  return m ? decodeXml(m[1] ?? m[2]!) : undefined;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML character references and the five predefined entities; anything else stays as written. */
export function decodeXml(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (m, e: string) => {
    if (e[0] !== '#') return NAMED[e]!;
    const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

/** OOXML's escape for characters XML cannot carry, `_x000D_` (ECMA-376 Part 1 §22.9.2.19 ST_Xstring). */
export function decodeXstring(s: string): string {
  if (s.indexOf('_x') < 0) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}
