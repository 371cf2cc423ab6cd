/**
 * CSV files that open correctly in Excel: UTF-8 with a byte-order mark (Excel
 * needs the BOM to read UTF-8), or Shift_JIS for older Japanese Excel set-ups;
 * CRLF line ends. Pure: rows in, bytes out.
 */
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import type { CodeRow } from './campaign';
import type { AgentRow } from './agents';
import { talkMs, type AttemptRecord, type DispositionLike, type RecordingEntry } from './records';
import { predictionOf } from './amd';
import { pastRetention } from '../domain/recording-retention';

export const CSV_ENCODINGS = ['utf-8', 'shift_jis'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
}

export function toCsv<T>(rows: readonly T[], columns: readonly Column<T>[], encoding: CsvEncoding = 'utf-8'): Buffer {
  const text = stringify(
    rows.map((r) =>
      columns.map((c) => {
        const v = c.value(r);
        return v === null || v === undefined ? '' : String(v);
      }),
    ),
    { header: true, columns: columns.map((c) => c.header), record_delimiter: 'windows' },
  );
  // Characters Shift_JIS lacks become '?' (iconv-lite's default), never a failure.
  return encoding === 'shift_jis'
    ? iconv.encode(text, 'Shift_JIS')
    : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

export const contentType = (encoding: CsvEncoding) => `text/csv; charset=${encoding === 'shift_jis' ? 'Shift_JIS' : 'utf-8'}`;

const iso = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? '' : new Date(ms).toISOString());

/**
 * The download path (GET /recordings/:id/audio) of an attempt's recording,
 * from the attempt history's own `recording` entry (joined by readAttempts):
 * a finished one still inside the retention period (lib/domain/recording-retention.ts:
 * past it the API serves it no more, even before the sweep deletes it). A
 * failed or running recording has nothing to download.
 */
export function recordingLink(entry: RecordingEntry | undefined, now: number, retentionDays: number): string | undefined {
  if (!entry || entry.status !== 'done') return undefined;
  if (pastRetention(entry.startedAt ?? entry.at, now, retentionDays)) return undefined;
  return `/recordings/${encodeURIComponent(entry.id)}/audio`;
}

export interface AttemptRow {
  record: AttemptRecord;
  disposition?: DispositionLike;
  /** The call recording's download path (GET /recordings/:id/audio), when the call was recorded. */
  recording?: string;
}

/** One line per attempt, including attempts never dialled (do-not-call, code 10; no number, code 31). */
export const ATTEMPT_COLUMNS: readonly Column<AttemptRow>[] = [
  { header: 'campaign_id', value: (r) => r.record.campaignId },
  { header: 'attempt_id', value: (r) => r.record.attemptId },
  { header: 'list_id', value: (r) => r.record.listId },
  { header: 'contact_id', value: (r) => r.record.contactId },
  { header: 'phone', value: (r) => r.record.phone },
  { header: 'attempt_no', value: (r) => r.record.attemptNo },
  { header: 'result_code', value: (r) => r.record.code },
  { header: 'result_name', value: (r) => r.record.codeName },
  { header: 'final', value: (r) => (r.record.final ? 1 : 0) },
  { header: 'closed_at', value: (r) => iso(r.record.at) },
  { header: 'started_at', value: (r) => iso(r.record.startedAt) },
  { header: 'answered_at', value: (r) => iso(r.record.answeredAt) },
  { header: 'bridged_at', value: (r) => iso(r.record.bridgedAt) },
  { header: 'ended_at', value: (r) => iso(r.record.endedAt) },
  {
    header: 'talk_sec',
    value: (r) => {
      const t = talkMs(r.record);
      return t === undefined ? '' : (t / 1000).toFixed(1);
    },
  },
  { header: 'agent_id', value: (r) => r.record.agentId },
  { header: 'disposition', value: (r) => r.disposition?.disposition },
  { header: 'note', value: (r) => r.disposition?.note },
  { header: 'amd_verdict', value: (r) => predictionOf(r.record.verdicts) },
  { header: 'sip_status', value: (r) => r.record.sipStatus },
  { header: 'trunk', value: (r) => r.record.trunk },
  { header: 'skipped_reason', value: (r) => r.record.skipped },
  { header: 'recording', value: (r) => r.recording },
];

export const CODE_COLUMNS: readonly Column<CodeRow>[] = [
  { header: 'result_code', value: (r) => r.code },
  { header: 'result_name', value: (r) => r.name },
  { header: 'attempts', value: (r) => r.attempts },
  { header: 'share', value: (r) => r.share },
  { header: 'final', value: (r) => r.final },
  { header: 'contacts', value: (r) => r.contacts },
];

export const AGENT_COLUMNS: readonly Column<AgentRow>[] = [
  { header: 'agent_id', value: (r) => r.agentId },
  { header: 'calls', value: (r) => r.calls },
  { header: 'talk_sec', value: (r) => r.talkSec },
  { header: 'avg_talk_sec', value: (r) => r.avgTalkSec },
  { header: 'wrap_up_sec', value: (r) => r.wrapUpSec },
  { header: 'avg_wrap_up_sec', value: (r) => r.avgWrapUpSec },
  { header: 'ready_sec', value: (r) => r.stateSec.ready ?? 0 },
  { header: 'break_sec', value: (r) => r.stateSec.break ?? 0 },
  { header: 'away_sec', value: (r) => r.stateSec.away ?? 0 },
  {
    header: 'dispositions',
    value: (r) =>
      Object.entries(r.dispositions)
        .map(([k, v]) => `${k}=${v}`)
        .join(';'),
  },
];
