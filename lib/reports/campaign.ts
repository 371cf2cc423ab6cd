/**
 * The campaign report and the per-result-code report: pure functions over
 * attempt records, so that every number can be checked against the history it
 * came from.
 */
import { LIVE_ANSWER_CODES, RESULT_CODES, isResultCode, resultName } from '../results';
import { inRange, talkMs, wrapUpMs, type AttemptRecord, type DispositionLike, type TimeRange } from './records';

export const DAY_MS = 86_400_000;
/** The regulatory windows the abandon rate is reported over (e.g. Ofcom: 24 h; FTC TSR: 30 days). */
export const ABANDON_WINDOWS = { last24h: DAY_MS, last30d: 30 * DAY_MS } as const;

export interface AbandonRate {
  /** Code-14 attempts (system abandon). */
  abandoned: number;
  /** Attempts a person answered live (codes 1, 9, 14, 20). */
  live: number;
  /** abandoned ÷ live, 0 when nothing was answered. */
  rate: number;
}

export interface CampaignReport {
  campaignId: string;
  range: TimeRange;
  attempts: number;
  /** Distinct contacts attempted. */
  contacts: number;
  /** Attempts actually placed (excludes do-not-call, no number, pre-dial errors). */
  dialed: number;
  /** Never dialled: do-not-call (10), no number (31), pre-dial system error (19). */
  skipped: number;
  /** A person answered live (codes 1, 9, 14, 20). */
  liveAnswers: number;
  /** Bridged to an agent or bot (code 20). */
  connects: number;
  byCode: Record<string, number>;
  dispositions: Record<string, number>;
  abandon: { range: AbandonRate; last24h: AbandonRate; last30d: AbandonRate };
  avgTalkSec: number | null;
  avgWrapUpSec: number | null;
  /** Dialed attempts per hour over the range (or first to last attempt when open). */
  contactsPerHour: number | null;
  firstAt: number | null;
  lastAt: number | null;
}

const isLive = (code: number) => isResultCode(code) && LIVE_ANSWER_CODES.includes(code);
const isDialed = (code: number) => isResultCode(code) && RESULT_CODES[code].dialed;

export function abandonRate(records: readonly AttemptRecord[]): AbandonRate {
  let abandoned = 0;
  let live = 0;
  for (const r of records) {
    if (isLive(r.code)) live++;
    if (r.code === 14) abandoned++;
  }
  return { abandoned, live, rate: live === 0 ? 0 : abandoned / live };
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
const round = (x: number | null, d = 3): number | null => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

export function campaignReport(
  campaignId: string,
  all: readonly AttemptRecord[],
  dispositions: ReadonlyMap<string, DispositionLike>,
  opts: { now: number; range?: TimeRange },
): CampaignReport {
  const range = opts.range ?? {};
  const records = all.filter((r) => inRange(r.at, range));
  const byCode: Record<string, number> = {};
  const disp: Record<string, number> = {};
  const contacts = new Set<string>();
  const talks: number[] = [];
  const wraps: number[] = [];
  let dialed = 0;
  let connects = 0;
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  for (const r of records) {
    byCode[r.code] = (byCode[r.code] ?? 0) + 1;
    contacts.add(r.ref);
    if (isDialed(r.code)) dialed++;
    if (r.code === 20) connects++;
    const t = talkMs(r);
    if (t !== undefined) talks.push(t);
    const d = dispositions.get(r.attemptId);
    if (d?.disposition) disp[d.disposition] = (disp[d.disposition] ?? 0) + 1;
    const w = wrapUpMs(r, d);
    if (w !== undefined) wraps.push(w);
    const start = r.startedAt ?? r.at;
    firstAt = firstAt === null ? start : Math.min(firstAt, start);
    lastAt = lastAt === null ? r.at : Math.max(lastAt, r.at);
  }
  const spanFrom = range.from ?? firstAt;
  const spanTo = range.to !== undefined ? Math.min(range.to, opts.now) : lastAt;
  const spanH = spanFrom !== null && spanTo !== null ? (spanTo - spanFrom) / 3_600_000 : 0;
  const window = (ms: number) => abandonRate(all.filter((r) => r.at > opts.now - ms && r.at <= opts.now));
  const live = abandonRate(records);
  return {
    campaignId,
    range,
    attempts: records.length,
    contacts: contacts.size,
    dialed,
    skipped: records.length - dialed,
    liveAnswers: live.live,
    connects,
    byCode,
    dispositions: disp,
    abandon: { range: live, last24h: window(ABANDON_WINDOWS.last24h), last30d: window(ABANDON_WINDOWS.last30d) },
    avgTalkSec: round(mean(talks) === null ? null : mean(talks)! / 1000),
    avgWrapUpSec: round(mean(wraps) === null ? null : mean(wraps)! / 1000),
    // Under a minute of activity gives no meaningful hourly rate.
    contactsPerHour: spanH >= 1 / 60 ? round(dialed / spanH, 2) : null,
    firstAt,
    lastAt,
  };
}

export interface CodeRow {
  code: number;
  name: string;
  attempts: number;
  /** Share of all attempts in the range, 0..1. */
  share: number;
  /** Attempts with this code that ended the contact (no retry). */
  final: number;
  contacts: number;
}

/** One row per result code seen in the range, ascending by code. */
export function resultCodeReport(all: readonly AttemptRecord[], range: TimeRange = {}): CodeRow[] {
  const records = all.filter((r) => inRange(r.at, range));
  const rows = new Map<number, { attempts: number; final: number; contacts: Set<string> }>();
  for (const r of records) {
    const row = rows.get(r.code) ?? { attempts: 0, final: 0, contacts: new Set<string>() };
    row.attempts++;
    if (r.final) row.final++;
    row.contacts.add(r.ref);
    rows.set(r.code, row);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([code, row]) => ({
      code,
      name: isResultCode(code) ? resultName(code) : `code_${code}`,
      attempts: row.attempts,
      share: records.length === 0 ? 0 : Math.round((row.attempts / records.length) * 10000) / 10000,
      final: row.final,
      contacts: row.contacts.size,
    }));
}
