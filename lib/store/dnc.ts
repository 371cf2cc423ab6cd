/**
 * Do-not-call lists: one global (`g:{g}:dnc`) and one per campaign
 * (`c:{c:<id>}:dnc`), each a hash phone(E.164) → entry JSON with an audit stream
 * beside it under the same hash tag (`…:dnc-audit`), written by the same Lua
 * script as the change (dnc-apply). Numbers are normalised like contacts
 * (lib/domain/phone). Entries may expire and name the channels they bar.
 */
import type { Redis, Result } from 'ioredis';
import { DateTime } from 'luxon';
import { keys } from './keys';
import { normalizePhone } from '../domain/phone';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    dncApply(
      hash: string,
      stream: string,
      actor: string,
      at: string,
      op: string,
      source: string,
      ...items: string[]
    ): Result<string[], Context>;
  }
}

export const DNC_CHANNELS = ['voice', 'sms', 'email'] as const;
export type DncChannel = (typeof DNC_CHANNELS)[number];

export interface DncEntry {
  phone: string;
  channels: DncChannel[];
  expiresAt: string | null;
  reason: string;
  addedBy: string;
  addedAt: string;
}

export interface DncScope {
  /** Absent: the global list. */
  campaignId?: string;
}

export interface DncAuditRecord {
  id: string;
  action: 'added' | 'updated' | 'removed';
  phone: string;
  actor: string;
  at: string;
  source: string;
  scope: 'global' | 'campaign';
  campaignId?: string;
  entry: DncEntry;
}

export const dncKeys = (s: DncScope) =>
  s.campaignId
    ? { hash: keys.campaign(s.campaignId, 'dnc'), audit: keys.campaign(s.campaignId, 'dnc-audit') }
    : { hash: keys.global('dnc'), audit: keys.global('dnc-audit') };

/** A number or entry field the caller got wrong; `field` names it. */
export class DncInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly value: string,
  ) {
    super(message);
    this.name = 'DncInputError';
  }
}

export interface DncInput {
  phone: string;
  channels?: DncChannel[];
  expiresAt?: string | null;
  reason?: string;
}

/** Normalises and checks one entry; throws DncInputError naming the field. */
export function makeEntry(input: DncInput, ctx: { region: string; actor: string; now: Date }): DncEntry {
  const p = normalizePhone(input.phone, ctx.region);
  if (!p.ok) throw new DncInputError(`phone "${input.phone}": ${p.reason}`, 'phone', input.phone);
  const channels = input.channels && input.channels.length ? [...new Set(input.channels)] : [...DNC_CHANNELS];
  for (const c of channels)
    if (!(DNC_CHANNELS as readonly string[]).includes(c))
      throw new DncInputError(`channel "${c}" is not one of ${DNC_CHANNELS.join(', ')}`, 'channels', c);
  let expiresAt: string | null = null;
  if (input.expiresAt) {
    const d = DateTime.fromISO(input.expiresAt, { setZone: true });
    if (!d.isValid) throw new DncInputError(`expiresAt "${input.expiresAt}" is not an ISO 8601 date-time`, 'expiresAt', input.expiresAt);
    if (d.toMillis() <= ctx.now.getTime())
      throw new DncInputError(`expiresAt "${input.expiresAt}" is in the past`, 'expiresAt', input.expiresAt);
    expiresAt = d.toUTC().toISO()!;
  }
  return {
    phone: p.e164,
    channels: channels.sort() as DncChannel[],
    expiresAt,
    reason: input.reason ?? '',
    addedBy: ctx.actor,
    addedAt: ctx.now.toISOString(),
  };
}

/** Writes entries (already made by makeEntry) with their audit records; returns 'added'|'updated' per entry. */
export async function putDncEntries(
  redis: Redis,
  scope: DncScope,
  entries: DncEntry[],
  ctx: { actor: string; now: Date; source?: string },
): Promise<('added' | 'updated')[]> {
  if (entries.length === 0) return [];
  const k = dncKeys(scope);
  // dnc-apply.lua answers 'added' or 'updated' per entry for an 'add'.
  return (await redis.dncApply(
    k.hash,
    k.audit,
    ctx.actor,
    ctx.now.toISOString(),
    'add',
    ctx.source ?? 'api',
    ...entries.flatMap((e) => [e.phone, JSON.stringify(e)]),
  )) as ('added' | 'updated')[];
}

