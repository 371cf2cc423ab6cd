/**
 * `npm run bench -- import [rows] [csv|xlsx]`: generates a CSV and an XLSX
 * workbook of 1,000,000 rows (default) and imports each through the real
 * import path into a real redis-server that it starts. One JSON line per
 * format: rows, seconds, rowsPerSec, peakRssMb (…).
 * Each import runs in a child process of its own, so its peak RSS is that of
 * the import alone (not of the generator, nor of the other format's import).
 * Targets (issues 2, 14): ≥ 50,000 rows/s, ≤ 300 MB peak RSS of the dialer
 * process, for CSV and for XLSX.
 */
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import type { Redis } from 'ioredis';
import { join } from 'node:path';
import { createRedis, startEmbeddedRedis } from '../lib/store';
import { createList } from '../lib/store/lists';
import { runImport } from '../lib/import/run';
import { DEFAULT_XLSX_LIMITS } from '../lib/import/xlsx/reader';
import { getJob } from '../lib/import/jobs';
import { columnName, writeWorkbook } from '../test/helpers/xlsx-writer';

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

/**
 * The same rows as an Excel-like workbook: every text cell a shared string
 * (as Excel saves them: ids, numbers and names all distinct, ~3 million
 * strings), key2 a number cell, the worksheet before the shared strings.
 */
export async function generateXlsx(file: string, rows: number): Promise<void> {
  const header = ['id', 'phone', 'name', 'key1', 'key2', 'prefecture', 'notes'];
  const cell = (col: number, r: number, v: string | number) =>
    typeof v === 'number' ? `<c r="${columnName(col)}${r}"><v>${v}</v></c>` : `<c r="${columnName(col)}${r}" t="s"><v>${v}</v></c>`;
  // Shared-string numbering: header 0–6, "Tokyo" 7, notes 8–14, then per row i: id, phone, name (3 new strings), key1 new when i < 100000.
  const rowStrings = (i: number) => 15 + i * 3 + Math.min(i, 100_000);
  const phoneOf = (i: number) =>
    i % 1000 === 999 ? `12-${i}` : i % 10 === 0 ? `03${String(10000000 + i).slice(-8)}` : `090${10000000 + i}`;
  function* sheet(): Generator<string> {
    yield `<row r="1">${header.map((h, c) => cell(c, 1, String(c))).join('')}</row>`;
    let buf = '';
    for (let i = 0; i < rows; i++) {
      const r = i + 2;
      const base = rowStrings(i);
      const key1 = i < 100_000 ? base + 3 : rowStrings(i % 100_000) + 3;
      buf += `<row r="${r}">${cell(0, r, String(base))}${cell(1, r, String(base + 1))}${cell(2, r, String(base + 2))}${cell(3, r, String(key1))}${cell(4, r, i % 100)}${cell(5, r, '7')}${cell(6, r, String(8 + (i % 7)))}</row>`;
      if (buf.length > 1 << 16) {
        yield buf;
        buf = '';
      }
    }
    yield buf;
  }
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  function* shared(): Generator<string> {
    let buf = header.map((h) => `<si><t>${h}</t></si>`).join('') + '<si><t>Tokyo</t></si>';
    for (let n = 0; n < 7; n++) buf += `<si><t>${esc(`note, with comma ${n}`)}</t></si>`;
    for (let i = 0; i < rows; i++) {
      buf += `<si><t>C${i}</t></si><si><t>${phoneOf(i)}</t></si><si><t>Customer ${i}</t></si>`;
      if (i < 100_000) buf += `<si><t>K${i}</t></si>`;
      if (buf.length > 1 << 16) {
        yield buf;
        buf = '';
      }
    }
    yield buf;
  }
  await writeWorkbook(file, { sheetData: sheet(), sharedStrings: shared() });
}

/**
 * CPU seconds per thread of this process (Linux /proc), sampled while the
 * import runs: threads end before the import returns (the parser thread), so
 * the last sample of each is kept. The busiest thread bounds the rate on an
 * idle machine; the total is what competes with others on a loaded one.
 */
