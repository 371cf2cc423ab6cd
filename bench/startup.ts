/**
 * `npm run bench -- startup [runs]`: wall time of the compiled command line
 * (`bin/dialer --help`, `--version`) and of `dialer serve` until /health
 * answers (with its own embedded redis-server in a temporary folder), against
 * `node -e 0` on the same machine at the same moment. Needs `npm run build`
 * (scripts/setup.sh does it). Prints one JSON line, with the load average,
 * because on a shared machine the numbers move with it, and `serveToHealthCpuMs`
 * (CPU time `dialer serve` used until /health), which moves much less.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lib/store';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'dialer');

function timeMs(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  execFileSync(cmd, args, { stdio: 'ignore', env: { ...process.env, OPEN_DIALER_SOURCE: '' } });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * CPU time (user + system) a process has used, from /proc (Linux; clock ticks of 10 ms), or NaN
 * elsewhere. Unlike wall time it hardly moves with the machine's load.
 */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** From spawning `dialer serve` until GET /health answers 200: wall milliseconds, and the CPU milliseconds the process used. */
async function serveMs(): Promise<{ wall: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-startup-'));
  const port = await freePort();
  const env = {
    ...process.env,
    OPEN_DIALER_SOURCE: '',
    DIALER_API__PORT: String(port),
    DIALER_REDIS__DATA_DIR: join(dir, 'redis'),
    DIALER_API__KEYS: JSON.stringify([{ key: 'bench-startup-admin-key-01', role: 'admin' }]),
    DIALER_LOG__LEVEL: 'warn',
    DIALER_TELEPHONY__EMBEDDED__SIP__PORT: '0',
  };
  const t0 = process.hrtime.bigint();
  const child = spawn(BIN, ['serve'], { env, cwd: dir, stdio: 'ignore' });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu: cpuMs(child.pid!) };
      if (child.exitCode !== null) throw new Error(`dialer serve exited with ${child.exitCode}`);
      if (Number(process.hrtime.bigint() - t0) > 60e9) throw new Error('dialer serve did not answer within 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(args: string[]): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', '.build-stamp'))) throw new Error('no dist/: run `npm run build` first');
  const runs = Number(args[0] ?? 7);
  const node: number[] = [];
  const help: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < runs; i++) {
    node.push(timeMs(process.execPath, ['-e', '0']));
    help.push(timeMs(BIN, ['--help']));
    version.push(timeMs(BIN, ['--version']));
  }
  const serve: number[] = [];
  const serveCpu: number[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const m = await serveMs();
    serve.push(m.wall);
    serveCpu.push(m.cpu);
  }
  const r = (x: number) => Math.round(x);
  console.log(
    JSON.stringify({
      bench: 'startup',
      runs,
      nodeBareMs: r(median(node)),
      helpMs: r(median(help)),
      helpMaxMs: r(Math.max(...help)),
      versionMs: r(median(version)),
      serveToHealthMs: r(median(serve)),
      serveToHealthCpuMs: r(median(serveCpu)),
      loadavg1: Number(loadavg()[0]!.toFixed(2)),
      cpus: (await import('node:os')).cpus().length,
    }),
  );
}
