/**
 * Attempt records as the reports see them: one per closed attempt, parsed
 * from the campaign's history stream (lib/store/lua/dial-close.lua writes it)
 * and joined with agent dispositions. Pure.
 */
import { isResultCode, resultName } from '../results';

/** The subset of an analysis verdict the reports read (lib/media/types.ts Verdict). */
export interface VerdictLike {
  kind: string;
  atMs?: number;
}

export interface AttemptRecord {
  /** Redis stream id of the history entry (a replay position). */
  id: string;
  campaignId: string;
  attemptId: string;
  ref: string;
  listId: string;
  contactId: string;
  attemptNo: number;
  code: number;
  codeName: string;
  final: boolean;
  /** When the attempt was closed (epoch ms). */
  at: number;
  agentId?: string;
  phone?: string;
  startedAt?: number;
  answeredAt?: number;
  personAt?: number;
  bridgedAt?: number;
  endedAt?: number;
  sipStatus?: number;
  endedBy?: string;
  trunk?: string;
  /** Why it was never dialled (do-not-call, hours, no number…). */
  skipped?: string;
  /** When the consent announcement had been played to its end. */
  consentAt?: number;
  /** The analysis was not sure; the notSure policy that was applied (person, machine, agent-decides). */
  notSure?: string;
  /** When an agent's disposition re-coded the attempt (a `recode` history entry, or lib/reports/not-sure.ts): the code it closed with. */
  closedCode?: number;
  /** Who re-coded it and when (the `recode` history entry, lib/store/lua/dial-recode.lua). */
  recodedBy?: string;
  recodedAt?: number;
  verdicts: VerdictLike[];
  /** The call's recording, from its `recording` entry in the same stream (joined by readAttempts). */
  recording?: RecordingEntry;
}

/** A `recording` entry of the history stream (lib/store/recordings.ts appendRecordingToHistory). */
export interface RecordingEntry {
  id: string;
  attemptId: string;
  agentId?: string;
  status: string;
  from: string;
  startedAt?: number;
  durationMs?: number;
  bytes?: number;
  error?: string;
  /** When the recording ended (epoch ms). */
  at: number;
}

/** What an agent entered after a call (lib/store/agent-dispositions.ts DispositionRecord). */
export interface DispositionLike {
  attemptId: string;
  agentId: string;
  disposition?: string;
  note?: string;
  at: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Parses one history stream entry; null for entries that are not attempt records. */
export function parseHistoryEntry(campaignId: string, id: string, f: Record<string, string>): AttemptRecord | null {
  if (f.type !== 'attempt') return null;
  let data: Record<string, unknown> = {};
  try {
    data = f.data ? (JSON.parse(f.data) as Record<string, unknown>) : {};
  } catch {
    data = {};
  }
  const ref = f.ref ?? '';
  const sep = ref.indexOf(':');
  const code = Number(f.code);
  const verdicts = Array.isArray(data.verdicts)
    ? (data.verdicts as unknown[]).filter(
        (v): v is VerdictLike => typeof v === 'object' && v !== null && typeof (v as VerdictLike).kind === 'string',
      )
    : [];
  return {
    id,
    campaignId,
    attemptId: f.attemptId ?? '',
    ref,
    listId: sep >= 0 ? ref.slice(0, sep) : '',
    contactId: sep >= 0 ? ref.slice(sep + 1) : ref,
    attemptNo: Number(f.attemptNo ?? 0),
    code,
    codeName: isResultCode(code) ? resultName(code) : `code_${code}`,
    final: f.final === '1',
    at: Number(f.at),
    agentId: str(f.agent) ?? str(data.agentId),
    phone: str(data.phone),
    startedAt: num(data.startedAt),
    answeredAt: num(data.answeredAt),
    personAt: num(data.personAt),
    bridgedAt: num(data.bridgedAt),
    endedAt: num(data.endedAt),
    sipStatus: num(data.sipStatus),
    endedBy: str(data.endedBy),
    trunk: str(data.trunk),
    skipped: str(data.skipped),
    consentAt: num(data.consentAt),
    notSure: str(data.notSure),
    verdicts,
  };
}

/** A `recode` entry of the history stream: an agent's disposition changed a closed attempt's result. */
export interface RecodeEntry {
  attemptId: string;
  from: number;
  code: number;
  final: boolean;
  by: string;
  at: number;
}

/** Parses a `recode` history entry; null for other entries. */
export function parseRecodeEntry(f: Record<string, string>): RecodeEntry | null {
  if (f.type !== 'recode' || !f.attemptId) return null;
  return { attemptId: f.attemptId, from: Number(f.from), code: Number(f.code), final: f.final === '1', by: f.by ?? '', at: Number(f.at) };
}

/**
 * Folds `recode` entries (in stream order) into their attempts: one result per attempt, the last one
 * written, with the code it closed with and who changed it.
 */
export function applyRecodes(records: AttemptRecord[], recodes: readonly RecodeEntry[]): void {
  if (recodes.length === 0) return;
  const byAttempt = new Map(records.map((r) => [r.attemptId, r]));
  for (const e of recodes) {
    const r = byAttempt.get(e.attemptId);
    if (!r) continue;
    r.closedCode ??= r.code;
    r.code = e.code;
    r.codeName = isResultCode(e.code) ? resultName(e.code) : `code_${e.code}`;
    r.final = e.final;
    r.recodedBy = e.by;
    r.recodedAt = e.at;
  }
}

/** Parses a `recording` history entry; null for other entries. */
export function parseRecordingEntry(f: Record<string, string>): RecordingEntry | null {
  if (f.type !== 'recording') return null;
  let data: Record<string, unknown> = {};
  try {
    data = f.data ? (JSON.parse(f.data) as Record<string, unknown>) : {};
  } catch {
    data = {};
  }
  const id = str(data.recordingId);
  if (!id || !f.attemptId) return null;
  return {
    id,
    attemptId: f.attemptId,
    agentId: str(f.agent),
    status: str(data.status) ?? 'done',
    from: str(data.from) ?? 'bridge',
    startedAt: num(data.startedAt),
    durationMs: num(data.durationMs),
    bytes: num(data.bytes),
    error: str(data.error),
    at: Number(f.at),
  };
}

/** Talk time of a bridged call, ms (bridge to end). */
export const talkMs = (r: AttemptRecord): number | undefined =>
  r.bridgedAt !== undefined && r.endedAt !== undefined && r.endedAt >= r.bridgedAt ? r.endedAt - r.bridgedAt : undefined;

/** Wrap-up time: from the end of the call to the disposition, ms. */
export const wrapUpMs = (r: AttemptRecord, d: DispositionLike | undefined): number | undefined => {
  const end = r.endedAt ?? r.at;
  return d && d.at >= end ? d.at - end : undefined;
};

export interface TimeRange {
  /** Inclusive, epoch ms. */
  from?: number;
  /** Exclusive, epoch ms. */
  to?: number;
}

export const inRange = (at: number, r: TimeRange): boolean => (r.from === undefined || at >= r.from) && (r.to === undefined || at < r.to);
