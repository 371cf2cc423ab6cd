/**
 * Message campaign lifecycle: create, edit, start (on), pause (off), progress.
 * States: draft → running ⇄ paused → completed (the runner completes a
 * campaign once every contact of its list has a message record).
 */
import type { Redis } from 'ioredis';
import { getList, listExists } from '../store/lists';
import { getCounters, pendingIds, type Counters } from '../store/messages';
import { createMessageCampaign, getMessageCampaign, saveMessageCampaign } from '../store/message-campaigns';
import { messageCampaignDefaults, validateMessageCampaign, type MessageCampaign, type MessageCampaignSettings } from './campaign';
import { MessagingInputError, MessagingNotFoundError } from './errors';

export class MessageCampaignStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageCampaignStateError';
  }
}

export type MessageCampaignInput = Partial<MessageCampaignSettings> &
  Pick<MessageCampaignSettings, 'name' | 'kind' | 'listId'> & { id: string };

export async function createCampaign(redis: Redis, input: MessageCampaignInput, now = new Date()): Promise<MessageCampaign> {
  const { id, ...rest } = input;
  const settings: MessageCampaignSettings = { ...messageCampaignDefaults(), ...rest };
  const errs = validateMessageCampaign(settings);
  if (errs.length) throw new MessagingInputError(errs.join('; '));
  if (!(await listExists(redis, settings.listId))) throw new MessagingNotFoundError(`list ${settings.listId} does not exist`);
  const c: MessageCampaign = {
    ...settings,
    id,
    state: 'draft',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    startedAt: null,
    completedAt: null,
  };
  if (!(await createMessageCampaign(redis, c))) throw new MessageCampaignStateError(`message campaign ${id} already exists`);
  return c;
}

async function load(redis: Redis, id: string): Promise<MessageCampaign> {
  const c = await getMessageCampaign(redis, id);
  if (!c) throw new MessagingNotFoundError(`message campaign ${id} does not exist`);
  return c;
}

export async function updateCampaign(
  redis: Redis,
  id: string,
  patch: Partial<MessageCampaignSettings>,
  now = new Date(),
): Promise<MessageCampaign> {
  const c = await load(redis, id);
  if (c.state === 'running' || c.state === 'completed')
    throw new MessageCampaignStateError(`message campaign ${id} is ${c.state}; pause it to edit`);
  if (c.state !== 'draft' && (patch.kind !== undefined || patch.listId !== undefined))
    throw new MessageCampaignStateError('kind and listId are fixed once the campaign has started');
  const next: MessageCampaign = { ...c, ...patch, updatedAt: now.toISOString() };
  const errs = validateMessageCampaign(next);
  if (errs.length) throw new MessagingInputError(errs.join('; '));
  if (patch.listId && !(await listExists(redis, patch.listId))) throw new MessagingNotFoundError(`list ${patch.listId} does not exist`);
  await saveMessageCampaign(redis, next, c.state);
  return next;
}

export async function setState(
  redis: Redis,
  id: string,
  action: 'start' | 'pause' | 'complete',
  now = new Date(),
): Promise<MessageCampaign> {
  const c = await load(redis, id);
  const allowed: Record<typeof action, MessageCampaign['state'][]> = {
    start: ['draft', 'paused'],
    pause: ['running'],
    complete: ['running'],
  };
  if (!allowed[action].includes(c.state)) throw new MessageCampaignStateError(`cannot ${action} message campaign ${id}: it is ${c.state}`);
  const next: MessageCampaign = {
    ...c,
    state: action === 'start' ? 'running' : action === 'pause' ? 'paused' : 'completed',
    updatedAt: now.toISOString(),
    startedAt: c.startedAt ?? (action === 'start' ? now.toISOString() : null),
    completedAt: action === 'complete' ? now.toISOString() : c.completedAt,
  };
  await saveMessageCampaign(redis, next, c.state);
  return next;
}

export interface Progress {
  state: MessageCampaign['state'];
  /** Contacts in the list (seed 003: total vs processed). */
  total: number;
  processed: number;
  pending: number;
  counters: Counters;
}

export async function progress(redis: Redis, id: string): Promise<Progress> {
  const c = await load(redis, id);
  const [list, counters, pending] = await Promise.all([getList(redis, c.listId), getCounters(redis, id), pendingIds(redis, id)]);
  return { state: c.state, total: list?.counts.contacts ?? 0, processed: counters.processed, pending: pending.length, counters };
}
