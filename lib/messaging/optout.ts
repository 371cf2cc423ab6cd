/**
 * Keyword opt-out / opt-in on the shared do-not-contact list (lib/store/dnc).
 * An opt-out adds the number to the global list for SMS and, when the campaign
 * says so, for voice too (so the voice runner skips it with code 10), with the
 * inbound message as the audit source. What the opt-out added is remembered
 * (`g:{g}:msg-optout`), so an opt-in removes exactly that and nothing a
 * supervisor or a complaint put there.
 */
import type { Redis } from 'ioredis';
import { getDncEntry, makeEntry, putDncEntries, removeDncEntries, type DncChannel, type DncEntry } from '../store/dnc';
import { msgGlobal } from '../store/messages';

export interface OptOutRecord {
  /** Channels this opt-out added (absent before). */
  added: DncChannel[];
  /** The entry as it was before, to restore on opt-in. */
  previous: DncEntry | null;
  keyword: string;
  source: string;
  campaignId: string | null;
  at: string;
}

const active = (e: DncEntry | null, now: Date) => !!e && (!e.expiresAt || Date.parse(e.expiresAt) > now.getTime());

export async function optOut(
  redis: Redis,
  phone: string,
  o: { voice: boolean; keyword: string; source: string; campaignId: string | null; now: Date; region: string },
): Promise<DncChannel[]> {
  const existing = await getDncEntry(redis, {}, phone);
  const live = active(existing, o.now) ? existing : null;
  const want: DncChannel[] = o.voice ? ['sms', 'voice'] : ['sms'];
  const added = want.filter((c) => !live?.channels.includes(c));
  if (!added.length) return [];
  const base = makeEntry(
    { phone, channels: want, reason: `SMS opt-out "${o.keyword}"` },
    { region: o.region, actor: 'sms-optout', now: o.now },
  );
  const entry: DncEntry = live ? { ...live, channels: [...new Set([...live.channels, ...added])].sort() as DncChannel[] } : base;
  await putDncEntries(redis, {}, [entry], { actor: 'sms-optout', now: o.now, source: o.source });
  // Written after the list: a crash in between leaves the number opted out without the undo record (an opt-in then changes nothing: the safe side).
  const rec: OptOutRecord = {
    added,
    previous: live,
    keyword: o.keyword,
    source: o.source,
    campaignId: o.campaignId,
    at: o.now.toISOString(),
  };
  const prev = await redis.hget(msgGlobal.optout, entry.phone);
  if (prev) {
    // A second opt-out (e.g. voice after sms) widens what the first one added; the original "previous" stays.
    const p = JSON.parse(prev) as OptOutRecord;
    rec.added = [...new Set([...p.added, ...added])].sort() as DncChannel[];
    rec.previous = p.previous;
  }
  await redis.hset(msgGlobal.optout, entry.phone, JSON.stringify(rec));
  return added;
}

/** Removes what opt-outs added; returns the channels removed (empty when the number was not opted out by SMS). */
export async function optIn(redis: Redis, phone: string, o: { source: string; now: Date }): Promise<DncChannel[]> {
  const j = await redis.hget(msgGlobal.optout, phone);
  if (!j) return [];
  const rec = JSON.parse(j) as OptOutRecord;
  const current = await getDncEntry(redis, {}, phone);
  if (current) {
    const remaining = current.channels.filter((c) => !rec.added.includes(c));
    if (!remaining.length) await removeDncEntries(redis, {}, [phone], { actor: 'sms-optin', now: o.now, source: o.source });
    else {
      const back: DncEntry =
        rec.previous && rec.previous.channels.every((c) => remaining.includes(c))
          ? { ...rec.previous, channels: remaining }
          : { ...current, channels: remaining };
      await putDncEntries(redis, {}, [back], { actor: 'sms-optin', now: o.now, source: o.source });
    }
  }
  await redis.hdel(msgGlobal.optout, phone);
  return current ? rec.added.filter((c) => current.channels.includes(c)) : [];
}

export async function getOptOut(redis: Redis, phone: string): Promise<OptOutRecord | null> {
  const j = await redis.hget(msgGlobal.optout, phone);
  return j ? (JSON.parse(j) as OptOutRecord) : null;
}
