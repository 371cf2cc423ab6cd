/**
 * Return-call reports (issue 18): how many people rang a campaign's caller ID
 * back, per day, and which share of the campaign's non-answered numbers did.
 * Computed from the campaign's history stream: the `inbound` records that
 * inbound-link.lua writes for every matched return call beside the attempt
 * records. Pure.
 *
 * Definitions:
 * - a return call is one `inbound` record (one inbound call matched to one
 *   contact of a list the campaign uses); `callers` counts distinct contacts;
 * - a non-answered number is a contact with at least one dialled attempt in
 *   the range and no live answer among them (LIVE_ANSWER_CODES: answered,
 *   customer hung up, system abandon, connected);
 * - it called back when an `inbound` record of that contact lies in the range
 *   at or after its first dialled attempt.
 */
import { DateTime } from 'luxon';
import { LIVE_ANSWER_CODES, RESULT_CODES, isResultCode } from '../results';
import { inRange, type AttemptRecord, type TimeRange } from './records';
import type { Column } from './csv';

/** An `inbound` entry of the history stream. */
export interface InboundEntry {
  campaignId: string;
  inboundId: string;
  ref: string;
  at: number;
  /** inbound-link.lua: closed | pending | inflight | done | fresh | unknown. */
  outcome: string;
  did?: string;
  caller?: string;
}

export function parseInboundEntry(campaignId: string, f: Record<string, string>): InboundEntry | null {
  if (f.type !== 'inbound' || !f.inboundId || !f.ref) return null;
  let data: Record<string, unknown> = {};
  try {
    data = f.data ? (JSON.parse(f.data) as Record<string, unknown>) : {};
  } catch {
    data = {};
  }
  const at = Number(f.at);
  if (!Number.isFinite(at)) return null;
  return {
    campaignId,
    inboundId: f.inboundId,
    ref: f.ref,
    at,
    outcome: f.outcome ?? 'unknown',
    ...(typeof data.did === 'string' ? { did: data.did } : {}),
    ...(typeof data.caller === 'string' ? { caller: data.caller } : {}),
  };
}

export interface ReturnDayRow {
  campaignId: string;
  /** Calendar day in the report's time zone (YYYY-MM-DD). */
  day: string;
  returnCalls: number;
  callers: number;
  retriesClosed: number;
}

export interface ReturnSummary {
  campaignId: string;
  timeZone: string;
  returnCalls: number;
  callers: number;
  retriesClosed: number;
  nonAnswered: number;
  calledBack: number;
  /** calledBack / nonAnswered, 4 decimals; null without non-answered numbers. */
  calledBackShare: number | null;
}

const LIVE = new Set<number>(LIVE_ANSWER_CODES);
const dialled = (code: number) => isResultCode(code) && RESULT_CODES[code].dialed;

export function returnCallReport(
  campaignId: string,
  attempts: readonly AttemptRecord[],
  inbound: readonly InboundEntry[],
  opts: { range: TimeRange; timeZone: string },
): { summary: ReturnSummary; days: ReturnDayRow[] } {
  const calls = inbound.filter((e) => inRange(e.at, opts.range));
  const byDay = new Map<string, { calls: number; refs: Set<string>; closed: number }>();
  for (const e of calls) {
    const day = DateTime.fromMillis(e.at, { zone: opts.timeZone }).toISODate() ?? '';
    const d = byDay.get(day) ?? { calls: 0, refs: new Set<string>(), closed: 0 };
    d.calls++;
    d.refs.add(e.ref);
    if (e.outcome === 'closed') d.closed++;
    byDay.set(day, d);
  }
  const days = [...byDay.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([day, d]) => ({ campaignId, day, returnCalls: d.calls, callers: d.refs.size, retriesClosed: d.closed }));

  // First dialled attempt per contact, and whether any attempt reached a person.
  const first = new Map<string, number>();
  const answered = new Set<string>();
  for (const a of attempts) {
    if (!inRange(a.at, opts.range) || !dialled(a.code)) continue;
    first.set(a.ref, Math.min(first.get(a.ref) ?? Infinity, a.startedAt ?? a.at));
    if (LIVE.has(a.code)) answered.add(a.ref);
  }
  let nonAnswered = 0;
  let calledBack = 0;
  for (const [ref, at] of first) {
    if (answered.has(ref)) continue;
    nonAnswered++;
    if (calls.some((e) => e.ref === ref && e.at >= at)) calledBack++;
  }
  return {
    summary: {
      campaignId,
      timeZone: opts.timeZone,
      returnCalls: calls.length,
      callers: new Set(calls.map((e) => e.ref)).size,
      retriesClosed: calls.filter((e) => e.outcome === 'closed').length,
      nonAnswered,
      calledBack,
      calledBackShare: nonAnswered ? Math.round((calledBack / nonAnswered) * 10_000) / 10_000 : null,
    },
    days,
  };
}

export const RETURN_DAY_COLUMNS: readonly Column<ReturnDayRow>[] = [
  { header: 'campaign_id', value: (r) => r.campaignId },
  { header: 'day', value: (r) => r.day },
  { header: 'return_calls', value: (r) => r.returnCalls },
  { header: 'callers', value: (r) => r.callers },
  { header: 'retries_closed', value: (r) => r.retriesClosed },
];

export const RETURN_SUMMARY_COLUMNS: readonly Column<ReturnSummary>[] = [
  { header: 'campaign_id', value: (r) => r.campaignId },
  { header: 'return_calls', value: (r) => r.returnCalls },
  { header: 'callers', value: (r) => r.callers },
  { header: 'retries_closed', value: (r) => r.retriesClosed },
  { header: 'non_answered_numbers', value: (r) => r.nonAnswered },
  { header: 'called_back', value: (r) => r.calledBack },
  { header: 'called_back_share', value: (r) => r.calledBackShare },
];
