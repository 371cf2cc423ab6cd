/**
 * Return calls (issue 18): the I/O edge that runs inbound calls. The driver
 * offers each inbound INVITE; this finds the route of the called number,
 * matches the caller across the contact lists, links the call to the contact's
 * campaign state (closing a pending retry when the route says so), decides the
 * action for now (route.ts) and carries it out on the driver and the agent
 * desk: ring the agent group with a screen pop, play a message, or forward as a
 * B2BUA (a new leg out, bridged when it answers).
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EndCause, IncomingCall, LegEvent, LegId, TelephonyDriver } from '../telephony/contract';
import type { AgentDesk, Reservation, ScreenPop } from '../dialer/ports';
import { normalizePhone } from '../domain/phone';
import { makeEntry, putDncEntries } from '../store/dnc';
import {
  findContactsByPhone,
  getInboundCall,
  getRoute,
  lastAttempts,
  linkInbound,
  logInboundCall,
  newInboundId,
  putInboundCall,
  type AttemptSummary,
  type ContactMatch,
  type InboundCallRecord,
} from '../store/inbound';
import { agentGroupStep, callerNumber, didCandidates } from './decide';
import { decide, poolsOf, type ForwardTarget, type InboundAction, type InboundRoute } from './route';

export class InboundCallError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'UNPROCESSABLE',
    message: string,
  ) {
    super(message);
    this.name = 'InboundCallError';
  }
}

export interface InboundEvent {
  type: string;
  at: number;
  campaignId?: string;
  agentId?: string;
  data: Record<string, unknown>;
}

export interface InboundDeps {
  redis: Redis;
  driver: TelephonyDriver;
  desk: AgentDesk;
  log: Logger;
  /** Region numbers without a country code are read in (phone.defaultRegion). */
  region: string;
  /** Ring time of a forward's outgoing leg. */
  forwardRingMs?: number;
  /** How often a waiting caller's agent group is asked for a ready agent. */
  pollMs?: number;
  clock?: () => number;
}

interface Live {
  record: InboundCallRecord;
  legId: LegId;
  route?: InboundRoute;
  ended: boolean;
  answered: boolean;
  matches: ContactMatch[];
  last: AttemptSummary[];
}

export class InboundCalls {
  private readonly clock: () => number;
  private readonly watchers = new Map<LegId, Set<(e: LegEvent) => void>>();
  private readonly live = new Map<string, Live>();
  private unsubs: (() => void)[] = [];
  private publisher?: (e: InboundEvent) => void;

  constructor(private readonly d: InboundDeps) {
    this.clock = d.clock ?? Date.now;
  }

  /** Takes inbound calls from the driver; a driver without inbound support refuses to start this (a clear error, never a silent drop). */
  start(): void {
    const { driver } = this.d;
    if (!driver.onIncoming || !driver.answerIncoming || !driver.rejectIncoming)
      throw new Error(
        `telephony driver "${driver.name}" does not take inbound calls (issue 18: embedded driver only); inbound routes stay unused`,
      );
    this.unsubs.push(driver.onEvent((e) => this.watchers.get(e.legId)?.forEach((w) => w(e))));
    this.unsubs.push(driver.onIncoming((call) => void this.handle(call).catch((err: Error) => this.failed(call, err))));
  }

  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  /** SSE/webhooks (the monitor hub), set once the API is up. */
  setPublisher(fn: ((e: InboundEvent) => void) | undefined): void {
    this.publisher = fn;
  }

  /** Puts the caller of a running or recent call on the global do-not-call list (agent, supervisor or the message's DTMF option). */
  async doNotCall(id: string, actor: string, record?: InboundCallRecord): Promise<{ phone: string }> {
    // An agent may only act on the call they took (checked by the caller of this method with `call()`).
    const r = record ?? this.live.get(id)?.record ?? (await getInboundCall(this.d.redis, id));
    if (!r) throw new InboundCallError('NOT_FOUND', `inbound call ${id} does not exist`);
    if (!r.caller) throw new InboundCallError('UNPROCESSABLE', `inbound call ${id} has no caller number (withheld)`);
    const now = new Date(this.clock());
    const entry = makeEntry(
      { phone: r.caller, channels: ['voice', 'sms', 'email'], reason: `asked on inbound call ${id}` },
      { region: this.d.region, actor, now },
    );
    await putDncEntries(this.d.redis, {}, [entry], { actor, now, source: 'inbound-call' });
    r.dnc = true;
    await putInboundCall(this.d.redis, r);
    this.publish('inbound.dnc', r, { phone: entry.phone, actor });
    return { phone: entry.phone };
  }

