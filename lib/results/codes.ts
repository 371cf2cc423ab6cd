/**
 * The per-attempt result codes of seed 000 (CLOVA AiCall), with the project's
 * defaults for retrying. See ../shared/reference/result-codes.md.
 */
export const RESULT_CODES = {
  1: { name: 'answered', retry: false, dialed: true },
  2: { name: 'no_answer', retry: true, dialed: true },
  3: { name: 'busy', retry: true, dialed: true },
  4: { name: 'answering_machine', retry: true, dialed: true },
  5: { name: 'fax', retry: false, dialed: true },
  6: { name: 'unallocated_number', retry: false, dialed: true },
  7: { name: 'silence', retry: true, dialed: true },
  8: { name: 'customer_abandon', retry: true, dialed: true },
  9: { name: 'customer_hung_up', retry: true, dialed: true },
  10: { name: 'excluded', retry: false, dialed: false },
  13: { name: 'dial_error', retry: true, dialed: true },
  14: { name: 'system_abandon', retry: true, dialed: true },
  16: { name: 'subscriber_busy_announcement', retry: true, dialed: true },
  17: { name: 'phone_off_announcement', retry: true, dialed: true },
  18: { name: 'no_response_announcement', retry: true, dialed: true },
  19: { name: 'system_error', retry: true, dialed: false },
  20: { name: 'connected', retry: false, dialed: true },
  21: { name: 'calls_barred_announcement', retry: false, dialed: true },
  22: { name: 'roaming_cancel', retry: false, dialed: true },
  31: { name: 'no_number', retry: false, dialed: false },
} as const;

export type ResultCode = keyof typeof RESULT_CODES;
export const ALL_RESULT_CODES = Object.keys(RESULT_CODES).map(Number) as ResultCode[];

export function isResultCode(n: unknown): n is ResultCode {
  return typeof n === 'number' && n in RESULT_CODES;
}

export const resultName = (c: ResultCode): string => RESULT_CODES[c].name;

/** Codes that mean a person answered live: the abandon rate's denominator. */
export const LIVE_ANSWER_CODES: readonly ResultCode[] = [1, 9, 14, 20];
