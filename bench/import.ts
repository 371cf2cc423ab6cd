/**
 * `npm run bench -- import [rows]`: generates a CSV of 1,000,000 rows (default)
 * and imports it through the real import path into a real redis-server that
 * it starts. Last line: JSON with rows, seconds, rowsPerSec, peakRssMb.
 * Targets (issue 2): ≥ 50,000 rows/s, ≤ 300 MB peak RSS of the dialer process.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedis, startEmbeddedRedis } from '../lib/store';
import { createList } from '../lib/store/lists';
import { runImport } from '../lib/import/run';
import { getJob } from '../lib/import/jobs';

/** Writes the file in chunks so the generator itself holds nothing. 1 in 1000 rows has a bad number. */
async function generate(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('id,phone,name,key1,key2,prefecture,notes\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const phone = i % 1000 === 999 ? `12-${i}` : i % 10 === 0 ? `03${String(10000000 + i).slice(-8)}` : `090${10000000 + i}`;
    buf += `C${i},${phone},Customer ${i},K${i % 100000},${i % 100},Tokyo,"note, with comma ${i % 7}"\n`;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

export default async function main(args: string[]): Promise<void> {
  const rows = Number(args[0] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
  const file = join(dir, 'contacts.csv');
  const server = await startEmbeddedRedis({ dataDir: dir, persist: false });
  const redis = createRedis({ url: server.url, keyPrefix: 'bench:' });
  try {
    await generate(file, rows);
    const bytes = statSync(file).size;
    console.log(`generated ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB`);
    await createList(redis, { id: 'bench', name: 'bench', profile: 'default' });
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = process.hrtime.bigint();
    // Progress as the API shows it while the job runs (also shows whether the rate holds as the list grows).
    let last = { at: Date.now(), rows: 0 };
    const progress = setInterval(() => {
      void getJob(redis, 'bench', 'bench-job').then((j) => {
        if (!j) return;
        const now = Date.now();
        console.log(`progress: ${j.rowsRead} rows read, ${j.accepted} accepted, ${Math.round(((j.rowsRead - last.rows) * 1000) / (now - last.at))} rows/s`);
        last = { at: now, rows: j.rowsRead };
      });
    }, 5000);
    const { job, fileError } = await runImport({
      jobId: 'bench-job',
      redis,
      listId: 'bench',
      profile: 'default',
      source: createReadStream(file, { highWaterMark: 1 << 16 }),
      region: 'JP',
      limits: { maxFieldLength: 1000, maxAttributes: 50, batchSize: 2000, uploadLimitBytes: 1 << 30 },
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    clearInterval(progress);
    peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    if (fileError) throw fileError;
    const info = await redis.info('memory');
    const redisMb = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) / 1048576;
    console.log(JSON.stringify({ job }));
    console.log(
      JSON.stringify({
        rows,
        seconds: Number(seconds.toFixed(2)),
        rowsPerSec: Math.round(rows / seconds),
        peakRssMb: Math.round(peak / 1048576),
        accepted: job.accepted,
        rejected: job.rejected,
        fileMb: Number((bytes / 1e6).toFixed(1)),
        redisUsedMemoryMb: Math.round(redisMb),
      }),
    );
  } finally {
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
