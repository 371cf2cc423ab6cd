/**
 * The embedded driver's dialog journal in Redis (lib/telephony/drivers/embedded/journal.ts
 * says what is journalled and why).
 *
 * Layout (Redis Cluster: one hash tag per process incarnation, so a journal
 * and its lease live in one slot and the Lua scripts touch only those):
 *   d:{d:<inc>}:dialogs   hash Call-ID → entry JSON
 *   d:{d:<inc>}:lease     the incarnation id while it lives; a claimer's id while it ends the orphans
 *   d:{d:<inc>}:streams   hash Call-ID → the far end's RTP stream its leg latched ("address port ssrc"):
 *                         every other process refuses these on its own legs (read each sweep)
 *   g:{g}:dialog-journals set of incarnations with a journal (the sweep's index)
 * An incarnation is `<owner>~<nonce>`: owner is runner.ownerId (or host-pid),
 * the nonce tells a restarted process from its dead predecessor.
 *
 * Liveness is the lease: renewed every leaseMs/3, taken over by another process
 * (`dialogClaim`) once it runs out. A restarted process with the same owner id
 * does not wait: its predecessor is gone for sure. A process that stalls for
 * longer than leaseMs finds its lease taken and its calls ended by the claimer
 * (logged as an error): leaseMs is the bound on "dead".
 */
import { randomBytes } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import type { Logger } from 'pino';
import { keys } from './keys';
import { parseEntry, streamKey, type DialogJournal, type JournalEntry } from '../telephony/drivers/embedded/journal';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    dialogClaim(lease: string, dialogs: string, claimer: string, ttlMs: number, overridable: string): Result<string[] | null, Context>;
    dialogDrop(lease: string, dialogs: string, holder: string): Result<number, Context>;
  }
}

const INDEX = keys.global('dialog-journals');
const leaseKey = (inc: string) => keys.dialogs(inc, 'lease');
const dialogsKey = (inc: string) => keys.dialogs(inc, 'dialogs');
const streamsKey = (inc: string) => keys.dialogs(inc, 'streams');
const ownerOf = (inc: string) => inc.slice(0, inc.lastIndexOf('~'));

export interface RedisDialogJournalOptions {
  /** This process's name (runner.ownerId or host-pid). */
  owner: string;
  /** How long after its last renewal a process counts as dead. */
  leaseMs: number;
  /** How often other processes' journals are looked at. */
  sweepMs: number;
  log: Logger;
}

