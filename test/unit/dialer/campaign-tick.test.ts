/** The runner's tick as a pure step (no Redis): window, phases → pacing counts, caps, mode mapping, calibration feedback. */
import t from 'tap';
import { afterPlaced, campaignTick, pacingMode, type CampaignTickInput } from '../../../lib/dialer/steps/campaign-tick';
import { campaignDefaults } from '../../../lib/domain/campaign';
import { createEstimator, estimates, type TickDecision } from '../../../lib/pacing';

// Monday 2026-12-07 10:00 Asia/Tokyo = 01:00 UTC: inside the default hours (Mon–Fri 09:00–17:00 Tokyo).
const MON_10_TOKYO = Date.UTC(2026, 11, 7, 1, 0, 0);
const SAT_10_TOKYO = Date.UTC(2026, 11, 12, 1, 0, 0);

const input = (over: Partial<CampaignTickInput> = {}): CampaignTickInput => ({
  now: MON_10_TOKYO,
  campaign: { ...campaignDefaults(), callsPerSecond: 0 },
  sessions: [],
  agents: [],
  startedLastSecond: 0,
  trunkInUse: 0,
  trunkStartedLastSecond: 0,
  ...over,
});

t.test('outside the campaign hours there is no pacing decision, and the window says until when', async (t) => {
  const r = campaignTick(input({ now: SAT_10_TOKYO, agents: [{ state: 'ready', since: 0 }] }));
  t.equal(r.decision, undefined);
  t.equal(r.window.ok, false);
  if (!r.window.ok) {
    t.equal(r.window.reason, 'outside-hours');
    t.equal(r.window.nextAt?.toISOString(), '2026-12-14T00:00:00.000Z', 'Monday 09:00 Tokyo');
  }
});

t.test('progressive: each ready agent gets one call, less the calls already ringing or queued', async (t) => {
  const ready = { state: 'ready' as const, since: 0 };
  const r = campaignTick(
    input({
      agents: [ready, ready, ready, { state: 'talking', since: 0 }],
      sessions: [
        { phase: 'dialing', startedAt: MON_10_TOKYO - 3000 },
        { phase: 'analysing', startedAt: MON_10_TOKYO - 9000 },
        { phase: 'connected', startedAt: MON_10_TOKYO - 60_000 },
        { phase: 'hanging_up', startedAt: MON_10_TOKYO - 60_000 },
      ],
    }),
  );
  t.equal(r.decision?.calls, 1, '3 ready − 2 ringing');
  t.same(r.decision?.trace.calls, { ringing: 2, queued: 0, connected: 1, inFlight: 2 });
});

t.test('a person waiting for an agent counts as queued from the moment the person was found', async (t) => {
  const r = campaignTick(
    input({
      agents: [{ state: 'ready', since: 0 }],
      sessions: [{ phase: 'awaiting_agent', startedAt: MON_10_TOKYO - 20_000, personAt: MON_10_TOKYO - 500 }],
    }),
  );
  t.equal(r.decision?.calls, 0, 'the one ready agent is for the waiting person');
  t.equal(r.decision?.trace.calls.queued, 1);
});

t.test("caps: the campaign's own calls per second and the trunk's, whichever leaves less room", async (t) => {
  const agents = Array.from({ length: 10 }, () => ({ state: 'ready' as const, since: 0 }));
  const byCampaign = campaignTick(input({ agents, campaign: { ...campaignDefaults(), callsPerSecond: 4 }, startedLastSecond: 1 }));
  t.equal(byCampaign.decision?.calls, 3, '4 cps, 1 started in the last second');
  const byTrunk = campaignTick(
    input({
      agents,
      campaign: { ...campaignDefaults(), callsPerSecond: 4 },
      trunk: { channels: 30, callsPerSecond: 10 },
      trunkStartedLastSecond: 9,
    }),
  );
  t.equal(byTrunk.decision?.calls, 1, 'the trunk has room for 1 more this second');
  const channels = campaignTick(input({ agents, trunk: { channels: 30, callsPerSecond: 0 }, trunkInUse: 28 }));
  t.equal(channels.decision?.calls, 2, '2 channels left on the trunk');
  const campaignCap = campaignTick(
    input({
      agents,
      campaign: { ...campaignDefaults(), callsPerSecond: 0, maxConcurrentCalls: 3 },
      sessions: [{ phase: 'connected', startedAt: 0 }],
    }),
  );
  t.equal(campaignCap.decision?.calls, 2, '3 simultaneous calls, 1 connected');
});

