/**
 * Every test process loads this first (`.taprc` node-arg): on SIGTERM, SIGINT or SIGHUP, and at exit, it
 * SIGKILLs whatever processes it still has below it (redis-server, SIPp, dialer children and theirs).
 *
 * Why: teardowns run only when a test ends. A signal skips them (tap's root installs no handler of its own for
 * these; signal-exit just re-raises), and the servers that lib/ starts (lib/store/redis-server, the SIPp of
 * lib/telephony/testing/sipp) are plain children, so they outlived a SIGTERMed e2e test as orphans (round 21:
 * a redis-server and seven SIPp, ppid 1). Only the live drachtio-server and FreeSWITCH die with us by
 * themselves (`setpriv --pdeathsig`, test/helpers/live-servers.ts).
 *
 * The tree is read when the signal arrives, not recorded at spawn, so it also catches grandchildren and
 * processes that lib/ spawned. SIGKILL, because a handler here must be synchronous: there is no waiting for
 * a graceful stop. A SIGKILL of the test process itself (tap's bail, or a timeout's last resort) cannot be
 * caught; only pdeathsig covers that.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Every process below `root` in a parent → children map, children before their own children (pure). */
export function descendants(root: number, childrenOf: (pid: number) => readonly number[]): number[] {
  const out: number[] = [];
  const seen = new Set<number>([root]);
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const c of childrenOf(queue[i]!)) {
      if (seen.has(c)) continue; // a pid reused mid-read could loop
      seen.add(c);
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** The pids listed in a /proc/<pid>/task/<tid>/children file (pure). */
export function parseChildren(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** A process's children from /proc (Linux: every thread's `children` file); none where that cannot be read. */
export function procChildren(pid: number): number[] {
  try {
    const tasks = readdirSync(`/proc/${pid}/task`);
    return tasks.flatMap((tid) => {
      try {
        return parseChildren(readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8'));
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** SIGKILLs every process below this one; returns the pids it signalled. */
export function killDescendants(childrenOf: (pid: number) => readonly number[] = procChildren): number[] {
  const pids = descendants(process.pid, childrenOf);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  killDescendants();
  // Then die of the signal as if nobody had listened: with our listener gone, tap's signal-exit (if loaded)
  // is the only one left and re-raises it itself; without it the default action ends the process.
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

for (const s of SIGNALS) process.on(s, onSignal);
process.on('exit', () => killDescendants());
