/**
 * Drives running message campaigns: walks each campaign's list in dial order
 * (head-of-list contacts first), composes, checks do-not-contact at send
 * time, records and sends, within the send window and under the rate cap.
 * Each record is written together with the move of the campaign's cursor, so
 * a crash neither skips a contact nor writes it twice; queued messages a dead
 * process left unanswered are sent (or, if it had handed them to the channel,
 * closed unsent) by the next lease holder, which looks again every leaseMs:
 * a dead process's send claim can outlive its campaign lease by up to leaseMs.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { decodeOutcome, decodeRecord, type Contact } from '../domain/contact';
import { isWithinHours } from '../rules/hours';
import { isDoNotCall } from '../store/dnc';
import { listKeys } from '../store/lists';
import { getMessage, newMessageId, pendingIds, putMessage, takeLease, dropLease, type MessageRecord } from '../store/messages';
import { getCursor, listMessageCampaigns } from '../store/message-campaigns';
import type { MessageCampaign } from './campaign';
import { compose, valuesFor } from './compose';
import { setState } from './manage';
import { MessagingService } from './service';

export interface RunnerOptions {
  tickMs: number;
  leaseMs: number;
  owner?: string;
}

async function nextContacts(redis: Redis, listId: string, after: string, limit: number): Promise<{ contact: Contact; score: string }[]> {
  const k = listKeys(listId);
  const flat = await redis.zrangebyscore(k.order, after ? `(${after}` : '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, limit);
  if (!flat.length) return [];
  const ids: string[] = [];
  const scores: string[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    ids.push(flat[i]!);
    scores.push(flat[i + 1]!);
  }
  const [recs, outs] = await Promise.all([redis.hmget(k.contacts, ...ids), redis.hmget(k.outcome, ...ids)]);
  const out: { contact: Contact; score: string }[] = [];
  ids.forEach((id, i) => {
    // A contact deleted since it was listed still moves the cursor, as an empty row.
    const rec = recs[i];
    const contact: Contact = rec
      ? { id, ...decodeRecord(rec), ...decodeOutcome(outs[i]) }
      : { id, phone: '', rawPhone: '', phoneType: 'unknown', attributes: {}, ...decodeOutcome(null) };
    out.push({ contact, score: scores[i]! });
  });
  return out;
}

export class MessageCampaignRunner {
  readonly owner: string;
  private timer?: NodeJS.Timeout;
  private busy = false;
  private readonly tokens = new Map<string, { tokens: number; at: number }>();
  private readonly held = new Set<string>();
  /** When each held campaign's queued messages were last looked at (recover). */
  private readonly recoveredAt = new Map<string, number>();
  private readonly clock: () => number;

  constructor(
    private readonly svc: MessagingService,
    private readonly o: RunnerOptions,
  ) {
    this.owner = o.owner ?? `${hostname()}:${process.pid}:msg`;
    this.clock = svc.d.clock ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.o.tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    while (this.busy) await new Promise((r) => setTimeout(r, 10));
    for (const id of this.held) await dropLease(this.svc.d.redis, id, this.owner).catch(() => undefined);
    this.held.clear();
    this.recoveredAt.clear();
  }

  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const running = (await listMessageCampaigns(this.svc.d.redis)).filter((c) => c.state === 'running');
      for (const c of running) {
        try {
          await this.drive(c);
        } catch (err) {
          this.svc.d.log.error({ err, campaignId: c.id }, 'message campaign tick failed');
        }
      }
    } catch (err) {
      this.svc.d.log.error({ err }, 'message campaign runner failed to list campaigns');
    } finally {
      this.busy = false;
    }
  }

  private async drive(c: MessageCampaign): Promise<void> {
    const { redis } = this.svc.d;
    if (!(await takeLease(redis, c.id, this.owner, this.o.leaseMs))) {
      this.held.delete(c.id);
      this.recoveredAt.delete(c.id);
      return;
    }
    this.held.add(c.id);
    // Not only on taking the lease over: the dead holder's send claims are renewed apart from its
    // lease and may still be live then ('held'); they are looked at again until they end.
    const last = this.recoveredAt.get(c.id);
    if (last === undefined || this.clock() - last >= this.o.leaseMs) {
      this.recoveredAt.set(c.id, this.clock());
      await this.recover(c.id);
    }
    const now = this.clock();
    if (c.window && !isWithinHours(c.window, now)) return;
    const b = this.tokens.get(c.id) ?? { tokens: 1, at: now };
    b.tokens = Math.min(Math.max(1, c.ratePerSec), b.tokens + ((now - b.at) / 1000) * c.ratePerSec);
    b.at = now;
    this.tokens.set(c.id, b);
    const n = Math.floor(b.tokens);
    if (n < 1) return;
    let cursor = await getCursor(redis, c.id);
    const batch = await nextContacts(redis, c.listId, cursor, n);
    if (!batch.length) {
      if ((await pendingIds(redis, c.id)).length === 0) {
        await setState(redis, c.id, 'complete', new Date(now));
        this.svc.events.emitEvent({ type: 'message.campaign', at: now, campaignId: c.id, data: { state: 'completed', name: c.name } });
      }
      return;
    }
    const sends: Promise<unknown>[] = [];
    for (const { contact, score } of batch) {
      const rec = await this.prepare(c, contact, now);
      const w = await putMessage(redis, rec, { to: score, expect: cursor });
      if (w === 'raced') break;
      cursor = score;
      b.tokens -= 1;
      if (rec.status === 'queued') sends.push(this.svc.deliver(rec));
      else
        this.svc.events.emitEvent({
          type: 'message.status',
          at: now,
          campaignId: c.id,
          data: { messageId: rec.id, contactId: contact.id, status: 'skipped', skipReason: rec.skipReason },
        });
    }
    await Promise.all(sends);
  }

  /** The record for one contact: queued, or skipped with the reason (do-not-contact, bad address, template gap). */
  private async prepare(c: MessageCampaign, contact: Contact, now: number): Promise<MessageRecord> {
    const { redis, config, region } = this.svc.d;
    const at = new Date(now).toISOString();
    const ch = this.svc.channel(c.kind);
    const base = {
      id: newMessageId(c.id),
      campaignId: c.id,
      kind: c.kind,
      channel: ch?.name ?? 'none',
      from: c.from ?? undefined,
      contactId: contact.id,
      listId: c.listId,
      createdAt: at,
      statusAt: at,
      replies: 0,
    };
    const skip = (to: string, reason: string): MessageRecord => ({
      ...base,
      to,
      body: '',
      status: 'skipped',
      skipReason: reason,
      history: [{ status: 'skipped', at, detail: reason }],
    });
    if (!contact.rawPhone && !contact.phone) return skip('', 'contact no longer exists');
    const rawTo = c.kind === 'email' ? contact.attributes[c.emailField] : contact.phone;
    const m = compose(
      {
        kind: c.kind,
        template: c.template,
        subject: c.subject,
        messageField: c.messageField,
        emailField: c.emailField,
        region,
        maxBodyChars: config.maxBodyChars,
      },
      rawTo,
      valuesFor(contact),
    );
    if (!m.ok) return skip(rawTo ?? '', `invalid: ${m.reason}`);
    if (contact.phone) {
      const channel = MessagingService.dncChannel(c.kind);
      for (const scope of [undefined, ...c.dncCampaigns]) {
        const d = await isDoNotCall(redis, { phone: contact.phone, campaignId: scope, channel, now: new Date(now), region });
        if (d.listed)
          return skip(m.to, `do-not-contact: on the ${d.scope === 'campaign' ? `campaign ${scope}` : 'global'} list (${channel})`);
      }
    }
    if (!ch) return skip(m.to, `invalid: no ${c.kind} channel configured`);
    return {
      ...base,
      to: m.to,
      body: m.body,
      subject: m.subject,
      warning: m.warning,
      status: 'queued',
      history: [{ status: 'queued', at }],
    };
  }

  /**
   * Queued messages of the campaign not being sent: a claim decides (msg-claim.lua): one a live process
   * holds (this one's included) is left to it, one its dead sender had handed to the channel is closed
   * unsent (at most once), the rest are sent. This process's own sends are over when drive() returns.
   */
  private async recover(campaignId: string): Promise<void> {
    for (const id of await pendingIds(this.svc.d.redis, campaignId)) {
      const m = await getMessage(this.svc.d.redis, id);
      if (m?.status === 'queued') await this.svc.deliver(m);
    }
  }
}
