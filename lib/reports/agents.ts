/**
 * The per-agent report: calls, talk and wrap-up from the attempt history and
 * dispositions; time in ready/break/away from the agent state log that the
 * monitor keeps (lib/monitor/agent-log.ts). Pure.
 */
import { inRange, talkMs, wrapUpMs, type AttemptRecord, type DispositionLike, type TimeRange } from './records';

/** One agent state change (lib/agents/desk.ts DeskEvents['state']). */
export interface AgentTransition {
  agentId: string;
  from: string;
  to: string;
  at: number;
}

export interface AgentRow {
  agentId: string;
  calls: number;
  talkSec: number;
  avgTalkSec: number | null;
  wrapUpSec: number;
  avgWrapUpSec: number | null;
  /** Seconds spent in each state within the range (ready, break, away, talking, wrap_up…). */
  stateSec: Record<string, number>;
  dispositions: Record<string, number>;
}

/**
 * Time in each state, clipped to the range; the state after an agent's last
 * change lasts until `now` (or the end of the range). A state entered before
 * the range is known only from a change before it, so read the log from earlier.
 */
export function stateDurations(
  transitions: readonly AgentTransition[],
  now: number,
  range: TimeRange = {},
): Map<string, Record<string, number>> {
  const byAgent = new Map<string, AgentTransition[]>();
  for (const t of transitions) {
    const list = byAgent.get(t.agentId) ?? [];
    list.push(t);
    byAgent.set(t.agentId, list);
  }
  const lo = range.from ?? -Infinity;
  const hi = Math.min(range.to ?? Infinity, now);
  const out = new Map<string, Record<string, number>>();
  for (const [agentId, list] of byAgent) {
    list.sort((a, b) => a.at - b.at);
    const acc: Record<string, number> = {};
    list.forEach((t, i) => {
      const end = i + 1 < list.length ? list[i + 1]!.at : now;
      const ms = Math.min(end, hi) - Math.max(t.at, lo);
      if (ms > 0 && t.to !== 'logged_out') acc[t.to] = (acc[t.to] ?? 0) + ms;
    });
    out.set(agentId, Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, Math.round(v) / 1000])));
  }
  return out;
}

const avg = (total: number, n: number) => (n === 0 ? null : Math.round((total / n) * 1000) / 1000);

export function agentReport(
  records: readonly AttemptRecord[],
  dispositions: ReadonlyMap<string, DispositionLike>,
  transitions: readonly AgentTransition[],
  opts: { now: number; range?: TimeRange },
): AgentRow[] {
  const range = opts.range ?? {};
  const rows = new Map<
    string,
    { calls: number; talkMs: number; talks: number; wrapMs: number; wraps: number; disp: Record<string, number> }
  >();
  const row = (id: string) => {
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { calls: 0, talkMs: 0, talks: 0, wrapMs: 0, wraps: 0, disp: {} }));
    return r;
  };
  for (const rec of records) {
    if (!rec.agentId || !inRange(rec.at, range)) continue;
    const r = row(rec.agentId);
    r.calls++;
    const t = talkMs(rec);
    if (t !== undefined) {
      r.talkMs += t;
      r.talks++;
    }
    const d = dispositions.get(rec.attemptId);
    const w = wrapUpMs(rec, d);
    if (w !== undefined) {
      r.wrapMs += w;
      r.wraps++;
    }
    if (d?.disposition) r.disp[d.disposition] = (r.disp[d.disposition] ?? 0) + 1;
  }
  const states = stateDurations(transitions, opts.now, range);
  for (const id of states.keys()) row(id);
  return [...rows.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([agentId, r]) => ({
      agentId,
      calls: r.calls,
      talkSec: r.talkMs / 1000,
      avgTalkSec: avg(r.talkMs / 1000, r.talks),
      wrapUpSec: r.wrapMs / 1000,
      avgWrapUpSec: avg(r.wrapMs / 1000, r.wraps),
      stateSec: states.get(agentId) ?? {},
      dispositions: r.disp,
    }));
}
