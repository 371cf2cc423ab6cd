/**
 * Reports throughput: a campaign history of N attempts written through the
 * real close script on a real redis-server, then read back and reported
 * (campaign report + AMD matrix + attempts CSV in both encodings).
 * `npm run bench -- reports [attempts]`; prints one JSON line last.
 */
import { fillQueue, withBenchRedis } from './lib/redis-queue';
import { ATTEMPT_COLUMNS, amdReport, campaignReport, readAttempts, readDispositions, toCsv } from '../lib/reports';

const CODES = [20, 2, 3, 4, 20, 14, 1, 9, 7, 10];

export default async function main(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 20000);
  await withBenchRedis('reports', async (redis) => {
    const q = await fillQueue(redis, 'b', n, () => '');
    const now = Date.now();
    const claims = [];
    for (let got = 0; got < n;) {
      const c = await q.claim({ now, n: 1000, leaseMs: 3_600_000, owner: 'b', lists: ['L'], filters: { maxAttempts: 1 } });
      if (c.length === 0) break;
      claims.push(...c);
      got += c.length;
    }
    await Promise.all(
      claims.map((c, i) => {
        const code = CODES[i % CODES.length]!;
        const end = now - (i % 1000) * 60_000;
        return q.close({
          attemptId: c.attemptId,
          code,
          now: end,
          final: true,
          nextAt: 0,
          live: [1, 9, 14, 20].includes(code),
          abandoned: code === 14,
          agentId: code === 20 ? `a${i % 20}` : undefined,
          talkMs: code === 20 ? 60_000 : 0,
          data: {
            startedAt: end - 90_000,
            bridgedAt: code === 20 ? end - 60_000 : undefined,
            endedAt: end,
            phone: c.phone,
            verdicts: [{ kind: code === 4 ? 'machine' : 'human', atMs: 1500 }],
          },
        });
      }),
    );
    const t0 = performance.now();
    const records = await readAttempts(redis, 'b');
    const disp = await readDispositions(redis, 'b');
    const t1 = performance.now();
    const report = campaignReport('b', records, disp, { now });
    amdReport(records, disp);
    const t2 = performance.now();
    const utf = toCsv(
      records.map((record) => ({ record })),
      ATTEMPT_COLUMNS,
      'utf-8',
    );
    const sj = toCsv(
      records.map((record) => ({ record })),
      ATTEMPT_COLUMNS,
      'shift_jis',
    );
    const t3 = performance.now();
    console.log(
      JSON.stringify({
        bench: 'reports',
        attempts: records.length,
        checked: report.attempts === n,
        readMs: Math.round(t1 - t0),
        reportMs: Math.round(t2 - t1),
        csvBothMs: Math.round(t3 - t2),
        attemptsPerSecRead: Math.round(records.length / ((t1 - t0) / 1000)),
        csvBytes: utf.length + sj.length,
      }),
    );
  });
}
