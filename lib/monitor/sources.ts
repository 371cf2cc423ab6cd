/**
 * What feeds the monitor hub: the runner's `DialerEvents` and the agent
 * desk's events, mapped to monitor events (pure mappers + thin subscriptions).
 * Agent state changes are also appended to the agent state log that the
 * agent report reads (time in ready/break/away).
 */
import type { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { DeskEvents } from '../agents/desk';
import type { DialerEvent, DialerEvents } from '../dialer/events';
import { agentLogKey } from '../reports/source';
import type { MonitorEvent, MonitorHub } from './hub';

type Draft = Omit<MonitorEvent, 'id'>;

export function fromDialerEvent(e: DialerEvent): Draft {
  const { type, at, campaignId, ...rest } = e;
  const agentId = e.type === 'call.ended' || e.type === 'attempt.recoded' ? e.agentId : undefined;
  return { type, at, campaignId, agentId, data: { campaignId, ...rest } };
}

export function fromAgentState(s: DeskEvents['state'][0]): Draft[] {
  const base: Draft = {
    type: 'agent.state',
    at: s.at,
    agentId: s.agentId,
    data: { agentId: s.agentId, from: s.from, to: s.to, event: s.event, reason: s.reason, since: s.at },
  };
  // seed 001: agents idle too long are released automatically; supervisors want to know.
  if (s.event !== 'idle_timeout') return [base];
  return [
    base,
    {
      type: 'agent.released',
      at: s.at,
      agentId: s.agentId,
      data: { agentId: s.agentId, from: s.from, reason: s.reason ?? 'idle limit reached' },
    },
  ];
}

export function fromScreenPop(p: DeskEvents['screen-pop'][0]): Draft {
  return {
    type: 'agent.screen-pop',
    at: p.at,
    agentId: p.agentId,
    campaignId: p.pop.campaignId,
    data: { agentId: p.agentId, attemptId: p.pop.attemptId, pop: p.pop },
  };
}

export function attachDialerEvents(hub: MonitorHub, events: Pick<DialerEvents, 'onEvent'>): () => void {
  return events.onEvent((e) => hub.publish(fromDialerEvent(e)));
}

type DeskLike = Pick<EventEmitter<DeskEvents>, 'on' | 'off'>;

export function attachDesk(
  hub: MonitorHub,
  desk: DeskLike,
  opts: { redis?: Redis; logMaxLen?: number; onError?: (err: Error) => void } = {},
): () => void {
  const onState = (s: DeskEvents['state'][0]) => {
    for (const d of fromAgentState(s)) hub.publish(d);
    if (opts.redis) {
      void opts.redis
        .xadd(
          agentLogKey,
          'MAXLEN',
          '~',
          String(opts.logMaxLen ?? 200000),
          '*',
          'agentId',
          s.agentId,
          'from',
          s.from,
          'to',
          s.to,
          'at',
          String(s.at),
        )
        .catch((err: Error) => opts.onError?.(err));
    }
  };
  const onPop = (p: DeskEvents['screen-pop'][0]) => hub.publish(fromScreenPop(p));
  desk.on('state', onState);
  desk.on('screen-pop', onPop);
  return () => {
    desk.off('state', onState);
    desk.off('screen-pop', onPop);
  };
}
