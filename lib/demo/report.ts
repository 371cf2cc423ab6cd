/**
 * What the demo prints, as pure functions of what happened: one line per
 * ended attempt, a periodic progress line, and the final summary (result
 * codes and agent figures) computed from the campaign's attempt history.
 */
import { RESULT_CODES, isResultCode } from '../results/codes';

export interface CallLine {
  contactId: string;
  phone: string;
  code: number;
  name: string;
  agentId?: string;
  /** False when the contact will be dialled again (retry policy). */
  final: boolean;
  /** Why it was not dialled (do-not-call, no number…), when it was not. */
  skipped?: string;
}

export interface Progress {
  /** Contacts dialled or resolved without dialling so far. */
  dialled: number;
  total: number;
  /** Contacts with a final result. */
  finished: number;
  inFlight: number;
  agents: { ready: number; talking: number; wrapUp: number };
}

export interface CodeCount {
  code: number;
  name: string;
  count: number;
}

export interface AgentFigures {
  agentId: string;
  /** Customers bridged to the agent. */
  calls: number;
  talkSec: number;
}

export interface Summary {
  contacts: number;
  attempts: number;
  /** Contacts whose last attempt was final. */
  finished: number;
  codes: CodeCount[];
  agents: AgentFigures[];
}

export interface HistoryRow {
  fields: Record<string, string>;
}

export const codeName = (code: number): string => (isResultCode(code) ? RESULT_CODES[code].name : `code_${code}`);

/** Summary of a campaign's attempt history (lib/store/dial-queue.ts `history()`). */
export function summarize(history: readonly HistoryRow[], contacts: number, agentIds: readonly string[] = []): Summary {
  const byCode = new Map<number, number>();
  const finals = new Set<string>();
  const agents = new Map<string, AgentFigures>(agentIds.map((id) => [id, { agentId: id, calls: 0, talkSec: 0 }]));
  let attempts = 0;
  for (const { fields: f } of history) {
    if (f.type !== undefined && f.type !== 'attempt') continue;
    attempts++;
    const code = Number(f.code);
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
    if (f.final === '1' && f.ref) finals.add(f.ref);
    const data = parseData(f.data);
    if (f.agent && typeof data.bridgedAt === 'number') {
      const a = agents.get(f.agent) ?? { agentId: f.agent, calls: 0, talkSec: 0 };
      a.calls++;
      if (typeof data.endedAt === 'number') a.talkSec += Math.max(0, data.endedAt - data.bridgedAt) / 1000;
      agents.set(f.agent, a);
    }
  }
  return {
    contacts,
    attempts,
    finished: finals.size,
    codes: [...byCode].sort(([a], [b]) => a - b).map(([code, count]) => ({ code, name: codeName(code), count })),
    agents: [...agents.values()]
      .sort((a, b) => a.agentId.localeCompare(b.agentId, 'en', { numeric: true }))
      .map((a) => ({ ...a, talkSec: Math.round(a.talkSec * 10) / 10 })),
  };
}

function parseData(s: string | undefined): Record<string, unknown> {
  if (!s) return {};
  try {
    const v: unknown = JSON.parse(s);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function formatCall(c: CallLine, done: number, total: number): string {
  const n = String(total).length;
  const who = c.agentId ? `  agent ${c.agentId}` : c.skipped ? `  (not dialled: ${c.skipped})` : '';
  const again = c.final ? '' : '  (will retry)';
  return `[${String(done).padStart(n)}/${total}] ${c.contactId.padEnd(5)} ${c.phone.padEnd(14)} ${String(c.code).padStart(2)} ${c.name.padEnd(19)}${who}${again}`.trimEnd();
}

export function formatProgress(p: Progress): string {
  return `-- ${p.dialled}/${p.total} dialled, ${p.finished} finished, ${p.inFlight} in flight; agents: ${p.agents.ready} ready, ${p.agents.talking} talking, ${p.agents.wrapUp} in wrap-up`;
}

/** The summary as a text table (result codes, then agent figures). */
export function formatSummary(s: Summary): string[] {
  const lines = ['', 'result codes', '  code  name                 count'];
  for (const c of s.codes) lines.push(`  ${String(c.code).padStart(4)}  ${c.name.padEnd(19)}  ${String(c.count).padStart(5)}`);
  lines.push(
    `  ${''.padStart(4)}  ${'total'.padEnd(19)}  ${String(s.attempts).padStart(5)}   (${s.contacts} contacts, ${s.finished} finished)`,
  );
  if (s.agents.length > 0) {
    lines.push('', 'agents', '  agent  calls  talk s');
    for (const a of s.agents) lines.push(`  ${a.agentId.padEnd(5)}  ${String(a.calls).padStart(5)}  ${a.talkSec.toFixed(1).padStart(6)}`);
  }
  return lines;
}
