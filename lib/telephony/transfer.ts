/**
 * Blind transfer carried out by the dialer itself, for drivers without a
 * native one (no REFER): call the target, and once it answers bridge the
 * answered leg to it; from then on whichever side hangs up ends the other.
 * Uses only the driver contract, so any driver gets it.
 */
import { TelephonyError, type LegEvent, type LegId, type TelephonyDriver } from './contract';

export interface BlindTransferOptions {
  ringTimeoutMs?: number;
  callerId?: string;
}

/** Resolves with the target's leg once bridged; rejects (leaving `legId` as it was) if the target does not answer. */
export async function blindTransfer(
  driver: TelephonyDriver,
  legId: LegId,
  target: string,
  opts: BlindTransferOptions = {},
): Promise<LegId> {
  const events: LegEvent[] = [];
  let wake: (() => void) | undefined;
  const off = driver.onEvent((e) => {
    events.push(e);
    wake?.();
  });
  let targetLeg: LegId;
  try {
    targetLeg = await driver.originate({
      to: target,
      ringTimeoutMs: opts.ringTimeoutMs ?? 30000,
      callerId: opts.callerId,
      tags: { role: 'transfer', from: legId },
    });
    for (;;) {
      const ended = events.find((e) => e.type === 'end' && (e.legId === targetLeg || e.legId === legId));
      if (ended?.type === 'end') {
        if (ended.legId === legId) {
          await driver.hangup(targetLeg).catch(() => undefined);
          throw new TelephonyError('BAD_STATE', `leg ${legId} ended during the transfer`);
        }
        throw new TelephonyError('UNAVAILABLE', `transfer target ${target} did not answer (${ended.cause.sipStatus ?? ended.cause.by})`);
      }
      if (events.some((e) => e.type === 'answer' && e.legId === targetLeg)) break;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    off();
  }
  await driver.bridge(legId, targetLeg);
  const stop = driver.onEvent((e) => {
    if (e.type !== 'end' || (e.legId !== legId && e.legId !== targetLeg)) return;
    stop();
    void driver.hangup(e.legId === legId ? targetLeg : legId).catch(() => undefined);
  });
  return targetLeg;
}
