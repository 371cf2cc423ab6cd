/**
 * One call placed and watched to its end: the engine of `dialer call` and of
 * the shared contract suite. Works with any TelephonyDriver.
 */
import type { EndCause, LegEvent, OriginateRequest, TelephonyDriver } from './contract';
import type { Verdict } from '../media/types';
import { decideResult, resultName, type ResultCode } from '../results';

export interface TestCallOptions {
  /** Hang up this long after the answer (the far end may hang up first). */
  hangupAfterMs?: number;
  /** Hang up as soon as analysis of the answered audio gives a verdict (human, machine, fax, silence, notsure). */
  hangupOnVerdict?: boolean;
  /** Every event of this leg as it happens. */
  onEvent?(e: LegEvent): void;
  /** Give up (hang up) after this long in all (safety net), default ring timeout + 60 s. */
  maxMs?: number;
}

export interface TestCallResult {
  legId: string;
  events: LegEvent[];
  verdicts: Verdict[];
  end: EndCause;
  resultCode: ResultCode;
  resultName: string;
  /** From INVITE to end, ms. */
  durationMs: number;
}

const DECIDING = new Set(['human', 'machine', 'fax', 'silence', 'notsure', 'beep', 'announcement']);

export async function testCall(driver: TelephonyDriver, req: OriginateRequest, opts: TestCallOptions = {}): Promise<TestCallResult> {
  const events: LegEvent[] = [];
  const started = Date.now();
  let legId: string | undefined;
  const early: LegEvent[] = [];
  let resolveEnd!: (c: EndCause) => void;
  const ended = new Promise<EndCause>((r) => (resolveEnd = r));
  let hangupTimer: NodeJS.Timeout | undefined;
  const hangup = () => {
    if (legId) driver.hangup(legId).catch(() => undefined);
  };
  const handle = (e: LegEvent) => {
    events.push(e);
    opts.onEvent?.(e);
    if (e.type === 'answer' && opts.hangupAfterMs !== undefined) hangupTimer = setTimeout(hangup, opts.hangupAfterMs);
    if (e.type === 'verdict' && opts.hangupOnVerdict && e.phase === 'answered' && DECIDING.has(e.verdict.kind)) hangup();
    if (e.type === 'end') resolveEnd(e.cause);
  };
  const off = driver.onEvent((e) => {
    if (legId === undefined) early.push(e);
    else if (e.legId === legId) handle(e);
  });
  const safety = setTimeout(hangup, opts.maxMs ?? req.ringTimeoutMs + 60000);
  try {
    legId = await driver.originate(req);
    // Events that raced originate()'s resolution.
    for (const e of early.splice(0)) if (e.legId === legId) handle(e);
    const end = await ended;
    const verdicts = events.flatMap((e) => (e.type === 'verdict' ? [e.verdict] : []));
    const resultCode = decideResult({ end, verdicts, connected: false });
    return { legId, events, verdicts, end, resultCode, resultName: resultName(resultCode), durationMs: Date.now() - started };
  } finally {
    off();
    clearTimeout(safety);
    clearTimeout(hangupTimer);
  }
}
