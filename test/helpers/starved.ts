/**
 * How long a process has waited for a CPU: the longest run-queue delay of its
 * threads, as the kernel keeps it in /proc/PID/task/TID/schedstat (second field,
 * ns; Documentation/scheduler/sched-stats.rst). The longest, not the sum: threads
 * wait side by side, and a sum could pass the wall time (FreeSWITCH starts ~19
 * threads; its main thread, which loads the modules, had the longest delay in
 * each start measured: 5.4 of 6.3 s summed, 2.4 of 3.1). The live harness's
 * start-up bounds leave this time out: they guard against a server that hangs,
 * not against a host too busy to run it. Round twenty-four, six live files
 * started at once beside other work (load 25-47 on 2 cores): FreeSWITCH needs
 * 1.6-3.7 CPU-s to reach its drachtio_mrf profile, one start alone took
 * 5.4-14.7 s of wall time (its main thread 2.4 s of 5.4 waiting for a CPU, 5.4
 * of 9.4), and six at once missed the 30 s bound in 13 of 18 files
 * (drachtio-server's 15 s in one more) with nothing wrong but the wait.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Run-queue delay, ns, of one schedstat line ("<cpu ns> <run-queue ns> <slices>"); 0 when unreadable. */
export function runQueueNs(schedstat: string): number {
  const ns = Number(schedstat.trim().split(/\s+/)[1]);
  return Number.isFinite(ns) ? ns : 0;
}

/**
 * Milliseconds the most delayed of `pid`'s live threads has spent runnable but
 * not running: never more than the process waited. 0 once the process is gone
 * or where /proc has no schedstat.
 */
export function starvedMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let ns = 0;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      ns = Math.max(ns, runQueueNs(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e6;
}
