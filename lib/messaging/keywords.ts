/**
 * Inbound SMS keywords (seed 003; CTIA / carrier practice): the whole message,
 * trimmed and case-insensitive, is the keyword. Campaign custom keywords are
 * checked first so a campaign may answer e.g. "BALANCE" with its own text, but
 * may not redefine the opt-out words (an opt-out must always work). Pure.
 */
export const OPT_OUT = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'] as const;
export const OPT_IN = ['START', 'YES', 'UNSTOP'] as const;
export const HELP = ['HELP', 'INFO'] as const;

export interface CustomKeyword {
  keyword: string;
  reply: string;
}

export type KeywordAction =
  | { action: 'opt-out'; keyword: string }
  | { action: 'opt-in'; keyword: string }
  | { action: 'help'; keyword: string }
  | { action: 'custom'; keyword: string; reply: string }
  | { action: 'none' };

/** Normalised form: trimmed, upper case, inner runs of white space as one space, trailing punctuation dropped. */
export function normalizeKeyword(text: string): string {
  return text
    .normalize('NFKC')
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[.!。！]+$/u, '')
    .toUpperCase();
}

export const RESERVED = new Set<string>([...OPT_OUT, ...OPT_IN, ...HELP]);

export function classify(text: string, custom: readonly CustomKeyword[] = []): KeywordAction {
  const k = normalizeKeyword(text);
  if ((OPT_OUT as readonly string[]).includes(k)) return { action: 'opt-out', keyword: k };
  if ((OPT_IN as readonly string[]).includes(k)) return { action: 'opt-in', keyword: k };
  if ((HELP as readonly string[]).includes(k)) return { action: 'help', keyword: k };
  const c = custom.find((x) => normalizeKeyword(x.keyword) === k);
  if (c) return { action: 'custom', keyword: k, reply: c.reply };
  return { action: 'none' };
}

/** Problems with a campaign's custom keywords (reserved words, duplicates, blanks). */
export function customKeywordProblems(custom: readonly CustomKeyword[]): string[] {
  const errs: string[] = [];
  const seen = new Set<string>();
  for (const c of custom) {
    const k = normalizeKeyword(c.keyword);
    if (!k) errs.push('a custom keyword is empty');
    else if (RESERVED.has(k)) errs.push(`custom keyword "${c.keyword}" is reserved (opt-out, opt-in and help words cannot be redefined)`);
    else if (seen.has(k)) errs.push(`custom keyword "${c.keyword}" is given twice`);
    seen.add(k);
    if (!c.reply.trim()) errs.push(`custom keyword "${c.keyword}" has an empty reply`);
  }
  return errs;
}