/** Removes numbers (E.164); returns 'removed'|'absent' per number. */
export async function removeDncEntries(
  redis: Redis,
  scope: DncScope,
  phones: string[],
  ctx: { actor: string; now: Date; source?: string },
): Promise<string[]> {
  const k = dncKeys(scope);
  return redis.dncApply(k.hash, k.audit, ctx.actor, ctx.now.toISOString(), 'remove', ctx.source ?? 'api', ...phones);
}

export async function getDncEntry(redis: Redis, scope: DncScope, phone: string): Promise<DncEntry | null> {
  const json = await redis.hget(dncKeys(scope).hash, phone);
  return json ? (JSON.parse(json) as DncEntry) : null;
}

const isActive = (e: DncEntry, channel: DncChannel, now: Date) =>
  e.channels.includes(channel) && (!e.expiresAt || Date.parse(e.expiresAt) > now.getTime());

/**
 * The pre-dial check (result code 10 "excluded"). `phone` is E.164 (as stored
 * on contacts); a number without "+" is normalised in `region` (default JP).
 * The global list is checked first, then the campaign's. Expired entries and
 * entries for other channels do not count.
 */
export async function isDoNotCall(
  redis: Redis,
  q: { phone: string; campaignId?: string; channel?: DncChannel; now: Date; region?: string },
): Promise<{ listed: boolean; scope?: 'global' | 'campaign'; entry?: DncEntry }> {
  let phone = q.phone;
  if (!phone.startsWith('+')) {
    const p = normalizePhone(phone, q.region ?? 'JP');
    if (!p.ok) return { listed: false };
    phone = p.e164;
  }
  const channel = q.channel ?? 'voice';
  const [g, c] = await Promise.all([
    getDncEntry(redis, {}, phone),
    q.campaignId ? getDncEntry(redis, { campaignId: q.campaignId }, phone) : null,
  ]);
  if (g && isActive(g, channel, q.now)) return { listed: true, scope: 'global', entry: g };
  if (c && isActive(c, channel, q.now)) return { listed: true, scope: 'campaign', entry: c };
  return { listed: false };
}

/** A page of entries (HSCAN order); `cursor` "0" starts and ends. */
export async function listDncEntries(
  redis: Redis,
  scope: DncScope,
  opts: { cursor?: string; limit?: number } = {},
): Promise<{ entries: DncEntry[]; cursor: string; total: number }> {
  const k = dncKeys(scope).hash;
  const [[cursor, flat], total] = await Promise.all([redis.hscan(k, opts.cursor ?? '0', 'COUNT', opts.limit ?? 100), redis.hlen(k)]);
  const entries: DncEntry[] = [];
  for (let i = 1; i < flat.length; i += 2) entries.push(JSON.parse(flat[i]!) as DncEntry);
  return { entries, cursor, total };
}

/** Audit records, newest first; `before` is a record id to page back from; `phone` filters. */
export async function dncAudit(
  redis: Redis,
  scope: DncScope,
  opts: { before?: string; limit?: number; phone?: string } = {},
): Promise<DncAuditRecord[]> {
  const limit = opts.limit ?? 100;
  const out: DncAuditRecord[] = [];
  let end = opts.before ? `(${opts.before}` : '+';
  // Filtering by phone reads the stream backwards in pages until enough match.
  for (let pages = 0; out.length < limit && pages < 100; pages++) {
    const rows = await redis.xrevrange(dncKeys(scope).audit, end, '-', 'COUNT', opts.phone ? 1000 : limit);
    for (const [id, fields] of rows) {
      const f: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      if (opts.phone && f.phone !== opts.phone) continue;
      out.push({
        id,
        action: f.action as DncAuditRecord['action'],
        phone: f.phone!,
        actor: f.actor!,
        at: f.at!,
        source: f.source!,
        scope: scope.campaignId ? 'campaign' : 'global',
        ...(scope.campaignId ? { campaignId: scope.campaignId } : {}),
        entry: JSON.parse(f.entry!) as DncEntry,
      });
      if (out.length >= limit) break;
    }
    if (rows.length === 0 || !opts.phone) break;
    end = `(${rows[rows.length - 1]![0]}`;
  }
  return out;
}
