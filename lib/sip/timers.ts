/**
 * RFC 3261 timer values (§17, Table 4 of Appendix A), named as in the RFC.
 * T1/T2/T4 are configurable (T1 is `telephony.embedded.sip.t1Ms`); every
 * other timer is derived here and nowhere else.
 */

export interface TimerBase {
  /** RTT estimate, default 500 ms. */
  t1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  t2: number;
  /** Longest time a message stays in the network, default 5 s. */
  t4: number;
}

export const DEFAULT_TIMERS: TimerBase = { t1: 500, t2: 4000, t4: 5000 };

export type TimerName = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L';

/** Timer A: INVITE request retransmit, starts at T1 and doubles (unreliable transports only). */
export const timerA = (b: TimerBase) => b.t1;
/** Timer B: INVITE transaction timeout, 64·T1 — runs in Calling only (§17.1.1.2). */
export const timerB = (b: TimerBase) => 64 * b.t1;
/**
 * Timer C: proxy INVITE transaction timeout, > 3 min (§16.6 step 11). The UAC
 * leg uses it as its guard against a far end that rings (or stays silent after
 * a provisional) for ever: reset by every provisional, it CANCELs when it fires.
 */
export const TIMER_C_MS = 180_000 + 1_000;
/** Timer D: wait for response retransmits, ≥ 32 s for unreliable transports, 0 for reliable. */
export const timerD = (b: TimerBase, reliable: boolean) => (reliable ? 0 : Math.max(32_000, 64 * b.t1));
/** Timer E: non-INVITE request retransmit, T1 doubling up to T2 (unreliable only). */
export const timerE = (b: TimerBase) => b.t1;
/** Timer F: non-INVITE transaction timeout, 64·T1 (Trying and Proceeding). */
export const timerF = (b: TimerBase) => 64 * b.t1;
/** Timer G: INVITE final (3xx–6xx) response retransmit, T1 doubling up to T2 (unreliable only). */
export const timerG = (b: TimerBase) => b.t1;
/** Timer H: wait time for ACK receipt, 64·T1. */
export const timerH = (b: TimerBase) => 64 * b.t1;
/** Timer I: wait time for ACK retransmits, T4 for unreliable, 0 for reliable. */
export const timerI = (b: TimerBase, reliable: boolean) => (reliable ? 0 : b.t4);
/** Timer J: wait time for non-INVITE request retransmits, 64·T1 unreliable, 0 reliable. */
export const timerJ = (b: TimerBase, reliable: boolean) => (reliable ? 0 : 64 * b.t1);
/** Timer K: wait time for non-INVITE response retransmits, T4 unreliable, 0 reliable. */
export const timerK = (b: TimerBase, reliable: boolean) => (reliable ? 0 : b.t4);
/** Timer L (RFC 6026 §8.7): INVITE server Accepted state after a 2xx, 64·T1 — absorbs retransmitted INVITEs. */
export const timerL = (b: TimerBase) => 64 * b.t1;

/** §9.1: without a final response 64·T1 after our CANCEL, the INVITE is considered cancelled. */
export const cancelGuard = (b: TimerBase) => 64 * b.t1;
