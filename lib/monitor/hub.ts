/**
 * The monitor hub: one ordered sequence of monitor events per process, fanned
 * out to SSE subscribers by filter (campaign, agent, type). Each event gets a
 * sequence number when published; every subscriber receives events in that
 * order (writes to one socket are ordered). A ring buffer keeps the latest
 * events so a client that reconnects with `Last-Event-ID` misses nothing
 * still in it. Also tracks the live calls it has seen, for the dashboard.
 */
export interface MonitorEvent {
  /** Sequence number, increasing by one per published event. */
  id: number;
  type: string;
  at: number;
  campaignId?: string;
  agentId?: string;
  data: Record<string, unknown>;
}

export interface Filter {
  /** Only these campaigns (events without a campaign pass when `agents` is empty… see `matches`). */
  campaigns?: readonly string[];
  agents?: readonly string[];
  /** Type names or prefixes ending in '.' (e.g. `call.`). */
  types?: readonly string[];
}

/** True when the event passes every filter given; an empty filter passes everything. */
export function matches(f: Filter, e: Pick<MonitorEvent, 'type' | 'campaignId' | 'agentId'>): boolean {
  if (f.campaigns?.length && (!e.campaignId || !f.campaigns.includes(e.campaignId))) return false;
  if (f.agents?.length && (!e.agentId || !f.agents.includes(e.agentId))) return false;
  if (f.types?.length && !f.types.some((t) => (t.endsWith('.') ? e.type.startsWith(t) : e.type === t))) return false;
  return true;
}

export interface Subscriber {
  filter: Filter;
  send(e: MonitorEvent): void;
}

export interface LiveCall {
  campaignId: string;
  attemptId: string;
  ref: string;
  attemptNo: number;
  phase: string;
  startedAt: number;
  phaseAt: number;
  agentId?: string;
}

export class MonitorHub {
  private seq = 0;
  private readonly ring: MonitorEvent[] = [];
  private readonly subs = new Set<Subscriber>();
  private readonly listeners = new Set<(e: MonitorEvent) => void>();
  /** attemptId → the live call, from call.started until call.ended. */
  readonly calls = new Map<string, LiveCall>();
  /** attemptId → agent, so call phases reach the agent's own stream. */
  private readonly attemptAgent = new Map<string, string>();

  constructor(private readonly opts: { replayBuffer: number } = { replayBuffer: 2000 }) {}

  /** Publishes an event to every matching subscriber, in publication order; returns it with its id. */
  publish(ev: Omit<MonitorEvent, 'id'>): MonitorEvent {
    const e = this.annotate({ ...ev, id: ++this.seq });
    if (this.opts.replayBuffer > 0) {
      this.ring.push(e);
      if (this.ring.length > this.opts.replayBuffer) this.ring.shift();
    }
    for (const s of this.subs) if (matches(s.filter, e)) s.send(e);
    for (const l of this.listeners) l(e);
    return e;
  }

  /**
   * Adds a subscriber. With `lastEventId`, first replays the buffered events
   * after it; `gap` is true when some were already dropped from the buffer.
   */
  subscribe(s: Subscriber, lastEventId?: number): { unsubscribe: () => void; gap: boolean } {
    let gap = false;
    if (lastEventId !== undefined && lastEventId < this.seq) {
      const oldest = this.ring[0]?.id ?? this.seq + 1;
      gap = lastEventId + 1 < oldest;
      for (const e of this.ring) if (e.id > lastEventId && matches(s.filter, e)) s.send(e);
    }
    this.subs.add(s);
    return { unsubscribe: () => this.subs.delete(s), gap };
  }

  /** Every event, unfiltered (metrics, webhook recorder). */
  onPublish(fn: (e: MonitorEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get subscribers(): number {
    return this.subs.size;
  }

  get lastId(): number {
    return this.seq;
  }

  /** Keeps the live-call table and ties call events to the agent who has the call. */
  private annotate(e: MonitorEvent): MonitorEvent {
    const attemptId = typeof e.data.attemptId === 'string' ? e.data.attemptId : undefined;
    if (e.type === 'agent.screen-pop' && attemptId && e.agentId) this.attemptAgent.set(attemptId, e.agentId);
    if (!attemptId || !e.type.startsWith('call.')) return e;
    const agentId = e.agentId ?? this.attemptAgent.get(attemptId);
    const call = this.calls.get(attemptId);
    if (e.type === 'call.started' && e.campaignId) {
      this.calls.set(attemptId, {
        campaignId: e.campaignId,
        attemptId,
        ref: String(e.data.ref ?? ''),
        attemptNo: Number(e.data.attemptNo ?? 1),
        phase: 'dialing',
        startedAt: e.at,
        phaseAt: e.at,
      });
    } else if (e.type === 'call.phase' && call) {
      call.phase = String(e.data.phase);
      call.phaseAt = e.at;
      if (agentId) call.agentId = agentId;
    } else if (e.type === 'call.ended') {
      this.calls.delete(attemptId);
      this.attemptAgent.delete(attemptId);
      if (call) e = { ...e, data: { ...e.data, durationMs: e.at - call.startedAt } };
    }
    return agentId ? { ...e, agentId } : e;
  }
}
