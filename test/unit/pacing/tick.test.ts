import t from 'tap';
import { decideTick, RATIO_TABLE_PRESET, type AgentSnapshot, type Caps, type CallsSnapshot, type PacingMode } from '../../../lib/pacing';

const NOW = 1_000_000;
const agents = (ready: number, talking = 0, wrapup = 0): AgentSnapshot[] => [
  ...Array.from({ length: ready }, () => ({ state: 'ready' as const, since: NOW - 5000 })),
  ...Array.from({ length: talking }, () => ({ state: 'talking' as const, since: NOW - 60_000 })),
  ...Array.from({ length: wrapup }, () => ({ state: 'wrapup' as const, since: NOW - 5000 })),
];
const calls = (ringing: number, queued = 0, connected = 0): CallsSnapshot => ({
  ringing: Array.from({ length: ringing }, (_, i) => NOW - 1000 * (i + 1)),
  queued: Array.from({ length: queued }, () => NOW - 500),
  connected,
});
const NO_CAPS: Caps = { maxSimultaneousCalls: 0 };

t.test('progressive keeps one call in flight per waiting agent', async (t) => {
  const mode: PacingMode = { kind: 'progressive' };
  const rows = [
    { ready: 0, ringing: 0, expect: 0 },
    { ready: 3, ringing: 0, expect: 3 },
    { ready: 3, ringing: 2, expect: 1 },
    { ready: 3, ringing: 5, expect: 0 },
    { ready: 10, ringing: 0, talking: 5, expect: 10 },
  ];
  for (const r of rows) {
    const d = decideTick({ now: NOW, mode, agents: agents(r.ready, r.talking ?? 0), calls: calls(r.ringing), caps: NO_CAPS });
    t.equal(d.calls, r.expect, `${r.ready} ready, ${r.ringing} ringing`);
    t.equal(d.trace.figures.ratio, 1);
  }
});

t.test("progressive with seed 002's ratio table: the ratio follows the number of waiting agents", async (t) => {
  const mode: PacingMode = { kind: 'progressive', ratioTable: RATIO_TABLE_PRESET };
  const rows = [
    { ready: 1, ratio: 1, expect: 1 },
    { ready: 5, ratio: 1, expect: 5 },
    { ready: 6, ratio: 1.5, expect: 9 },
    { ready: 10, ratio: 1.5, expect: 15 },
    { ready: 11, ratio: 2, expect: 22 },
    { ready: 20, ratio: 2, expect: 40 },
    { ready: 21, ratio: 2.5, expect: 53 }, // round(52.5)
    { ready: 50, ratio: 2.5, expect: 125 },
    { ready: 51, ratio: 3, expect: 153 },
  ];
  for (const r of rows) {
    const d = decideTick({ now: NOW, mode, agents: agents(r.ready), calls: calls(0), caps: NO_CAPS });
    t.equal(d.trace.figures.ratio, r.ratio, `${r.ready} waiting → ratio ${r.ratio}`);
    t.equal(d.calls, r.expect, `${r.ready} waiting → ${r.expect} calls`);
  }
  const d = decideTick({ now: NOW, mode, agents: agents(8), calls: calls(4, 1), caps: NO_CAPS });
  t.equal(d.calls, 7, '8 × 1.5 = 12 in flight, 5 already (4 ringing + 1 queued)');
  t.match(d.reason, /8 waiting × 1\.50 = 12 in flight, 5 already → 7/);
});

t.test('a broken ratio table is refused, not guessed at', async (t) => {
  const mode: PacingMode = { kind: 'progressive', ratioTable: [{ upToIdleAgents: 5, ratio: 1 }] };
  t.throws(() => decideTick({ now: NOW, mode, agents: agents(3), calls: calls(0), caps: NO_CAPS }), /last row/);
});

