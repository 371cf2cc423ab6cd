/**
 * The per-tick decision: how many calls the campaign starts now, and why.
 * Progressive and power keep `round(waiting agents × ratio)` calls in flight
 * (VICIdial's "level × agents − calls in progress", per waiting agent as in
 * seeds 001/002); predictive is in ./predictive; agentless fills its lines.
 * Every answer passes the caps last.
 */
import { ratioForIdleAgents, validateRatioTable } from '../domain/ratio-table';
import { applyCaps, campaignLegs } from './caps';
import { predictive } from './predictive';
import type { TickDecision, TickInput, TickTrace } from './types';

export function decideTick(input: TickInput): TickDecision {
  const { agents, calls, mode } = input;
  if (!Number.isFinite(input.now)) throw new RangeError(`pacing tick needs a numeric now, got ${input.now}`);
  const count = { loggedIn: agents.length, ready: 0, reserved: 0, talking: 0, wrapup: 0 };
  for (const a of agents) count[a.state]++;
  const inFlight = calls.ringing.length + calls.queued.length;
  const figures: TickTrace['figures'] = {};
  let wanted: number;
  let reason: string;
  let expectedAbandons: ((n: number) => number) | undefined;
  switch (mode.kind) {
    case 'progressive':
    case 'power': {
      let ratio: number;
      if (mode.kind === 'power') {
        if (!(mode.ratio >= 1)) throw new RangeError(`power ratio must be ≥ 1, got ${mode.ratio}`);
        ratio = mode.ratio;
      } else if (mode.ratioTable) {
        const errors = validateRatioTable(mode.ratioTable);
        if (errors.length) throw new RangeError(errors.join('; '));
        ratio = ratioForIdleAgents(mode.ratioTable, count.ready);
      } else {
        ratio = 1;
      }
      const target = Math.round(count.ready * ratio);
      wanted = Math.max(0, target - inFlight);
      figures.ratio = ratio;
      figures.targetInFlight = target;
      reason = `${mode.kind}: ${count.ready} waiting × ${ratio.toFixed(2)} = ${target} in flight, ${inFlight} already → ${wanted}`;
      break;
    }
    case 'predictive': {
      const r = predictive(input, mode, count.ready);
      wanted = r.wanted;
      reason = r.reason;
      expectedAbandons = r.expectedAbandons;
      Object.assign(figures, r.figures);
      break;
    }
    case 'agentless': {
      if (!(Number.isInteger(mode.maxLines) && mode.maxLines >= 0))
        throw new RangeError(`agentless maxLines must be a non-negative integer, got ${mode.maxLines}`);
      const legs = campaignLegs(calls);
      wanted = Math.max(0, mode.maxLines - legs);
      figures.maxLines = mode.maxLines;
      reason = `agentless: ${mode.maxLines} lines, ${legs} busy → ${wanted}`;
      break;
    }
    default:
      throw new RangeError(`unknown pacing mode ${(mode as { kind: unknown }).kind}`);
  }
  const capped = applyCaps(wanted, input.caps, calls);
  if (capped.trace.limitedBy) reason += `; capped to ${capped.calls} by ${capped.trace.limitedBy}`;
  // Predictive: what the placed calls are expected to cost, to be fed back as a `placed` estimator event.
  if (mode.kind === 'predictive') figures.expectedAbandons = expectedAbandons ? expectedAbandons(capped.calls) : 0;
  // calibrationOwnCalls: of those, the model's own calls' (the first ownCalls placed; the floor's extra calls after them).
  if (mode.kind === 'predictive' && typeof figures.ownCalls === 'number') {
    figures.ownCalls = Math.min(figures.ownCalls, capped.calls);
    figures.expectedAbandonsOwn = expectedAbandons && figures.ownCalls > 0 ? expectedAbandons(figures.ownCalls) : 0;
  }
  return {
    calls: capped.calls,
    reason,
    trace: {
      now: input.now,
      mode: mode.kind,
      agents: count,
      calls: { ringing: calls.ringing.length, queued: calls.queued.length, connected: calls.connected, inFlight },
      figures,
      caps: capped.trace,
    },
  };
}
