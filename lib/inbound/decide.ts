/**
 * Pure decisions for one inbound call: which numbers the call was for and is
 * from (Request-URI/To, P-Asserted-Identity/From, normalised with lib/domain/phone),
 * and what the agent-group action does next while the caller waits.
 */
import { normalizePhone } from '../domain/phone';
import type { ForwardTarget, InboundAction } from './route';

/** Seed 004's default "forward on no answer after 20 s". */
export const DEFAULT_NO_ANSWER_SEC = 20;

/** The user part of a SIP/tel URI inside a header value (name-addr or addr-spec); undefined when none. */
export function uriUser(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const inner = /<([^>]+)>/.exec(value)?.[1] ?? value.split(';')[0]!.trim();
  const tel = /^tel:([^;]+)/i.exec(inner);
  if (tel) return decodeURIComponent(tel[1]!);
  const sip = /^sips?:([^@;]+)@/i.exec(inner);
  return sip ? decodeURIComponent(sip[1]!) : undefined;
}

/** A number key: E.164 when the library takes it in `region`, else the bare digits (short codes, extensions). */
export function numberKey(raw: string | undefined, region: string): string | undefined {
  if (!raw) return undefined;
  const p = normalizePhone(raw, region);
  if (p.ok) return p.e164;
  const digits = raw.replace(/[^0-9+*#]/g, '');
  return digits || undefined;
}

/** The DIDs to look a route up by, best first: the Request-URI's user, then To's (RFC 3261 §8.2.2.1 — a proxy may rewrite one). */
export function didCandidates(requestUri: string, to: string | undefined, region: string): string[] {
  const out: string[] = [];
  for (const u of [uriUser(requestUri), uriUser(to)]) {
    const k = numberKey(u, region);
    if (k && !out.includes(k)) out.push(k);
  }
  return out;
}

/**
 * The caller's number: P-Asserted-Identity (RFC 3325, set by the trusted
 * trunk) before From; none when the caller withheld it (Privacy: id, or an
 * anonymous From).
 */
export function callerNumber(h: { from?: string; pai?: string; privacy?: string }, region: string): string | undefined {
  for (const v of [h.pai, h.from]) {
    const u = uriUser(v);
    if (!u || /^anonymous$/i.test(u)) continue;
    const k = numberKey(u, region);
    if (k) return k;
  }
  return undefined;
}

export type AgentStep =
  { kind: 'connect' } | { kind: 'forward'; target: ForwardTarget; why: 'busy' | 'no-answer' } | { kind: 'wait' } | { kind: 'give-up' };

/**
 * One step of "ring the agent group" (seed 004): a reserved agent takes the
 * call; nobody ready on arrival with `busy` set forwards at once; otherwise the
 * caller waits (hold music) until an agent is ready or `afterSec` passes, and
 * then goes to `noAnswer` or gives up.
 */
export function agentGroupStep(
  a: Extract<InboundAction, { type: 'agents' }>,
  s: { reserved: boolean; waitedMs: number; /** The first look at the group, when the call arrives. */ first: boolean },
): AgentStep {
  if (s.reserved) return { kind: 'connect' };
  if (s.first && a.busy) return { kind: 'forward', target: a.busy, why: 'busy' };
  if (s.waitedMs >= (a.afterSec ?? DEFAULT_NO_ANSWER_SEC) * 1000)
    return a.noAnswer ? { kind: 'forward', target: a.noAnswer, why: 'no-answer' } : { kind: 'give-up' };
  return { kind: 'wait' };
}
