/**
 * Reads what the reports are computed from: a campaign's history stream, its
 * dispositions, AMD review labels and the agent state log. I/O only; the
 * computations are in the sibling modules.
 */
import type { Redis } from 'ioredis';
import { keys } from '../store/keys';
import { dispositionsKey } from '../store/agent-dispositions';
import {
  applyRecodes,
  parseHistoryEntry,
  parseRecodeEntry,
  parseRecordingEntry,
  type AttemptRecord,
  type DispositionLike,
  type RecodeEntry,
  type RecordingEntry,
  type TimeRange,
} from './records';
import { AMD_TRUTHS, type AmdTruth } from './amd';
import type { AgentTransition } from './agents';
import { parseInboundEntry, type InboundEntry } from './return-calls';

const PAGE = 1000;

/** Every entry of a stream from `start` on, in pages (XRANGE with an exclusive start). */
async function* xrangeAll(redis: Redis, key: string, start = '-'): AsyncGenerator<[string, string[]]> {
  let from = start;
  for (;;) {
    const rows = (await redis.xrange(key, from, '+', 'COUNT', PAGE)) as [string, string[]][];
    for (const row of rows) yield row;
    if (rows.length < PAGE) return;
    from = `(${rows[rows.length - 1]![0]}`;
  }
}

const fieldsOf = (kv: string[]) => {
  const f: Record<string, string> = {};
  for (let i = 0; i < kv.length; i += 2) f[kv[i]!] = kv[i + 1]!;
  return f;
};

/**
 * The campaign's attempt records. The stream id's time is when Redis wrote the
 * entry, the `at` field the runner's clock; filter on `at` (in the reports).
 */
export async function readAttempts(redis: Redis, campaignId: string): Promise<AttemptRecord[]> {
  const out: AttemptRecord[] = [];
  const recordings = new Map<string, RecordingEntry>();
  const recodes: RecodeEntry[] = [];
  for await (const [id, kv] of xrangeAll(redis, keys.campaign(campaignId, 'history'))) {
    const f = fieldsOf(kv);
    const r = parseHistoryEntry(campaignId, id, f);
    if (r) out.push(r);
    const rc = parseRecodeEntry(f);
    if (rc) recodes.push(rc);
    // A recording ends around the attempt's close, before or after its entry: joined once all is read.
    const rec = parseRecordingEntry(f);
    if (rec) recordings.set(rec.attemptId, rec);
  }
  for (const r of out) {
    const rec = recordings.get(r.attemptId);
    if (rec) r.recording = rec;
  }
  // An agent who decided a not-sure call re-coded it after its close (lib/store/lua/dial-recode.lua).
  applyRecodes(out, recodes);
  return out;
}

/** The campaign's attempt records and its return-call (`inbound`) records, in one read of the stream. */
export async function readReturnCallData(
  redis: Redis,
  campaignId: string,
): Promise<{ attempts: AttemptRecord[]; inbound: InboundEntry[] }> {
  const attempts: AttemptRecord[] = [];
  const inbound: InboundEntry[] = [];
  const recodes: RecodeEntry[] = [];
  for await (const [id, kv] of xrangeAll(redis, keys.campaign(campaignId, 'history'))) {
    const f = fieldsOf(kv);
    const a = parseHistoryEntry(campaignId, id, f);
    if (a) attempts.push(a);
    const rc = parseRecodeEntry(f);
    if (rc) recodes.push(rc);
    const e = parseInboundEntry(campaignId, f);
    if (e) inbound.push(e);
  }
  applyRecodes(attempts, recodes);
  return { attempts, inbound };
}

export async function readDispositions(redis: Redis, campaignId: string): Promise<Map<string, DispositionLike>> {
  const h = await redis.hgetall(dispositionsKey(campaignId));
  const m = new Map<string, DispositionLike>();
  for (const [attemptId, json] of Object.entries(h)) {
    try {
      m.set(attemptId, JSON.parse(json) as DispositionLike);
    } catch {
      // A record this version cannot read is left out rather than failing the whole report.
    }
  }
  return m;
}

/** Reviewers' AMD labels: c:{c:<id>}:amd-labels  HASH attemptId → truth. */
export const amdLabelsKey = (campaignId: string) => keys.campaign(campaignId, 'amd-labels');

export async function readAmdLabels(redis: Redis, campaignId: string): Promise<Map<string, AmdTruth>> {
  const h = await redis.hgetall(amdLabelsKey(campaignId));
  return new Map(Object.entries(h).filter((e): e is [string, AmdTruth] => (AMD_TRUTHS as readonly string[]).includes(e[1])));
}

export async function saveAmdLabel(redis: Redis, campaignId: string, attemptId: string, truth: AmdTruth): Promise<void> {
  await redis.hset(amdLabelsKey(campaignId), attemptId, truth);
}

/** The agent state log the monitor appends to (lib/monitor/agent-log.ts). */
export const agentLogKey = keys.global('agent-log');

/** Agent state changes up to `range.to`, from early enough to know each agent's state when the range starts. */
export async function readAgentTransitions(redis: Redis, range: TimeRange = {}): Promise<AgentTransition[]> {
  const out: AgentTransition[] = [];
  for await (const [, kv] of xrangeAll(redis, agentLogKey)) {
    const f = fieldsOf(kv);
    const at = Number(f.at);
    if (range.to !== undefined && at >= range.to) continue;
    out.push({ agentId: f.agentId ?? '', from: f.from ?? '', to: f.to ?? '', at });
  }
  return out;
}
