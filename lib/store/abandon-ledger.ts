/**
 * The abandon ledger of a campaign: live answers and system abandons per
 * epoch hour, written by dial-close.lua with each attempt's result
 * (`c:{c:<id>}:abandon-ledger`, fields `<hour>:live`, `<hour>:abandoned`).
 * The regulatory window is summed from it: 24 h for Ofcom, 30 days for the
 * FCC/TSR rule (the campaign's `abandonWindowHours`), across shifts and
 * dialer restarts. Hours older than the longest window are trimmed.
 */
import type { Redis } from 'ioredis';
import { keys } from './keys';

const HOUR = 3_600_000;
/** Longest window kept (31 days: the 30-day rule plus the hour in progress). */
export const LEDGER_KEEP_HOURS = 31 * 24;

export interface LedgerWindow {
  live: number;
  abandoned: number;
  windowHours: number;
}

const key = (id: string) => keys.campaign(id, 'abandon-ledger');

/** Live answers and abandons in the last `windowHours` hours (the current hour included). */
export async function abandonWindow(redis: Redis, campaignId: string, now: number, windowHours: number): Promise<LedgerWindow> {
  const h = await redis.hgetall(key(campaignId));
  const from = Math.floor(now / HOUR) - windowHours + 1;
  const out = { live: 0, abandoned: 0, windowHours };
  const old: string[] = [];
  for (const [field, v] of Object.entries(h)) {
    const [hour, kind] = field.split(':');
    const n = Number(hour);
    if (n < Math.floor(now / HOUR) - LEDGER_KEEP_HOURS) old.push(field);
    if (n < from) continue;
    if (kind === 'live') out.live += Number(v);
    else if (kind === 'abandoned') out.abandoned += Number(v);
  }
  if (old.length > 0) await redis.hdel(key(campaignId), ...old);
  return out;
}
