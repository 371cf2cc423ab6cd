/**
 * Runs SIPp (Debian `sip-tester`) as a far end for tests and benchmarks:
 * loopback only, free ports, `-nostdin` in the background, the real exit code
 * awaited (see ../shared/reference/toolchain.md).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeUdpPort, udpPortHolder } from './ports';
import { farEndAudio, type FarEndAudio } from './audio';

export const SCENARIO_DIR = resolve(__dirname, '../../../sipp-scenarios');

export interface SippResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /**
   * A far end that failed: the end of SIPp's error log (-trace_err: the unexpected message, what the scenario
   * waited for), also written to this process's stderr so a failed run's log names it.
   */
  errors?: string;
}

export interface Sipp {
  port: number;
  mediaPort: number;
  /** host:port to dial. */
  address: string;
  done: Promise<SippResult>;
  /** SIGTERM (then SIGKILL) and wait for exit. */
  stop(): Promise<SippResult>;
}

export interface SippOptions {
  /** Scenario name in sipp-scenarios/ (without .xml) or a built-in (`uac`, `uas`). */
  scenario: string;
  /** -key name value pairs; audio keys are filled in automatically (see audioKeys). */
  keys?: Record<string, string>;
  /** Calls before SIPp exits (-m). */
  calls?: number;
  /** Global timeout in seconds (-timeout): a stuck scenario ends the process. */
  timeoutS?: number;
  /** Extra command-line arguments. */
  args?: string[];
  /** Remote host:port (UAC scenarios). */
  remote?: string;
  /** The SIP port (-p); default: one probed free. */
  port?: number;
}

/** Every scenario's audio placeholders: [person] → person.ulaw looped, PCMU. */
export function audioKeys(): Record<string, string> {
  const keys: Record<string, string> = {};
  const loops: Record<FarEndAudio, number> = {
    person: -1,
    machine: 1,
    fax: -1,
    sit: 1,
    situ: 1,
    busy: -1,
    busyjp: -1,
    silence: -1,
    agent: -1,
    customer: -1,
  };
  for (const [name, loop] of Object.entries(loops)) keys[name] = `${farEndAudio(name as FarEndAudio)},${loop},0`;
  return keys;
}

/**
 * A port probed free can still be taken before SIPp binds it (another process's
 * RTP, an ephemeral socket): a UAS that exits at start on EADDRINUSE is started
 * again on fresh ports, a few times.
 */
export async function startSipp(o: SippOptions): Promise<Sipp> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSippOnce(o);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= 5) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function startSippOnce(o: SippOptions): Promise<Sipp> {
  const port = o.port ?? (await freeUdpPort());
  // -mp binds the audio RTP/RTCP and video RTP/RTCP ports from here up
  const mediaPort = await freeUdpPort(4);
  const keys = { ...audioKeys(), ...o.keys };
  const sf = ['uac', 'uas'].includes(o.scenario) ? ['-sn', o.scenario] : ['-sf', join(SCENARIO_DIR, `${o.scenario}.xml`)];
  const errorFile = join(tmpdir(), `sipp-${process.pid}-${port}-errors.log`);
  const args = [
    ...sf,
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-mp',
    String(mediaPort),
    '-m',
    String(o.calls ?? 1),
    '-timeout',
    `${o.timeoutS ?? 30}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_err',
    '-error_file',
    errorFile,
    ...Object.entries(keys).flatMap(([k, v]) => ['-key', k, v]),
    ...(o.args ?? []),
    ...(o.remote ? [o.remote] : []),
  ];
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout = (stdout + b.toString()).slice(-20000);
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-20000);
  });
  const done = new Promise<SippResult>((res) => {
    child.once('error', (err) => res({ code: -1, stdout, stderr: stderr + String(err) }));
    child.once('exit', (code) => res({ code, stdout, stderr, ...failedWith(o.scenario, code, errorFile) }));
  });
  let exited = false;
  void done.then(() => (exited = true));
  // UAS: ready when its UDP port is taken by it; UAC starts sending at once.
  if (!o.remote && (await waitBound(port, child.pid, () => exited)) === 'other' && !exited) {
    // Still starting after the wait, and its port is another process's: SIPp cannot have it.
    child.kill('SIGKILL');
    await done;
    throw new PortTakenError(`sipp ${o.scenario}: 127.0.0.1:${port} is held by another process`);
  }
  if (exited) {
    const r = await done;
    const message = `sipp ${o.scenario} exited at start (code ${r.code}): ${r.stderr.slice(-2000)}`;
    throw /Address already in use|errno = 98/.test(r.stderr) ? new PortTakenError(message) : new Error(message);
  }
  return {
    port,
    mediaPort,
    address: `127.0.0.1:${port}`,
    done,
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        const r = await done;
        clearTimeout(t);
        return r;
      }
      return done;
    },
  };
}

/**
 * What a failed far end's run says, for an assertion's message (CI prints a failure line's first 400 characters):
 * the events of its error log first (the unexpected message, what the scenario waited for), else the end of its
 * stderr (SIPp's own screen, which says only how many calls failed).
 */
export function sippFailure(r: SippResult | null | undefined, max = 600): string {
  if (!r) return 'SIPp did not finish';
  const events = (r.errors ?? '').replace(/^The following events occurred:\s*/, '').trim();
  return events ? events.slice(-max) : (r.stderr + r.stdout).slice(-max);
}

/** The error log's end for a far end that failed (exit code other than 0); the file is removed either way. */
function failedWith(scenario: string, code: number | null, errorFile: string): { errors?: string } {
  let errors = '';
  try {
    errors = readFileSync(errorFile, 'utf8').slice(-3000);
  } catch {
    // no unexpected message was logged
  }
  rmSync(errorFile, { force: true });
  if (code === 0 || !errors.trim()) return {};
  process.stderr.write(`sipp ${scenario} exited ${code}; the end of its error log:\n${errors}\n`);
  return { errors };
}

/**
 * Until SIPp (`pid`) holds its SIP port, or gave up; the port's last holder seen. Where /proc says who holds the
 * port, a port another process holds is not SIPp's: SIPp then exits on EADDRINUSE and is started again on another
 * port (startSipp); elsewhere any holder counts, as before.
 */
async function waitBound(port: number, pid: number | undefined, gaveUp: () => boolean): Promise<'mine' | 'other' | 'free'> {
  let holder: 'mine' | 'other' | 'free' = 'free';
  for (let i = 0; i < 250 && !gaveUp(); i++) {
    const known = pid === undefined ? undefined : udpPortHolder(pid, port);
    if (known === undefined) {
      const taken = await new Promise<boolean>((res) => {
        const s = createSocket('udp4');
        s.once('error', () => {
          s.close();
          res(true);
        });
        s.bind(port, '127.0.0.1', () => s.close(() => res(false)));
      });
      if (taken) return 'mine';
    } else {
      holder = known;
      if (holder === 'mine') return holder;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return holder;
}
