/**
 * Waiting for a condition, not for a time: the live and e2e tests poll what
 * they need (an agent state, a SIPp event, frames at a probe) with a generous
 * bound, so they pass on an idle fast machine and under load alike. The bound
 * is a failure guard, never a speed the test assumes.
 */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What is awaited, for the timeout's message: a text, or one built when it fails (e.g. with counts so far). */
export type What = string | (() => string);

/** Polls `cond` every `stepMs` until it holds; throws naming `what` once `ms` have passed. */
export async function until(cond: () => Promise<boolean> | boolean, what: What, ms: number, stepMs = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(stepMs);
  }
}

/** `until` with a default bound (and poll step) for one test file. */
export function untilWithin(
  defaultMs: number,
  stepMs = 50,
): (cond: () => Promise<boolean> | boolean, what: What, ms?: number) => Promise<void> {
  return (cond, what, ms = defaultMs) => until(cond, what, ms, stepMs);
}