  /** A call's record (live here, or stored). */
  async call(id: string): Promise<InboundCallRecord | null> {
    return this.live.get(id)?.record ?? getInboundCall(this.d.redis, id);
  }

  // ---- one call ---------------------------------------------------------

  private async handle(call: IncomingCall): Promise<void> {
    const { redis, region, driver } = this.d;
    const record: InboundCallRecord = {
      id: newInboundId(),
      did: '',
      at: call.at,
      by: 'none',
      action: 'none',
      outcome: 'received',
      contacts: [],
      retries: [],
    };
    const c: Live = { record, legId: call.legId, ended: false, answered: false, matches: [], last: [] };
    this.live.set(record.id, c);
    this.watch(call.legId, (e) => {
      if (e.type === 'answer') c.answered = true;
      if (e.type === 'end') void this.ended(c, e.cause);
    });
    const dids = didCandidates(call.requestUri, call.to, region);
    let route: InboundRoute | null = null;
    for (const did of dids) if ((route = await getRoute(redis, did))) break;
    record.did = route?.did ?? dids[0] ?? '';
    record.caller = callerNumber({ from: call.from, pai: call.pai, privacy: call.privacy }, region);
    this.publish('inbound.received', record, { trunk: call.trunk, source: call.source.address });
    if (!route || (route.trunk && route.trunk !== call.trunk)) {
      record.outcome = 'no-route';
      if (!c.ended) await driver.rejectIncoming!(call.legId, 404, 'Not Found');
      return;
    }
    c.route = route;
    await this.matchCaller(c, route);
    const decided = decide(route, this.clock());
    record.by = decided.by;
    record.action = decided.action.type;
    this.publish('inbound.routed', record, { by: decided.by, band: decided.band, action: decided.action });
    await putInboundCall(redis, record);
    if (c.ended) return;
    await this.run(c, decided.action);
  }

  /** Contacts with the caller's number in any list; each linked to its campaigns' state (retry closed when the route says so). */
  private async matchCaller(c: Live, route: InboundRoute): Promise<void> {
    const { record } = c;
    if (!record.caller) return;
    const keys = [record.caller];
    const p = normalizePhone(record.caller, this.d.region);
    if (p.ok && p.national !== record.caller) keys.push(p.national);
    for (const k of keys) c.matches.push(...(await findContactsByPhone(this.d.redis, k)));
    for (const m of c.matches) {
      record.contacts.push({ listId: m.listId, contactId: m.contact.id, campaigns: m.campaigns });
      const ref = `${m.listId}:${m.contact.id}`;
      for (const campaignId of m.campaigns) {
        const link = await linkInbound(this.d.redis, campaignId, ref, record.id, this.clock(), route.closeRetries, {
          did: record.did,
          caller: record.caller,
        });
        record.retries.push({ campaignId, ref, outcome: link.outcome });
        c.last.push(...(await lastAttempts(this.d.redis, campaignId, ref)).filter((a) => a.type === 'attempt'));
      }
    }
    c.last.sort((a, b) => b.at - a.at);
  }

  private async run(c: Live, action: InboundAction): Promise<void> {
    const { driver } = this.d;
    switch (action.type) {
      case 'message':
        return this.message(c, action.file, action.dncDigit);
      case 'forward':
        return this.forward(c, { to: action.to, trunk: action.trunk }, 'forward');
      case 'ivr':
        return this.forward(c, { to: action.uri }, 'ivr');
      case 'agents': {
        await driver.answerIncoming!(c.legId);
        await driver.play(c.legId, { kind: 'hold' }).catch(() => undefined);
        const started = this.clock();
        for (let first = true; ; first = false) {
          if (c.ended) return;
          const r = await this.reserve(action, c.record.id);
          const step = agentGroupStep(action, { reserved: !!r, waitedMs: this.clock() - started, first });
          if (step.kind === 'connect') return this.connect(c, r!);
          if (step.kind === 'forward') {
            this.publish('inbound.no-agent', c.record, { why: step.why, waitedMs: this.clock() - started });
            return this.forward(c, step.target, step.why === 'busy' ? 'forward-busy' : 'forward-no-answer');
          }
          if (step.kind === 'give-up') {
            c.record.outcome = 'no-agent';
            if (action.message) return this.message(c, action.message);
            await driver.hangup(c.legId, { reason: 'no agent' }).catch(() => undefined);
            return;
          }
          await new Promise((res) => setTimeout(res, this.d.pollMs ?? 500));
        }
      }
    }
  }

