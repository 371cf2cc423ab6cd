/**
 * The messaging core: sends a prepared message through its channel and
 * records the outcome, applies delivery receipts, threads and answers inbound
 * messages (keywords, opt-out/opt-in), and the trigger API's one-off sends.
 * Channels come in through the MessageChannel contract; time from `clock`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MessagingConfig } from '../config/sections/messaging';
import { getContact } from '../store/contacts';
import { isDoNotCall, type DncChannel } from '../store/dnc';
import {
  byProvider,
  bumpCounter,
  claimIdempotencyKey,
  claimStep,
  pendingBefore,
  getMessage,
  getThreadHead,
  mapProvider,
  msgGlobal,
  newMessageId,
  putMessage,
  recordReply,
  releaseIdempotencyKey,
  setThreadHead,
  updateStatus,
  type MessageRecord,
} from '../store/messages';
import { getMessageCampaign } from '../store/message-campaigns';
import { checkNumber } from './address';
import type { ChannelEvent, MessageChannel, MessageKind } from './channel';
import { compose, valuesFor } from './compose';
import { ChannelUnavailableError, IdempotencyConflictError, MessagingInputError, MessagingNotFoundError } from './errors';
import { MessagingEvents } from './events';
import { classify } from './keywords';
import { optIn, optOut } from './optout';

export interface MessagingDeps {
  redis: Redis;
  config: MessagingConfig;
  region: string;
  log: Logger;
  channels: Partial<Record<MessageKind, MessageChannel>>;
  clock?: () => number;
}

export interface TriggerInput {
  kind: MessageKind;
  /** Recipient; or take it from the contact. */
  to?: string;
  listId?: string;
  contactId?: string;
  template: string;
  subject?: string;
  data?: Record<string, string>;
  from?: string;
  idempotencyKey?: string;
}

export interface TriggerResult {
  message: MessageRecord;
  /** True when an earlier request with the same idempotency key already sent it. */
  replayed: boolean;
}

export const OPT_OUT_REPLY = 'You are unsubscribed and will get no more messages from us. Reply START to subscribe again.';
export const OPT_IN_REPLY = 'You are subscribed again. Reply STOP to opt out.';
const INBOUND_MAX_LEN = 100000;
/** How long stop() waits for background deliveries before the channels close under them. */
const STOP_WAIT_MS = 5000;
/** Queued messages the recovery sweep looks at per round. */
const RECOVER_BATCH = 100;

export class MessagingService {
  readonly events = new MessagingEvents();
  private readonly clock: () => number;
  private readonly detach: (() => void)[] = [];
  /** Background deliveries of accepted trigger requests (stop() lets them finish, bounded). */
  private readonly inFlight = new Set<Promise<unknown>>();
  /**
   * Accepted messages (202) are claimed in Redis by this process until the
   * channel has answered (msg-claim.lua): a claim is renewed while this process
   * lives, so when it dies another process's recovery sweep finds the
   * message's claim stale and sends it — unless this process had already
   * handed it to the channel (it may have left: never sent twice).
   */
  private readonly owner = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  /** Message ids this process holds a claim on (waiting for a send slot or being sent). */
  private readonly held = new Set<string>();
  /** Claimed messages waiting for a send slot (messaging.maxConcurrentSends). */
  private readonly waiting: MessageRecord[] = [];
  private sending = 0;
  private claimTimer?: NodeJS.Timeout;
  private recovering?: Promise<void>;
  private stopped = false;

  constructor(readonly d: MessagingDeps) {
    this.clock = d.clock ?? Date.now;
  }

  channel(kind: MessageKind): MessageChannel | undefined {
    return this.d.channels[kind];
  }

