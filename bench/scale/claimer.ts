/**
 * One "dialer process" of `npm run bench -- scale`'s claim phase: claims,
 * begins and closes attempts of its own campaign as fast as it can for the
 * given seconds (the store work of every call, without telephony), and
 * prints one JSON line: claims done and its CPU time.
 * argv: <json {cluster?: string[], url?: string, prefix, campaignId, seconds}>
 */
import { performance } from 'node:perf_hooks';
import { DialQueue } from '../../lib/store/dial-queue';
import { createStoreClient } from '../../lib/store/topology';

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as { cluster?: string[]; url?: string; prefix: string; campaignId: string; seconds: number };
  const redis = createStoreClient({ cluster: o.cluster, url: o.url, keyPrefix: o.prefix });
  const q = new DialQueue(redis, o.campaignId);
  const owner = `claimer-${process.pid}`;
  // Start together: say ready once connected, then wait for the parent's go on stdin.
  await redis.ping();
  process.stdout.write('ready\n');
  await new Promise<void>((res) => process.stdin.once('data', () => res()));
  process.stdin.destroy(); // an open stdin would keep this process alive
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = performance.now() + o.seconds * 1000;
  let claims = 0;
  // A few claim loops in flight, as a runner with several campaigns' ticks would have.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < end) {
        const now = Date.now();
        const batch = await q.claim({ now, n: 10, leaseMs: 30000, owner, lists: ['L'], filters: { maxAttempts: 3 } });
        if (batch.length === 0) break;
        await Promise.all(
          batch.map(async (c) => {
            await q.begin(c.attemptId, owner, now, 30000);
            await q.close({
              attemptId: c.attemptId,
              code: 1,
              now: Date.now(),
              final: true,
              nextAt: 0,
              live: true,
              abandoned: false,
              data: { bench: true },
            });
          }),
        );
        claims += batch.length;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ claims, loopMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
  redis.disconnect();
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
