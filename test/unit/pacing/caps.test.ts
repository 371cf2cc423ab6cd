import t from 'tap';
import { applyCaps, mayStartCampaign, type Caps, type CallsSnapshot } from '../../../lib/pacing';

const calls = (ringing: number, queued: number, connected: number): CallsSnapshot => ({
  ringing: Array.from({ length: ringing }, () => 0),
  queued: Array.from({ length: queued }, () => 0),
  connected,
});
const trunk = (channels: number, inUse: number, callsPerSecond: number, startedLastSecond: number) => ({
  channels,
  inUse,
  callsPerSecond,
  startedLastSecond,
});

t.test('each cap cuts the wanted number to its room, 0 means unlimited', async (t) => {
  const rows: { name: string; wanted: number; caps: Caps; calls: CallsSnapshot; expect: number; by: string | null }[] = [
    { name: 'no caps', wanted: 7, caps: { maxSimultaneousCalls: 0 }, calls: calls(3, 0, 5), expect: 7, by: null },
    {
      name: 'campaign legs count ringing, queued and connected',
      wanted: 7,
      caps: { maxSimultaneousCalls: 10 },
      calls: calls(3, 1, 4),
      expect: 2,
      by: 'campaign',
    },
    { name: 'campaign full', wanted: 3, caps: { maxSimultaneousCalls: 5 }, calls: calls(5, 0, 0), expect: 0, by: 'campaign' },
    {
      name: 'campaign over (cap lowered while running) never negative',
      wanted: 3,
      caps: { maxSimultaneousCalls: 2 },
      calls: calls(5, 0, 0),
      expect: 0,
      by: 'campaign',
    },
    {
      name: 'trunk channels',
      wanted: 9,
      caps: { maxSimultaneousCalls: 0, trunk: trunk(30, 26, 0, 0) },
      calls: calls(0, 0, 0),
      expect: 4,
      by: 'trunkChannels',
    },
    {
      name: 'trunk calls per second',
      wanted: 9,
      caps: { maxSimultaneousCalls: 0, trunk: trunk(0, 0, 5, 2) },
      calls: calls(0, 0, 0),
      expect: 3,
      by: 'trunkCps',
    },
    {
      name: 'unlimited trunk',
      wanted: 9,
      caps: { maxSimultaneousCalls: 0, trunk: trunk(0, 100, 0, 100) },
      calls: calls(0, 0, 0),
      expect: 9,
      by: null,
    },
    {
      name: 'smallest room wins',
      wanted: 20,
      caps: { maxSimultaneousCalls: 12, trunk: trunk(10, 2, 5, 0) },
      calls: calls(2, 0, 0),
      expect: 5,
      by: 'trunkCps',
    },
    {
      name: 'campaign beyond the running limit places nothing',
      wanted: 4,
      caps: { maxSimultaneousCalls: 0, deployment: { runningCampaignLimit: 5, campaignRank: 6 } },
      calls: calls(0, 0, 0),
      expect: 0,
      by: 'runningCampaigns',
    },
    {
      name: 'campaign within the running limit',
      wanted: 4,
      caps: { maxSimultaneousCalls: 0, deployment: { runningCampaignLimit: 5, campaignRank: 5 } },
      calls: calls(0, 0, 0),
      expect: 4,
      by: null,
    },
    { name: 'fractional and negative wants', wanted: -2, caps: { maxSimultaneousCalls: 0 }, calls: calls(0, 0, 0), expect: 0, by: null },
  ];
  for (const r of rows) {
    const got = applyCaps(r.wanted, r.caps, r.calls);
    t.equal(got.calls, r.expect, r.name);
    t.equal(got.trace.limitedBy, r.by, `${r.name}: limited by`);
  }
});

t.test('the running-campaign limit admits up to the limit (seed 001: at most 5)', async (t) => {
  t.ok(mayStartCampaign(4, 5));
  t.notOk(mayStartCampaign(5, 5));
  t.ok(mayStartCampaign(50, 0), '0 = unlimited');
});
