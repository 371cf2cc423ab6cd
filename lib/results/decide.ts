import type { EndCause } from '../telephony/contract';
import type { SitCode, Verdict } from '../media/types';
import type { ResultCode } from './codes';
import { DEFAULT_SIP_TABLE, resultFromSipStatus, type SipResultTable } from './sip-table';

/** What happened on one attempt, as the call flow saw it. */
export interface AttemptOutcome {
  /** How the customer leg ended. */
  end: EndCause;
  /** Verdicts in the order they arrived (early media and after answer). */
  verdicts: readonly Verdict[];
  /** Bridged to an agent or the bot/IVR URI. */
  connected: boolean;
  /** A person answered and no agent was free within the abandon threshold. */
  systemAbandoned?: boolean;
  /** Answered by a person and handled without agent (message broadcast). */
  messageDelivered?: boolean;
  /** The dialer hung the call up because it was stopping (a graceful stop), before it had a result. */
  interrupted?: boolean;
}

export interface DecideOptions {
  sipTable?: Readonly<SipResultTable>;
  /** SIT code → result code (tones-and-amd.md's suggested mapping by default). */
  sitTable?: Readonly<Partial<Record<SitCode, ResultCode>>>;
  /** The code of an attempt the dialer interrupted (dialer.runner.interruptedCode; 13 by default). */
  interruptedCode?: ResultCode;
}

export const DEFAULT_SIT_TABLE: Readonly<Record<SitCode, ResultCode>> = Object.freeze({ VC: 6, IC: 6, NC: 13, RO: 13, ITU: 6 });

/**
 * The one result code of an attempt. Order matters and follows the call:
 * a bridge wins; then what the far end said about itself in audio (fax,
 * announcements, SIT, busy tone, machine) beats the signalling that ended the
 * call, since carriers often answer or send 4xx/5xx after an announcement;
 * then the ending itself.
 */
export function decideResult(o: AttemptOutcome, opts: DecideOptions = {}): ResultCode {
  const sip = opts.sipTable ?? DEFAULT_SIP_TABLE;
  const sit = opts.sitTable ?? DEFAULT_SIT_TABLE;
  if (o.connected) return 20;
  if (o.systemAbandoned) return 14;

  const first = <K extends Verdict['kind']>(kind: K) => o.verdicts.find((v): v is Extract<Verdict, { kind: K }> => v.kind === kind);
  const fax = first('fax');
  if (fax) return 5;
  const ann = first('announcement');
  if (ann) return ann.class;
  const sitV = first('sit');
  if (sitV) return sit[sitV.code] ?? 13;
  // Music after answer is a PBX or a colour ring, never a person: an automated answer like a machine.
  if (first('machine') || first('beep') || first('music')) return 4;
  const busy = first('busy');
  // Some carriers answer and then play the tone; a 200 may also cross our CANCEL.
  if (busy) return busy.pattern === 'busy' ? 3 : 13;
  // Hung up by a stopping dialer: neither the far end's silence (7) nor its failure to answer (2), but the
  // dialer's own interruption, as a crashed process's attempt is when it is reaped. A delivered message and a
  // silence verdict already reached (the hang-up for it may be what the stop crossed) stand.
  if (o.interrupted && o.end.by === 'local' && !o.messageDelivered && !first('silence')) return opts.interruptedCode ?? 13;

  if (!o.end.answered) {
    if (o.end.by === 'timeout') return 2;
    if (o.end.by === 'error') return 13;
    if (o.end.sipStatus !== undefined && o.end.sipStatus >= 300) return resultFromSipStatus(o.end.sipStatus, sip);
    // We cancelled for another reason (campaign stopped) or the far end gave up before answer.
    return o.end.by === 'local' ? 2 : 13;
  }
  // Answered, not connected.
  if (o.messageDelivered) return 1;
  if (first('silence')) return 7;
  if (o.end.by === 'remote') return 9;
  if (first('human')) return 1;
  // Lost to a failure before any decision (its media server died, a transport error): not a silent answer (7),
  // the dialer's own trouble, as a reaped attempt is (dialer.runner.interruptedCode, 13 by default).
  if (o.end.by === 'error') return 13;
  return 7;
}