  /** An agent of the action's groups, from the pools it allows in order (return calls first). */
  private async reserve(action: Extract<InboundAction, { type: 'agents' }>, id: string): Promise<Reservation | null> {
    for (const pool of poolsOf(action)) {
      const r = await this.d.desk.reserve(action.groups, id, undefined, { pool });
      if (r) return r;
    }
    return null;
  }

  private async connect(c: Live, r: Reservation): Promise<void> {
    if (c.ended) return this.d.desk.release(r);
    const m = c.matches[0];
    const campaignId = m?.campaigns[0] ?? c.route?.campaignId ?? '';
    const pop: ScreenPop = {
      campaignId,
      attemptId: c.record.id,
      listId: m?.listId ?? '',
      contactId: m?.contact.id ?? '',
      phone: c.record.caller ?? '',
      name: m?.contact.name,
      key1: m?.contact.key1,
      key2: m?.contact.key2,
      attributes: m?.contact.attributes,
      attemptNo: m?.contact.attempts ?? 0,
      inbound: {
        id: c.record.id,
        caller: c.record.caller,
        did: c.record.did,
        lastAttempts: c.last.slice(0, 5).map(({ campaignId: cid, attemptNo, code, at }) => ({ campaignId: cid, attemptNo, code, at })),
      },
    };
    // Known before the bridge: the agent sees the pop (and may act on the call) while the desk still beeps them.
    c.record.agentId = r.agentId;
    await this.d.desk.connect(r, c.legId, pop).catch((err: Error) => {
      c.record.agentId = undefined;
      throw err;
    });
    c.record.outcome = 'agent';
    this.publish('inbound.answered', c.record, { agentId: r.agentId, contactId: pop.contactId }, r.agentId);
    await putInboundCall(this.d.redis, c.record);
  }

  private async message(c: Live, file: string, dncDigit?: string): Promise<void> {
    const { driver } = this.d;
    let id = '';
    // Watched before the answer: a caller may press the digit as soon as the call connects, and a loaded dialer
    // can take longer than that to see its answer through (FreeSWITCH logged the digit 0.6 s after the answer,
    // before the message started; it was lost when the watch came after answerIncoming).
    this.watch(c.legId, (e) => {
      if (e.type === 'playback-done' && id && e.id === id) void driver.hangup(c.legId, { reason: 'message played' }).catch(() => undefined);
      if (e.type === 'dtmf' && dncDigit && e.digit === dncDigit && !c.record.dnc)
        void this.doNotCall(c.record.id, 'caller (DTMF)').catch((err: Error) => this.d.log.warn({ err }, 'DNC by DTMF failed'));
    });
    if (!c.answered) await driver.answerIncoming!(c.legId);
    if (c.record.outcome === 'received') c.record.outcome = 'message';
    id = await driver.play(c.legId, { kind: 'file', path: file });
  }

