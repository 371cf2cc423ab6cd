/**
 * Call recordings' retention period (`dialer.agents.recording.retentionDays`,
 * 0 keeps them): one rule for every reader. A recording that started more
 * than `retentionDays` ago is past retention from that instant: the API no
 * longer lists or serves it and the attempts CSV no longer links it, although
 * the periodic sweep (every `sweepIntervalSec`) may not have deleted its file
 * and metadata yet. The retention period is what the operator promised
 * callers about keeping their voices, so the sweep's lag must not extend it.
 */
const DAY_MS = 86_400_000;

export function pastRetention(startedAt: number, now: number, retentionDays: number): boolean {
  return retentionDays > 0 && startedAt < now - retentionDays * DAY_MS;
}
