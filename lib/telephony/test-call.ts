/**
 * One call placed and watched to its end: the engine of `dialer call` and of
 * the shared contract suite. Works with any TelephonyDriver.
 */
import type { EndCause, LegEvent, OriginateRequest, TelephonyDriver } from './contract';
import type { Verdict } from '../media/types';
import { decideResult, resultName, type ResultCode } from '../results';
import { initialCall, step, type FlowConfig, type FlowEvent } from '../dialer/call-flow';

export interface TestCallOptions {
  /** Hang up this long after the answer (the far end may hang up first). */
  hangupAfterMs?: number;
  /** Hang up as soon as analysis of the answered audio gives a verdict (human, machine, fax, silence, notsure). */
  hangupOnVerdict?: boolean;
  /** Every event of this leg as it happens. */
  onEvent?(e: LegEvent): void;
  /** Give up (hang up) after this long in all (safety net), default ring timeout + 60 s. */
  maxMs?: number;
  /**
   * Decide as a campaign does: every event goes through lib/dialer/call-flow's
   * `step`, and its hang-up effects are carried out — a CANCEL on an early-media
   * SIT, busy tone, announcement or fax verdict, a BYE on a machine, silence or
   * "not sure". A person (where a campaign would reserve an agent) ends the
   * test call too: there is no agent to connect. The result code is the flow's.
   */
  flow?: boolean;
}

/** The call flow of an agent campaign with the shipped defaults (a test call has no agents). */
const TEST_FLOW: FlowConfig = {
  mode: 'agents',
  abandonThresholdMs: 2000,
  humanVerdictGapMs: 0,
  notSure: 'machine', // no agent to decide: a not-sure answer is hung up on
  voicemailDrop: false,
  reserveRetryMs: 1000,
};

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
  let flow = initialCall();
  let flowCode: ResultCode | undefined;
  const feedFlow = (e: LegEvent) => {
    let fe: FlowEvent | undefined;
    if (e.type === 'answer') fe = { type: 'answer', at: e.at };
    else if (e.type === 'verdict') fe = { type: 'verdict', at: e.at, verdict: e.verdict, phase: e.phase };
    else if (e.type === 'end') fe = { type: 'end', at: e.at, cause: e.cause };
    if (!fe) return;
    const out = step(flow, fe, TEST_FLOW);
    flow = out.state;
    for (const fx of out.effects) {
      if (fx.type === 'hangup' || fx.type === 'reserve-agent' || fx.type === 'connect-bot') hangup();
      else if (fx.type === 'close') flowCode = fx.code;
    }
  };
  const handle = (e: LegEvent) => {
    events.push(e);
    opts.onEvent?.(e);
    if (opts.flow) feedFlow(e);
    if (e.type === 'answer' && opts.hangupAfterMs !== undefined) hangupTimer = setTimeout(hangup, opts.hangupAfterMs);
    if (e.type === 'verdict' && opts.hangupOnVerdict && !opts.flow && e.phase === 'answered' && DECIDING.has(e.verdict.kind)) hangup();
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
    const resultCode = flowCode ?? decideResult({ end, verdicts, connected: false });
    return { legId, events, verdicts, end, resultCode, resultName: resultName(resultCode), durationMs: Date.now() - started };
  } finally {
    off();
    clearTimeout(safety);
    clearTimeout(hangupTimer);
  }
}