  /**
   * B2BUA forward: a new leg to the target presenting the caller's number; the
   * caller is answered (if not yet) and bridged when it answers. A target that
   * fails ends the caller's call with its status (486 passes through).
   */
  private async forward(c: Live, target: ForwardTarget, how: 'forward' | 'ivr' | 'forward-busy' | 'forward-no-answer'): Promise<void> {
    const { driver } = this.d;
    c.record.forwardedTo = target.to;
    let out: LegId;
    try {
      out = await driver.originate({
        to: target.to,
        trunk: target.trunk,
        callerId: c.record.caller,
        ringTimeoutMs: this.d.forwardRingMs ?? 60_000,
        tags: { inbound: c.record.id },
      });
    } catch (err) {
      return this.forwardFailed(c, target, (err as Error).message, 480);
    }
    let bridged = false;
    let answered = false;
    // One failure per forward: a target that hangs up while the bridge is being set up fails the bridge and
    // ends its leg, and both used to report it (two transfer.failed events for one call).
    let failed = false;
    const fail = (error: string, status: number) => {
      // After the bridge the call is forwarded, whatever failed next (its record's write): logged, the call kept.
      if (bridged) return void this.d.log.warn({ inboundId: c.record.id, error }, 'forward bridged; a later step failed');
      if (failed) return;
      failed = true;
      void this.forwardFailed(c, target, error, status);
    };
    this.watch(c.legId, (e) => {
      if (e.type === 'end') void driver.hangup(out).catch(() => undefined);
    });
    this.watch(out, (e) => {
      if (e.type === 'answer') {
        answered = true;
        void (async () => {
          if (c.ended) return driver.hangup(out);
          if (!c.answered) await driver.answerIncoming!(c.legId);
          await driver.bridge(c.legId, out);
          bridged = true;
          c.record.outcome = how === 'ivr' ? 'ivr' : 'forwarded';
          this.publish(how === 'ivr' ? 'inbound.ivr' : 'inbound.forwarded', c.record, { target: target.to, how });
          this.publish('transfer.succeeded', c.record, { target: target.to, how });
          await putInboundCall(this.d.redis, c.record);
        })().catch((err: Error) => fail(err.message, 500));
      }
      if (e.type === 'end') {
        this.unwatch(out);
        if (bridged) {
          if (!c.ended) void driver.hangup(c.legId, { reason: 'far end hung up' }).catch(() => undefined);
        } else if (!c.ended) {
          const why = `${e.cause.sipStatus ?? ''} ${e.cause.sipReason ?? e.cause.detail ?? e.cause.by}`.trim();
          fail(answered ? `the target answered and hung up before the bridge (${why})` : why, e.cause.sipStatus === 486 ? 486 : 480);
        }
      }
    });
  }

  private async forwardFailed(c: Live, target: ForwardTarget, error: string, status: number): Promise<void> {
    const { driver } = this.d;
    c.record.outcome = 'forward-failed';
    this.publish('transfer.failed', c.record, { target: target.to, error });
    if (c.ended) return;
    if (c.answered) await driver.hangup(c.legId, { reason: `forward failed: ${error}` }).catch(() => undefined);
    else await driver.rejectIncoming!(c.legId, status, status === 486 ? 'Busy Here' : 'Temporarily Unavailable').catch(() => undefined);
  }

  private async ended(c: Live, cause: EndCause): Promise<void> {
    c.ended = true;
    this.unwatch(c.legId);
    const r = c.record;
    r.endedAt = this.clock();
    // The caller hung up before anyone took the call: abandoned (seed 004's 放棄呼).
    if (['received', 'message', 'no-agent'].includes(r.outcome) && cause.by === 'remote' && !c.answered) r.outcome = 'abandoned';
    if (r.outcome === 'received' && cause.by === 'remote') r.outcome = 'abandoned';
    if (r.outcome === 'abandoned') this.publish('inbound.abandoned', r, { waitedMs: r.endedAt - r.at });
    this.publish('inbound.ended', r, { cause });
    setTimeout(() => this.live.delete(r.id), 60_000).unref();
    await putInboundCall(this.d.redis, r);
    await logInboundCall(this.d.redis, r);
  }

  private failed(call: IncomingCall, err: Error): void {
    this.d.log.error({ err, legId: call.legId }, 'inbound call failed');
    void this.d.driver.hangup(call.legId, { reason: 'inbound handling failed' }).catch(() => undefined);
  }

  private watch(legId: LegId, fn: (e: LegEvent) => void): void {
    let set = this.watchers.get(legId);
    if (!set) this.watchers.set(legId, (set = new Set()));
    set.add(fn);
  }

  private unwatch(legId: LegId): void {
    // After the end event has been delivered to every watcher.
    setImmediate(() => this.watchers.delete(legId));
  }

  private publish(type: string, r: InboundCallRecord, data: Record<string, unknown>, agentId?: string): void {
    const campaignId = r.retries[0]?.campaignId;
    this.publisher?.({ type, at: this.clock(), campaignId, agentId, data: { inboundId: r.id, did: r.did, caller: r.caller, ...data } });
  }
}
