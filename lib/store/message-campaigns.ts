/**
 * Message campaign definitions, in the campaign's own hash (`m:{m:<id>}:campaign`,
 * beside its counters and cursor; see messages.ts) with an index in `{g}`.
 * State changes are compare-and-set on the state field (HSETNX/WATCH-free:
 * one small script), so two API calls racing a start and a pause cannot both win.
 */
import type { Redis } from 'ioredis';
import type { MessageCampaign, MessageCampaignState } from '../messaging/campaign';
import { messageKeys, msgGlobal } from './messages';

export class MessageCampaignConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageCampaignConflict';
  }
}

export async function createMessageCampaign(redis: Redis, c: MessageCampaign): Promise<boolean> {
  const k = messageKeys(c.id).stats;
  const created = await redis.hsetnx(k, 'doc', JSON.stringify(c));
  if (!created) return false;
  await redis.hset(k, 'state', c.state, 'cursor', '');
  await redis.zadd(msgGlobal.campaigns, String(Date.parse(c.createdAt)), c.id);
  return true;
}

export async function getMessageCampaign(redis: Redis, id: string): Promise<MessageCampaign | null> {
  const [doc, state] = await redis.hmget(messageKeys(id).stats, 'doc', 'state');
  if (!doc) return null;
  return { ...(JSON.parse(doc) as MessageCampaign), state: (state ?? 'draft') as MessageCampaignState };
}

export async function listMessageCampaigns(redis: Redis): Promise<MessageCampaign[]> {
  const ids = await redis.zrange(msgGlobal.campaigns, '0', '-1');
  const all = await Promise.all(ids.map((id) => getMessageCampaign(redis, id)));
  return all.filter((c): c is MessageCampaign => c !== null);
}

/** Writes a new doc (settings edits) if the state is still `expect`. */
export async function saveMessageCampaign(redis: Redis, c: MessageCampaign, expect: MessageCampaignState): Promise<void> {
  const ok = await redis.eval(
    "if redis.call('HGET', KEYS[1], 'state') ~= ARGV[1] then return 0 end redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'state', ARGV[3]) return 1",
    1,
    messageKeys(c.id).stats,
    expect,
    JSON.stringify(c),
    c.state,
  );
  if (ok !== 1) throw new MessageCampaignConflict(`campaign ${c.id} changed state meanwhile; try again`);
}

export async function getCursor(redis: Redis, id: string): Promise<string> {
  return (await redis.hget(messageKeys(id).stats, 'cursor')) ?? '';
}
