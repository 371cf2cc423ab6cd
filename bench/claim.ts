/**
 * Claim throughput with the contact's calling hours applied inside the claim
 * script (dial-claim.lua given the hours rule per zone) against the same claim
 * without hours, on a real redis-server: N contacts spread over Z zones, half of
 * which are closed at the chosen instant (their contacts are put back,
 * uncounted, inside the script). Also the TS side's cost of the rule per zone.
 * `npm run bench -- claim [contacts] [zones]`; prints one JSON line last.
 */
import { performance } from 'node:perf_hooks';
import type { DialQueue, ZoneHours } from '../lib/store/dial-queue';
import { zoneTable } from '../lib/dialer/steps/dial-time';
import type { BusinessHours } from '../lib/rules/hours';
import { fillQueue, withBenchRedis } from './lib/redis-queue';

const r = [{ from: '09:00', to: '17:00' }];
const HOURS: BusinessHours = { timeZone: 'Asia/Tokyo', days: { mon: r, tue: r, wed: r, thu: r, fri: r } };
// Monday 03:00 UTC: open in Asia and Oceania, closed in Europe and the Americas.
const NOW = Date.parse('2026-12-07T03:00:00Z');
const ZONES = [
  'Asia/Tokyo',
  'Europe/London',
  'Asia/Seoul',
  'America/New_York',
  'Asia/Shanghai',
  'Europe/Paris',
  'Asia/Singapore',
  'America/Chicago',
  'Australia/Perth',
  'America/Los_Angeles',
  'Asia/Manila',
  'Europe/Berlin',
  'Asia/Hong_Kong',
  'America/Denver',
  'Asia/Taipei',
  'Europe/Madrid',
];

async function drain(q: DialQueue, hours?: ZoneHours): Promise<{ claimed: number; calls: number; ms: number }> {
  let claimed = 0;
  let calls = 0;
  const t0 = performance.now();
  for (;;) {
    const c = await q.claim({ now: NOW, n: 10, leaseMs: 3_600_000, owner: 'b', lists: ['L'], filters: { maxAttempts: 3 }, hours });
    calls++;
    if (c.length === 0) break;
    claimed += c.length;
  }
  return { claimed, calls, ms: performance.now() - t0 };
}

export default async function main(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 20000);
  const z = Math.min(Number(args[1] ?? 8), ZONES.length);
  const zones = ZONES.slice(0, z);
  await withBenchRedis('claim', async (redis) => {
    const fill = (id: string) => fillQueue(redis, id, n, (i) => zones[i % zones.length]!);
    const open = zones.filter((zone) => zoneTable(HOURS, [zone], NOW)[zone] === 0).length;
    const plain = await drain(await fill('plain'));
    // The runner's case: the rule computed once per zone per minute, then looked up.
    const cache = zoneTable(HOURS, zones, NOW);
    const hours = await drain(await fill('hours'), (zs) => Object.fromEntries(zs.map((zone) => [zone, cache[zone]!])));
    const reps = 200;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) zoneTable(HOURS, zones, NOW + i * 60_000);
    const ruleUs = ((performance.now() - t0) * 1000) / (reps * z);
    const rate = (d: { claimed: number; ms: number }) => Math.round((d.claimed / d.ms) * 1000);
    console.log(
      JSON.stringify({
        contacts: n,
        zones: z,
        openZones: open,
        plain: { claimed: plain.claimed, claimsPerSec: rate(plain), msPerClaimCall: +(plain.ms / plain.calls).toFixed(3) },
        hours: {
          claimed: hours.claimed,
          putBack: n - hours.claimed,
          claimsPerSec: rate(hours),
          msPerClaimCall: +(hours.ms / hours.calls).toFixed(3),
        },
        hoursRuleUsPerZone: +ruleUs.toFixed(1),
      }),
    );
  });
}
