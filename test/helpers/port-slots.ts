/**
 * UDP port ranges for the live servers, disjoint across processes. Tap runs
 * several test files at once, each in its own process with its own
 * FreeSWITCHes; FreeSWITCH's RTP allocator hands out ports from its range
 * without test-binding them, so two servers whose ranges overlap can pick the
 * same port. FreeSWITCH binds RTP with SO_REUSEADDR, so both binds succeed
 * and Linux hands each datagram to the socket bound last: one call's audio
 * silently goes to another server's call. A probe cannot see this
 * (FreeSWITCH binds per call), so each range is claimed by a lock file that
 * names the claiming process: exclusive creation is atomic, and a claim whose
 * process has died is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { udpFree } from '../../lib/telephony/testing/ports';

/**
 * Below the embedded driver's default RTP range (20000-29998, which the
 * embedded tests bind without SO_REUSEADDR: FreeSWITCH's bind of such a port
 * fails mid-call) and the kernel's ephemeral ports (32768+, where SIPp,
 * freePort and the probes take theirs). 25 slots: at six files at a time
 * (.taprc), at most 18 are held at once (two FreeSWITCHes and a fork range each).
 */
export const FIRST_PORT = 10000;
const LAST = 20000;
export const SLOT_SIZE = 400;
export const SLOTS = Math.floor((LAST - FIRST_PORT) / SLOT_SIZE);

export interface PortSlot {
  /** Inclusive, even-aligned. */
  range: [number, number];
  release: () => void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates `path` holding this pid, or takes it over from a dead process; false when a live one holds it. */
function claim(path: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(path, 'utf8'));
    } catch {
      continue; // released meanwhile: try again
    }
    // An empty file is a claim being written this instant: treat it as held.
    if (!Number.isInteger(holder) || holder <= 0 || alive(holder)) return false;
    try {
      unlinkSync(path);
    } catch {
      // another process took it over first; its openSync decides
    }
  }
  return false;
}

const held = new Set<string>();
process.once('exit', () => {
  for (const path of held) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
});

/**
 * A free range of SLOT_SIZE ports no other live test process holds, with a
 * few probes for anything else on the machine that binds there.
 * `dir` is for tests of this helper.
 */
export async function claimPortSlot(dir = join(tmpdir(), 'dialer-live-port-slots')): Promise<PortSlot> {
  mkdirSync(dir, { recursive: true });
  const order = Array.from({ length: SLOTS }, (_, i) => i).sort(() => Math.random() - 0.5);
  for (const i of order) {
    const path = join(dir, `slot-${i}`);
    if (!claim(path)) continue;
    const start = FIRST_PORT + i * SLOT_SIZE;
    const release = () => {
      if (!held.delete(path)) return;
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    };
    held.add(path);
    const probes = [start, start + SLOT_SIZE / 2, start + SLOT_SIZE - 2];
    if ((await Promise.all(probes.map(udpFree))).every(Boolean)) return { range: [start, start + SLOT_SIZE - 1], release };
    release();
  }
  throw new Error(`no free port slot of ${SLOT_SIZE} in ${FIRST_PORT}-${LAST} (claims in ${dir})`);
}