  async start(): Promise<void> {
    for (const ch of Object.values(this.d.channels)) {
      if (!ch) continue;
      await ch.start();
      this.detach.push(
        ch.onEvent(
          (e) =>
            void this.onChannelEvent(e).catch((err: Error) =>
              this.d.log.error({ err, type: e.type }, 'messaging: channel event not handled'),
            ),
        ),
      );
    }
    // Claims are renewed every leaseMs/3; the same round looks for queued messages left by dead processes.
    this.claimTimer = setInterval(() => void this.claimRound(), Math.max(100, Math.floor(this.d.config.leaseMs / 3)));
    this.claimTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.claimTimer);
    await this.recovering;
    // Messages still waiting for a slot are given up now, so another process sends them without waiting for leaseMs.
    for (const rec of this.waiting.splice(0)) await this.release(rec.id);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.inFlight), new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
    clearTimeout(timer);
    for (const f of this.detach.splice(0)) f();
    for (const ch of Object.values(this.d.channels)) await ch?.stop();
  }

  /** DNC channel matching a message kind. */
  static dncChannel(kind: MessageKind): DncChannel {
    return kind === 'email' ? 'email' : 'sms';
  }

  /**
   * Sends a queued message and records the channel's answer. Never throws for a channel failure.
   * The message is claimed for the send (msg-claim.lua) unless the caller holds its claim: a
   * message another process is sending, or has sent, is left alone.
   */
  async deliver(rec: MessageRecord, opts: { claimed?: boolean } = {}): Promise<MessageRecord> {
    if (opts.claimed) return this.send(rec);
    const r = await claimStep(this.d.redis, 'claim', rec.id, this.owner, this.clock(), this.d.config.leaseMs);
    if (r === 'unknown') await this.closeUnknown(rec);
    if (r !== 'claimed') return (await getMessage(this.d.redis, rec.id)) ?? rec;
    this.held.add(rec.id);
    try {
      return await this.send(rec);
    } finally {
      await this.release(rec.id);
    }
  }

  private async send(rec: MessageRecord): Promise<MessageRecord> {
    const ch = this.channel(rec.kind);
    const at = () => new Date(this.clock()).toISOString();
    if (!ch) return (await this.finish(rec, 'rejected', { error: `no ${rec.kind} channel configured` })) ?? rec;
    // The thread head moves before the send: a phone may answer before the channel's acceptance is recorded.
    const prevHead = await getThreadHead(this.d.redis, rec.to);
    await setThreadHead(this.d.redis, rec.to, { id: rec.id, campaignId: rec.campaignId, at: this.clock() });
    // The claim turns 'sending' just before the channel gets the message: from here on, a crash
    // leaves it to no one (it may have left). A claim lost meanwhile (this process stalled past
    // leaseMs and another took the message) means another process sends it: not this one.
    if ((await claimStep(this.d.redis, 'sending', rec.id, this.owner, this.clock(), this.d.config.leaseMs)) !== 'ok') {
      this.d.log.warn({ messageId: rec.id }, 'messaging: claim lost before sending (another process sends the message)');
      return rec;
    }
    let res;
    try {
      res = await ch.send({ id: rec.id, to: rec.to, from: rec.from, body: rec.body, subject: rec.subject, inReplyTo: rec.inReplyTo });
    } catch (err) {
      res = { accepted: false as const, error: (err as Error).message, permanent: false };
    }
    if (res.accepted) {
      // The provider map is written before the status so an early receipt finds its message.
      await mapProvider(this.d.redis, ch.name, res.providerId, rec.id);
      const done = await updateStatus(
        this.d.redis,
        rec.id,
        'accepted',
        { providerId: res.providerId, statusAt: at() },
        { status: 'accepted', at: at(), detail: `${ch.name} ${res.providerId}` },
      );
      const out = done ?? rec;
      this.events.emitEvent({ type: 'message.sent', at: this.clock(), campaignId: rec.campaignId ?? undefined, data: summary(out) });
      return out;
    }
    // A message that never left does not start a thread: give the head back unless a newer message took it.
    if ((await getThreadHead(this.d.redis, rec.to))?.id === rec.id) {
      if (prevHead) await setThreadHead(this.d.redis, rec.to, prevHead);
      else await this.d.redis.hdel(msgGlobal.thread, rec.to);
    }
    return (await this.finish(rec, 'rejected', { error: res.error })) ?? rec;
  }

  private async finish(rec: MessageRecord, status: 'rejected' | 'skipped', patch: Partial<MessageRecord>): Promise<MessageRecord | null> {
    const at = new Date(this.clock()).toISOString();
    const done = await updateStatus(
      this.d.redis,
      rec.id,
      status,
      { ...patch, statusAt: at },
      { status, at, detail: patch.error ?? patch.skipReason },
    );
    if (done)
      this.events.emitEvent({ type: 'message.status', at: this.clock(), campaignId: rec.campaignId ?? undefined, data: summary(done) });
    return done;
  }

  // ---- trigger API ----------------------------------------------------------

  /** One templated message to one contact or address (event-based notifications). */
  async trigger(input: TriggerInput, opts: { background?: boolean } = {}): Promise<TriggerResult> {
    const { redis, config } = this.d;
    const contact = input.listId && input.contactId ? await getContact(redis, input.listId, input.contactId) : null;
    if ((input.listId || input.contactId) && !contact)
      throw new MessagingNotFoundError(`contact ${input.contactId ?? '?'} of list ${input.listId ?? '?'} does not exist`);
    if (!input.to && !contact) throw new MessagingInputError('give "to" or a listId and contactId', 'to');
    const rawTo = input.to ?? (input.kind === 'email' ? contact!.attributes.email : contact!.phone);
    const c = compose(
      { kind: input.kind, template: input.template, subject: input.subject, region: this.d.region, maxBodyChars: config.maxBodyChars },
      rawTo,
      valuesFor(contact, input.data),
    );
    if (!c.ok) throw new MessagingInputError(c.reason, c.field);
    if (!this.channel(input.kind))
      throw new ChannelUnavailableError(
        `no ${input.kind} channel is configured (messaging.${input.kind === 'email' ? 'smtp.url' : config.smsChannel === 'smpp' ? 'smpp.url' : 'sip'})`,
      );
    const id = newMessageId(null);
    if (input.idempotencyKey) {
      const fp = createHash('sha256')
        .update(JSON.stringify([input.kind, c.to, c.body, c.subject ?? '', input.from ?? '']))
        .digest('base64url');
      const held = await claimIdempotencyKey(redis, input.idempotencyKey, `${id}|${fp}`, config.idempotencyTtlSec);
      if (held) {
        const [mid, hfp] = held.split('|');
        if (hfp !== fp) throw new IdempotencyConflictError(`idempotency key "${input.idempotencyKey}" was used for a different message`);
        const prior = await getMessage(redis, mid!);
        if (prior) return { message: prior, replayed: true };
        throw new IdempotencyConflictError(`idempotency key "${input.idempotencyKey}" is being used by a request still in progress`);
      }
    }
    const now = new Date(this.clock());
    const rec: MessageRecord = {
      id,
      campaignId: null,
      kind: input.kind,
      channel: this.channel(input.kind)!.name,
      to: c.to,
      from: input.from,
      subject: c.subject,
      body: c.body,
      contactId: contact?.id,
      listId: contact ? input.listId : undefined,
      status: 'queued',
      createdAt: now.toISOString(),
      statusAt: now.toISOString(),
      warning: c.warning,
      idempotencyKey: input.idempotencyKey,
      replies: 0,
      history: [{ status: 'queued', at: now.toISOString() }],
    };
    const dncPhone = input.kind === 'sms' ? c.to : contact?.phone;
    const dnc = dncPhone
      ? await isDoNotCall(redis, { phone: dncPhone, channel: MessagingService.dncChannel(input.kind), now, region: this.d.region })
      : { listed: false };
    try {
      await putMessage(redis, rec);
    } catch (err) {
      if (input.idempotencyKey) await releaseIdempotencyKey(redis, input.idempotencyKey);
      throw err;
    }
    if (dnc.listed) {
      const skipped = await this.finish(rec, 'skipped', { skipReason: `on the ${dnc.scope ?? 'global'} do-not-contact list` });
      return { message: skipped ?? rec, replayed: false };
    }
    if (!opts.background) return { message: await this.deliver(rec), replayed: false };
    // Accepted now, delivered after (the API's 202): a silent trunk holds a SIP MESSAGE for Timer F (64·T1),
    // an SMTP server for its timeouts. The outcome comes as message.sent / message.status events and on GET.
    // Claimed before the 202: if this process dies, another one sends it (claimRound).
    await this.claimAndQueue(rec);
    return { message: rec, replayed: false };
  }

  // ---- claims: queued messages survive the process (msg-claim.lua) -----------

  private async claimAndQueue(rec: MessageRecord): Promise<void> {
    const r = await claimStep(this.d.redis, 'claim', rec.id, this.owner, this.clock(), this.d.config.leaseMs);
    if (r === 'claimed') this.queue(rec);
    else if (r === 'unknown') await this.closeUnknown(rec);
    // else: another process has it, or it is no longer queued
  }

  private queue(rec: MessageRecord): void {
    this.held.add(rec.id);
    this.waiting.push(rec);
    this.pump();
  }

  /** Starts waiting sends while slots are free (messaging.maxConcurrentSends). */
  private pump(): void {
    while (this.sending < this.d.config.maxConcurrentSends && this.waiting.length > 0) {
      const rec = this.waiting.shift()!;
      this.sending++;
      const job = this.deliver(rec, { claimed: true })
        .catch((err: Error) => this.d.log.error({ err, messageId: rec.id }, 'messaging: delivery not recorded; the message stays queued'))
        .then(() => this.release(rec.id))
        .finally(() => {
          this.inFlight.delete(job);
          this.sending--;
          this.pump();
        });
      this.inFlight.add(job);
    }
  }

  private async release(id: string): Promise<void> {
    this.held.delete(id);
    await claimStep(this.d.redis, 'drop', id, this.owner, this.clock(), 0).catch(() => undefined);
  }

  /** Its dead sender had handed it to the channel: whether it left is unknown, and it is never sent twice. */
  private async closeUnknown(rec: MessageRecord): Promise<void> {
    await this.finish(rec, 'rejected', {
      error: 'the process sending it died after handing it to the channel; not sent again (at most once)',
    });
    await claimStep(this.d.redis, 'drop', rec.id, this.owner, this.clock(), 0);
  }

  /** Renews this process's claims, then claims queued messages whose senders died. */
  private claimRound(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.recovering ??= this.claimRoundOnce()
      .catch((err: Error) => this.d.log.warn({ err: err.message }, 'messaging: claim round failed'))
      .finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  private async claimRoundOnce(): Promise<void> {
    const { redis, config } = this.d;
    for (const id of this.held) {
      if ((await claimStep(redis, 'renew', id, this.owner, this.clock(), config.leaseMs)) === 'lost')
        this.d.log.error({ messageId: id }, 'messaging: claim taken over (this process stalled longer than messaging.leaseMs)');
    }
    for (const id of await pendingBefore(redis, null, this.clock() - config.leaseMs, RECOVER_BATCH)) {
      if (this.held.has(id) || this.stopped) continue;
      const r = await claimStep(redis, 'claim', id, this.owner, this.clock(), config.leaseMs);
      if (r !== 'claimed' && r !== 'unknown') continue;
      const rec = await getMessage(redis, id);
      if (!rec || rec.status !== 'queued') {
        await claimStep(redis, 'drop', id, this.owner, this.clock(), 0);
        continue;
      }
      this.d.log.warn(
        { messageId: id, sent: r === 'unknown' ? 'maybe' : 'no' },
        'messaging: taking over a queued message whose process died',
      );
      if (r === 'unknown') await this.closeUnknown(rec);
      else this.queue(rec);
    }
  }

  // ---- channel events -------------------------------------------------------

  async onChannelEvent(e: ChannelEvent): Promise<void> {
    if (e.type === 'receipt') return this.onReceipt(e);
    return this.onInbound(e);
  }

  private async onReceipt(e: Extract<ChannelEvent, { type: 'receipt' }>): Promise<void> {
    let id: string | null = null;
    // A receipt may overtake the write of its provider id by a few milliseconds.
    for (let i = 0; i < 20 && !id; i++) {
      id = await byProvider(this.d.redis, e.channel, e.providerId);
      if (!id) await new Promise((r) => setTimeout(r, 100));
    }
    if (!id) return void this.d.log.warn({ channel: e.channel, providerId: e.providerId }, 'messaging: receipt for an unknown message');
    const at = new Date(e.at).toISOString();
    const done = await updateStatus(
      this.d.redis,
      id,
      e.status,
      { statusAt: at, ...(e.status === 'failed' ? { error: e.detail } : {}) },
      { status: e.status, at, detail: e.detail },
    );
    if (done) this.events.emitEvent({ type: 'message.status', at: e.at, campaignId: done.campaignId ?? undefined, data: summary(done) });
  }

  private async onInbound(e: Extract<ChannelEvent, { type: 'inbound' }>): Promise<void> {
    const { redis, config } = this.d;
    const n = checkNumber(e.from, this.d.region);
    const from = n.ok ? n.address : e.from;
    const head = await getThreadHead(redis, from);
    const threaded = head && this.clock() - head.at <= config.threadWindowSec * 1000 ? head : null;
    const campaign = threaded?.campaignId ? await getMessageCampaign(redis, threaded.campaignId) : null;
    const act = classify(e.body, campaign?.keywords ?? []);
    const at = new Date(e.at);
    const inboundId = await redis.xadd(
      msgGlobal.inbound,
      'MAXLEN',
      '~',
      String(INBOUND_MAX_LEN),
      '*',
      'from',
      from,
      'to',
      e.to,
      'body',
      e.body,
      'channel',
      e.channel,
      'at',
      at.toISOString(),
      'threadedTo',
      threaded?.id ?? '',
      'campaignId',
      threaded?.campaignId ?? '',
      'action',
      act.action,
    );
    if (threaded) await recordReply(redis, threaded.id, { body: e.body, at: at.toISOString(), action: act.action });
    const campaignId = threaded?.campaignId ?? undefined;
    this.events.emitEvent({
      type: 'message.reply',
      at: e.at,
      campaignId,
      data: { inboundId, from, to: e.to, body: e.body, channel: e.channel, threadedTo: threaded?.id ?? null, action: act.action },
    });
    const source = `sms:${inboundId}`;
    switch (act.action) {
      case 'opt-out': {
        const added = n.ok
          ? await optOut(redis, from, {
              voice: campaign?.optOutVoice ?? true,
              keyword: act.keyword,
              source,
              campaignId: campaignId ?? null,
              now: at,
              region: this.d.region,
            })
          : [];
        await bumpCounter(redis, campaignId ?? null, 'optouts');
        this.events.emitEvent({
          type: 'message.optout',
          at: e.at,
          campaignId,
          data: { phone: from, keyword: act.keyword, channels: added, inboundId, threadedTo: threaded?.id ?? null },
        });
        await this.autoReply(from, OPT_OUT_REPLY, threaded?.campaignId ?? null, threaded?.id, e.providerId);
        return;
      }
      case 'opt-in': {
        const removed = n.ok ? await optIn(redis, from, { source, now: at }) : [];
        await bumpCounter(redis, campaignId ?? null, 'optins');
        this.events.emitEvent({
          type: 'message.optin',
          at: e.at,
          campaignId,
          data: { phone: from, keyword: act.keyword, channels: removed, inboundId },
        });
        await this.autoReply(from, OPT_IN_REPLY, threaded?.campaignId ?? null, threaded?.id, e.providerId);
        return;
      }
      case 'help':
        return void (await this.autoReply(
          from,
          campaign?.helpText || config.defaultHelpText,
          threaded?.campaignId ?? null,
          threaded?.id,
          e.providerId,
        ));
      case 'custom':
        return void (await this.autoReply(from, act.reply, threaded?.campaignId ?? null, threaded?.id, e.providerId));
      default:
    }
  }

  /**
   * Answers a keyword. Not checked against the do-not-contact list on purpose:
   * the opt-out confirmation and HELP answers must reach an opted-out number.
   */
  private async autoReply(
    to: string,
    body: string,
    campaignId: string | null,
    replyTo: string | undefined,
    inReplyTo: string | undefined,
  ): Promise<MessageRecord | null> {
    const ch = this.channel('sms');
    if (!ch) return null;
    const now = new Date(this.clock()).toISOString();
    const rec: MessageRecord = {
      id: newMessageId(campaignId),
      campaignId,
      kind: 'sms',
      channel: ch.name,
      to,
      body,
      status: 'queued',
      createdAt: now,
      statusAt: now,
      autoReplyTo: replyTo,
      inReplyTo,
      replies: 0,
      history: [{ status: 'queued', at: now, detail: 'keyword answer' }],
    };
    await putMessage(this.d.redis, rec);
    return this.deliver(rec);
  }
}

/** What events carry about a message (no body: events may go to chat rooms). */
export function summary(m: MessageRecord): Record<string, unknown> {
  return {
    messageId: m.id,
    campaignId: m.campaignId,
    kind: m.kind,
    channel: m.channel,
    to: m.to,
    contactId: m.contactId ?? null,
    status: m.status,
    ...(m.error ? { error: m.error } : {}),
    ...(m.skipReason ? { skipReason: m.skipReason } : {}),
    ...(m.autoReplyTo ? { autoReplyTo: m.autoReplyTo } : {}),
  };
}