t.test('campaign modes map onto pacing modes; predictive takes the campaign target and the deployment overrides', async (t) => {
  const d = campaignDefaults();
  t.same(pacingMode({ ...d, mode: 'progressive' }), { kind: 'progressive' });
  t.same(pacingMode({ ...d, mode: 'power', ratioTable: [], ratio: 2.5 }), { kind: 'power', ratio: 2.5 });
  t.equal(pacingMode({ ...d, mode: 'power' }).kind, 'progressive', 'a ratio table is progressive per idle agent');
  t.same(pacingMode({ ...d, mode: 'agentless', maxConcurrentCalls: 0 }), { kind: 'agentless', maxLines: 10 });
  t.same(
    pacingMode(
      { ...d, mode: 'predictive', abandonTargetPct: 2, abandonThresholdSec: 3 },
      { safetyMargin: 0.1, budgetHorizonMs: 60_000, maxLinesPerAgent: 4 },
    ),
    {
      kind: 'predictive',
      targetAbandonRate: 0.02,
      maxAbandonRate: 0.02,
      abandonThresholdMs: 3000,
      safetyMargin: 0.1,
      budgetHorizonMs: 60_000,
      maxLinesPerAgent: 4,
    },
  );
});

t.test('the abandon ledger over the budget window replaces a shorter estimate window', async (t) => {
  const est = estimates(createEstimator(), MON_10_TOKYO);
  const r = campaignTick(
    input({
      campaign: { ...campaignDefaults(), mode: 'predictive' },
      agents: [{ state: 'ready', since: 0 }],
      estimates: est,
      ledger: { live: 100, abandoned: 3, windowHours: 24 },
    }),
  );
  t.equal(r.decision?.trace.mode, 'predictive');
  t.equal(r.decision?.calls, 1, 'thin estimates: progressive 1:1');
});

t.test('afterPlaced feeds the expected abandons of the calls actually claimed, pro rata', async (t) => {
  const est = createEstimator();
  const decision = (mode: 'predictive' | 'progressive', calls: number, expectedAbandons: number): TickDecision => ({
    calls,
    reason: '',
    trace: {
      now: 0,
      mode,
      agents: { loggedIn: 1, ready: 1, reserved: 0, talking: 0, wrapup: 0 },
      calls: { ringing: 0, queued: 0, connected: 0, inFlight: 0 },
      figures: { expectedAbandons },
      caps: { wanted: calls, room: {}, limitedBy: null },
    },
  });
  const fed = afterPlaced(est, decision('predictive', 4, 0.2), 2, 1000);
  t.not(fed, est, 'a new state');
  t.equal(estimates(fed, 1000).abandon.expected, 0.1, 'half the calls claimed, half the expected abandons');
  t.equal(afterPlaced(est, decision('predictive', 4, 0.2), 0, 1000), est, 'nothing claimed: unchanged');
  t.equal(afterPlaced(est, decision('progressive', 4, 0), 4, 1000), est, 'other modes do not calibrate');
});

t.test("the tick input carries today's close: the end of the campaign's hours, or the caller's", async (t) => {
  const est = estimates(createEstimator(), MON_10_TOKYO);
  const base = {
    campaign: { ...campaignDefaults(), mode: 'predictive' as const },
    agents: [{ state: 'ready' as const, since: 0 }],
    estimates: est,
  };
  // Default hours close at 17:00 Tokyo = 08:00 UTC, seven hours after 10:00 Tokyo.
  t.equal(campaignTick(input(base)).decision?.trace.figures.closeInMs, 7 * 3600_000, 'from the hours');
  t.equal(campaignTick(input({ ...base, closesAt: MON_10_TOKYO + 60_000 })).decision?.trace.figures.closeInMs, 60_000, "the caller's");
  const allDay = {
    timeZone: 'UTC',
    days: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ from: '00:00', to: '24:00' }]])),
  };
  const open = campaignTick(input({ ...base, campaign: { ...base.campaign, hours: allDay } }));
  t.equal(open.decision?.trace.figures.closeInMs, undefined, 'open around the clock: no close');
});
