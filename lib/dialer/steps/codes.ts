/**
 * The result codes the runner itself gives, by meaning, looked up by name in
 * the one table (lib/results/codes.ts, seed 000) instead of numbers in code.
 */
import { RESULT_CODES, type ResultCode } from '../../results/codes';

type Name = (typeof RESULT_CODES)[ResultCode]['name'];

export function codeNamed(name: Name): ResultCode {
  for (const [code, r] of Object.entries(RESULT_CODES)) if (r.name === name) return Number(code) as ResultCode;
  throw new RangeError(`no result code named ${name}`);
}

/** Codes of outcomes the runner decides (not the far end). */
export const RUNNER_CODES = {
  /** The contact has no number. */
  noNumber: codeNamed('no_number'),
  /** On a do-not-call list at dial time: excluded, not dialled. */
  doNotCall: codeNamed('excluded'),
  /** The do-not-call store could not be read: not dialled, retried by the rules. */
  dncCheckFailed: codeNamed('system_error'),
  /** The INVITE could not be sent, or the dialer died while the call was up. */
  dialError: codeNamed('dial_error'),
  /** A person got no agent within the threshold (FCC 64.1200(a)(7)). */
  systemAbandon: codeNamed('system_abandon'),
} as const;
