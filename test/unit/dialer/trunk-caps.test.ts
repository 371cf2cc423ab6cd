import t from 'tap';
import { trunkCaps } from '../../../lib/dialer/steps/campaign-tick';

t.test("trunk caps: the tighter calls-per-second room wins; channels are the trunk's", async (t) => {
  t.same(
    trunkCaps({ channels: 30, callsPerSecond: 10 }, 7, { cps: 5, started: 1 }, 2),
    { channels: 30, inUse: 7, callsPerSecond: 5, startedLastSecond: 1 },
    'campaign room 4 < trunk room 8',
  );
  t.same(
    trunkCaps({ channels: 30, callsPerSecond: 10 }, 7, { cps: 5, started: 0 }, 9),
    { channels: 30, inUse: 7, callsPerSecond: 10, startedLastSecond: 9 },
    'trunk room 1 < campaign room 5',
  );
  t.same(
    trunkCaps(undefined, 0, { cps: 3, started: 3 }, 0),
    { channels: 0, inUse: 0, callsPerSecond: 3, startedLastSecond: 3 },
    'no trunk configured',
  );
});