export class RedisDialogJournal implements DialogJournal {
  /** This incarnation: the owner plus a nonce. */
  readonly id: string;
  private renewTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  /** Journals of dead incarnations this process is ending (their leases are renewed with ours). */
  private readonly claimed = new Set<string>();
  private end?: (e: JournalEntry) => Promise<void>;
  private sweeping?: Promise<void>;
  private stopped = false;
  /** Streams journalled by other processes as of the last sweep (isForeignStream). */
  private foreign = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly o: RedisDialogJournalOptions,
  ) {
    if (o.owner.includes('}')) throw new Error(`dialer.runner.ownerId must not contain '}' (Redis hash tag): ${o.owner}`);
    this.id = `${o.owner}~${randomBytes(4).toString('hex')}`;
  }

  async start(end: (e: JournalEntry) => Promise<void>): Promise<void> {
    this.end = end;
    await this.redis.set(leaseKey(this.id), this.id, 'PX', this.o.leaseMs);
    await this.redis.sadd(INDEX, this.id);
    this.renewTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.o.leaseMs / 3)));
    this.renewTimer.unref();
    this.sweepTimer = setInterval(() => void this.sweep(), this.o.sweepMs);
    this.sweepTimer.unref();
    await this.sweep();
  }

  put(e: JournalEntry): Promise<void> {
    const m = this.redis.multi().hset(dialogsKey(this.id), e.dialog.callId, JSON.stringify(e));
    if (e.media) m.hset(streamsKey(this.id), e.dialog.callId, streamKey(e.media));
    return m.exec().then(() => undefined);
  }

  remove(callId: string): Promise<void> {
    return this.redis
      .multi()
      .hdel(dialogsKey(this.id), callId)
      .hdel(streamsKey(this.id), callId)
      .exec()
      .then(() => undefined);
  }

  isForeignStream(key: string): boolean {
    return this.foreign.has(key);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewTimer);
    clearInterval(this.sweepTimer);
    await this.sweeping?.catch(() => undefined);
    // Empty: gone for good. Not empty (legs the stop could not end): the lease is
    // freed so that another process ends them now rather than after leaseMs.
    if ((await this.redis.dialogDrop(leaseKey(this.id), dialogsKey(this.id), this.id)) === 1) {
      await this.redis.del(streamsKey(this.id));
      await this.redis.srem(INDEX, this.id);
    } else await this.redis.leaseRelease(leaseKey(this.id), this.id);
  }

  private async renew(): Promise<void> {
    try {
      const ok = await this.redis.leaseAcquire(leaseKey(this.id), this.id, this.o.leaseMs);
      if (ok !== 1)
        this.o.log.error(
          { journal: this.id },
          'dialog journal lease taken over: this process was presumed dead (stalled longer than dialogJournal.leaseMs) and its calls were ended by another',
        );
      // Renew only: a journal whose end has just dropped its lease must not get it back.
      for (const inc of this.claimed) await this.redis.leaseRenew(leaseKey(inc), this.id, this.o.leaseMs);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'dialog journal lease not renewed');
    }
  }

  /** One look at every journal in the index; a running look is joined, not doubled. */
  sweep(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.sweeping ??= this.sweepOnce()
      .catch((err: Error) => this.o.log.warn({ err: err.message }, 'dialog journal sweep failed'))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const incs = await this.redis.smembers(INDEX);
    // Every other process's streams, live or dead: a new leg here must never latch one (rtp/latch.ts).
    const foreign = new Set<string>();
    for (const inc of incs) if (inc !== this.id) for (const v of await this.redis.hvals(streamsKey(inc))) foreign.add(v);
    this.foreign = foreign;
    for (const inc of incs) {
      if (inc === this.id || this.claimed.has(inc) || this.stopped) continue;
      const overridable = ownerOf(inc) === this.o.owner ? inc : '';
      const flat = await this.redis.dialogClaim(leaseKey(inc), dialogsKey(inc), this.id, this.o.leaseMs, overridable);
      if (!flat) continue;
      this.claimed.add(inc);
      void this.endAll(inc, flat);
    }
  }

  /** Ends every orphan of one dead journal (concurrently), removing each entry as it is done, then the journal. */
  private async endAll(inc: string, flat: string[]): Promise<void> {
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const callId = flat[i]!;
      const entry = parseEntry(flat[i + 1]!);
      if (!entry) {
        this.o.log.warn({ journal: inc, callId }, 'dialog journal entry unreadable by this version: dropped, its call not ended');
        jobs.push(this.redis.hdel(dialogsKey(inc), callId));
        continue;
      }
      this.o.log.warn({ journal: inc, callId, kind: entry.kind, ...entry.tags }, 'ending a call left up by a dead dialer process');
      jobs.push(
        this.end!(entry)
          .catch((err: Error) => this.o.log.warn({ callId, err: err.message }, 'orphaned call not ended'))
          .then(() => this.redis.multi().hdel(dialogsKey(inc), callId).hdel(streamsKey(inc), callId).exec()),
      );
    }
    try {
      await Promise.all(jobs);
      if ((await this.redis.dialogDrop(leaseKey(inc), dialogsKey(inc), this.id)) === 1) {
        await this.redis.del(streamsKey(inc));
        await this.redis.srem(INDEX, inc);
      }
    } catch (err) {
      this.o.log.warn({ journal: inc, err: (err as Error).message }, 'dialog journal not cleaned up; the next sweep retries');
    } finally {
      this.claimed.delete(inc);
    }
  }
}