t.test('power keeps a fixed ratio of calls per waiting agent', async (t) => {
  const rows = [
    { ratio: 2, ready: 4, ringing: 0, expect: 8 },
    { ratio: 2, ready: 4, ringing: 6, expect: 2 },
    { ratio: 2.5, ready: 3, ringing: 0, expect: 8 }, // round(7.5)
    { ratio: 3, ready: 0, ringing: 0, expect: 0 },
  ];
  for (const r of rows) {
    const d = decideTick({
      now: NOW,
      mode: { kind: 'power', ratio: r.ratio },
      agents: agents(r.ready, 2),
      calls: calls(r.ringing),
      caps: NO_CAPS,
    });
    t.equal(d.calls, r.expect, `ratio ${r.ratio}, ${r.ready} ready, ${r.ringing} ringing`);
  }
  t.throws(
    () => decideTick({ now: NOW, mode: { kind: 'power', ratio: 0.5 }, agents: agents(1), calls: calls(0), caps: NO_CAPS }),
    /power ratio/,
  );
});

t.test('agentless fills its lines, with no agent at all', async (t) => {
  const rows = [
    { lines: 10, ringing: 0, connected: 0, expect: 10 },
    { lines: 10, ringing: 3, connected: 4, expect: 3 },
    { lines: 10, ringing: 8, connected: 4, expect: 0 },
  ];
  for (const r of rows) {
    const d = decideTick({
      now: NOW,
      mode: { kind: 'agentless', maxLines: r.lines },
      agents: [],
      calls: calls(r.ringing, 0, r.connected),
      caps: NO_CAPS,
    });
    t.equal(d.calls, r.expect);
  }
  t.throws(
    () => decideTick({ now: NOW, mode: { kind: 'agentless', maxLines: -1 }, agents: [], calls: calls(0), caps: NO_CAPS }),
    /maxLines/,
  );
});

t.test('every mode passes the caps last, and says so', async (t) => {
  const caps: Caps = { maxSimultaneousCalls: 12, trunk: { channels: 100, inUse: 10, callsPerSecond: 4, startedLastSecond: 1 } };
  const modes: PacingMode[] = [
    { kind: 'progressive' },
    { kind: 'progressive', ratioTable: RATIO_TABLE_PRESET },
    { kind: 'power', ratio: 3 },
    { kind: 'agentless', maxLines: 50 },
    { kind: 'predictive' },
  ];
  for (const mode of modes) {
    const d = decideTick({ now: NOW, mode, agents: agents(20), calls: calls(2), caps });
    t.equal(d.calls, 3, `${mode.kind}: cps room 4 − 1`);
    t.equal(d.trace.caps.limitedBy, 'trunkCps');
    t.match(d.reason, /capped to 3 by trunkCps/);
    const full = decideTick({ now: NOW, mode, agents: agents(20), calls: calls(2, 0, 10), caps });
    t.equal(full.calls, 0, `${mode.kind}: campaign at 12 legs`);
  }
  const d = decideTick({
    now: NOW,
    mode: { kind: 'progressive' },
    agents: agents(3),
    calls: calls(0),
    caps: { maxSimultaneousCalls: 0, deployment: { runningCampaignLimit: 5, campaignRank: 7 } },
  });
  t.equal(d.calls, 0);
  t.equal(d.trace.caps.limitedBy, 'runningCampaigns');
});

t.test('the trace carries the inputs and the figures', async (t) => {
  const d = decideTick({ now: NOW, mode: { kind: 'progressive' }, agents: agents(2, 3, 1), calls: calls(1, 0, 3), caps: NO_CAPS });
  t.same(d.trace.agents, { loggedIn: 6, ready: 2, reserved: 0, talking: 3, wrapup: 1 });
  t.same(d.trace.calls, { ringing: 1, queued: 0, connected: 3, inFlight: 1 });
  t.equal(d.trace.now, NOW);
  t.equal(d.trace.mode, 'progressive');
  t.same(d.trace.caps, { wanted: 1, room: {}, limitedBy: null });
  t.same(JSON.parse(JSON.stringify(d.trace)), d.trace, 'plain JSON (becomes an event)');
});

t.test('bad input is refused', async (t) => {
  t.throws(() => decideTick({ now: NaN, mode: { kind: 'progressive' }, agents: [], calls: calls(0), caps: NO_CAPS }), /now/);
  t.throws(
    () => decideTick({ now: NOW, mode: { kind: 'turbo' } as unknown as PacingMode, agents: [], calls: calls(0), caps: NO_CAPS }),
    /unknown pacing mode/,
  );
});
