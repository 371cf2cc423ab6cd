/**
 * Caps that bound every mode: the campaign's simultaneous calls, the trunk's
 * channels and calls per second, and the deployment's running-campaign limit.
 * 0 means unlimited, as in seed 002 ("max simultaneous calls, 0 = unlimited").
 */
import type { CallsSnapshot, CapName, Caps, CapTrace } from './types';

/** Customer legs the campaign holds now. */
export function campaignLegs(calls: CallsSnapshot): number {
  return calls.ringing.length + calls.queued.length + calls.connected;
}

/** True when the deployment lets one more campaign run (`running` already running). */
export function mayStartCampaign(running: number, limit: number): boolean {
  return limit === 0 || running < limit;
}

/** Room under each cap; the smallest wins. */
export function applyCaps(wanted: number, caps: Caps, calls: CallsSnapshot): { calls: number; trace: CapTrace } {
  const room: Partial<Record<CapName, number>> = {};
  if (caps.maxSimultaneousCalls > 0) room.campaign = caps.maxSimultaneousCalls - campaignLegs(calls);
  const t = caps.trunk;
  if (t) {
    if (t.channels > 0) room.trunkChannels = t.channels - t.inUse;
    if (t.callsPerSecond > 0) room.trunkCps = t.callsPerSecond - t.startedLastSecond;
  }
  const d = caps.deployment;
  // A campaign beyond the limit (e.g. the limit was lowered while it ran) places nothing new.
  if (d && d.runningCampaignLimit > 0 && d.campaignRank > d.runningCampaignLimit) room.runningCampaigns = 0;
  let n = Math.max(0, Math.floor(wanted));
  let limitedBy: CapName | null = null;
  for (const [name, r] of Object.entries(room) as [CapName, number][]) {
    const allowed = Math.max(0, r);
    if (allowed < n) {
      n = allowed;
      limitedBy = name;
    }
  }
  return { calls: n, trace: { wanted, room, limitedBy } };
}