function threadCpuSampler(): { sample(): void; top(): { name: string; cpuSeconds: number }[] } {
  const seen = new Map<string, { name: string; ticks: number }>();
  /** Ticks before the import (the main thread generated the file first). */
  const base = new Map<string, number>();
  const hz = 100; // USER_HZ on Linux
  return {
    sample() {
      let tids: string[] = [];
      try {
        tids = readdirSync('/proc/self/task');
      } catch {
        return; // not Linux
      }
      const first = base.size === 0;
      for (const tid of tids) {
        try {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
          const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          const ticks = Number(f[11]) + Number(f[12]);
          if (!base.has(tid)) base.set(tid, first ? ticks : 0);
          seen.set(tid, { name, ticks: ticks - base.get(tid)! });
        } catch {
          // the thread ended between readdir and read
        }
      }
    },
    top() {
      return [...seen.values()]
        .filter((t) => t.ticks > 0)
        .sort((a, b) => b.ticks - a.ticks)
        .slice(0, 4)
        .map((t) => ({ name: t.name, cpuSeconds: Number((t.ticks / hz).toFixed(1)) }));
    },
  };
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const v = (k: string) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return v('used_cpu_user') + v('used_cpu_sys');
}

/** Generates both files here, then imports each in a child process (`import <rows> <format> <file>`). */
export default async function main(args: string[]): Promise<void> {
  const rows = Number(args[0] ?? 1_000_000);
  if (args[1] && args[2]) return importOne(rows, args[1] as 'csv' | 'xlsx', args[2]);
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-files-'));
  try {
    for (const format of args[1] ? [args[1] as 'csv' | 'xlsx'] : (['csv', 'xlsx'] as const)) {
      const file = join(dir, `contacts.${format}`);
      await (format === 'csv' ? generate(file, rows) : generateXlsx(file, rows));
      console.log(`generated ${rows} rows as ${format}, ${(statSync(file).size / 1e6).toFixed(1)} MB`);
      const child = spawn(process.execPath, [...process.execArgv, join(__dirname, 'run.ts'), 'import', String(rows), format, file], {
        stdio: 'inherit',
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`the ${format} import exited with ${code}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function importOne(rows: number, format: 'csv' | 'xlsx', file: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
  const server = await startEmbeddedRedis({ dataDir: dir, persist: false });
  const redis = createRedis({ url: server.url, keyPrefix: 'bench:' });
  try {
    const bytes = statSync(file).size;
    await createList(redis, { id: 'bench', name: 'bench', profile: 'default' });
    const redisCpu0 = await redisCpuSeconds(redis);
    const cpu0 = process.cpuUsage();
    let peak = process.memoryUsage().rss;
    const threads = threadCpuSampler();
    threads.sample();
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
      threads.sample();
    }, 50);
    const t0 = process.hrtime.bigint();
    // Progress as the API shows it while the job runs (also shows whether the rate holds as the list grows).
    let last = { at: Date.now(), rows: 0 };
    const progress = setInterval(() => {
      void getJob(redis, 'bench', 'bench-job').then((j) => {
        if (!j) return;
        const now = Date.now();
        console.log(
          `progress: ${j.rowsRead} rows read, ${j.accepted} accepted, ${Math.round(((j.rowsRead - last.rows) * 1000) / (now - last.at))} rows/s`,
        );
        last = { at: now, rows: j.rowsRead };
      });
    }, 5000);
    const { job, fileError } = await runImport({
      jobId: 'bench-job',
      redis,
      listId: 'bench',
      profile: 'default',
      source: createReadStream(file, { highWaterMark: 1 << 16 }),
      sizeHint: bytes,
      region: 'JP',
      format,
      limits: { maxFieldLength: 1000, maxAttributes: 50, batchSize: 2000, uploadLimitBytes: 1 << 30, xlsx: DEFAULT_XLSX_LIMITS },
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const redisCpu = (await redisCpuSeconds(redis)) - redisCpu0;
    threads.sample();
    clearInterval(sampler);
    clearInterval(progress);
    peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    if (fileError) throw fileError;
    const info = await redis.info('memory');
    const redisMb = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) / 1048576;
    console.log(JSON.stringify({ job }));
    console.log(
      JSON.stringify({
        format,
        rows,
        seconds: Number(seconds.toFixed(2)),
        rowsPerSec: Math.round(rows / seconds),
        peakRssMb: Math.round(peak / 1048576),
        accepted: job.accepted,
        rejected: job.rejected,
        fileMb: Number((bytes / 1e6).toFixed(1)),
        redisUsedMemoryMb: Math.round(redisMb),
        // CPU seconds spent by this process (all threads) and by redis-server: on a shared
        // machine these say more than the wall clock, which others' load stretches.
        importerCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
        redisCpuSeconds: Number(redisCpu.toFixed(1)),
        busiestThreads: threads.top(),
        loadAverage: loadavg().map((l) => Number(l.toFixed(1))),
      }),
    );
  } finally {
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
