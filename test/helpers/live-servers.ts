/**
 * Live drachtio-server + FreeSWITCH for tests and benchmarks, from the
 * dialer-live bundle in /opt/dialer-live (scripts/setup.sh installs it when
 * ../shared/live-servers exists). Each run gets its own configuration,
 * generated from the project's freeswitch-conf/: the directory is copied and
 * only the values of vars.xml are rewritten (loopback addresses, free ports, a
 * fresh event-socket secret), so the servers under test run the configuration
 * we ship. Both processes are children that die with us (setpriv --pdeathsig),
 * and are stopped at teardown, also when a test fails.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../lib/store/redis-server';
import { modeslConnect } from '../../lib/telephony/drivers/freeswitch/adapters';
import { udpFree } from '../../lib/telephony/testing/ports';
import { claimPortSlot } from './port-slots';

export const LIVE_ROOT = process.env.DIALER_LIVE_ROOT || '/opt/dialer-live';
const ROOT = resolve(__dirname, '../..');
const CONF = join(ROOT, 'freeswitch-conf');
/** Hold music is generated once (sox) and shared by runs. */
const HOLD_DIR = join(ROOT, 'test/.artifacts/hold-music');

/** Why the live suite cannot run here, or undefined when it can. */
export function liveServersMissing(): string | undefined {
  const bins = [join(LIVE_ROOT, 'freeswitch/bin/freeswitch'), join(LIVE_ROOT, 'drachtio/bin/drachtio')];
  const absent = bins.filter((b) => !existsSync(b));
  if (absent.length === 0) return undefined;
  return `live drachtio-server/FreeSWITCH not installed (${absent.join(', ')} missing): scripts/setup.sh installs the dialer-live bundle when ../shared/live-servers exists (README "Live FreeSWITCH tests")`;
}

/** One FreeSWITCH of the run. */
export interface LiveFreeswitch {
  address: string;
  port: number;
  secret: string;
  sipPort: number;
  profile: string;
  /** Its own configuration, logs, db and run directories. */
  dir: string;
  /** Its RTP port range (inclusive): an SDP's m= port there names this FreeSWITCH. */
  rtpPorts: [number, number];
  /** FreeSWITCH api command over a fresh event socket connection. */
  api(command: string): Promise<string>;
  /** SIGKILLs it (a media server that dies); resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGSTOPs it: its sockets stay open and it answers nothing (a hung or partitioned server). */
  pause(): void;
  /** SIGCONTs a paused one. */
  resume(): void;
}

export interface LiveServers {
  drachtio: { host: string; port: number; secret: string; sipPort: number };
  freeswitch: LiveFreeswitch;
  /** Every FreeSWITCH (the first is `freeswitch`), one pool of media servers behind the one drachtio-server. */
  freeswitches: LiveFreeswitch[];
  /** Where this run's configuration and logs are. */
  dir: string;
  /** The `telephony.freeswitch` section for these servers, every FreeSWITCH a media server (named fs1, fs2… when more than one). */
  configSection(audioMode: 'stream' | 'native'): Record<string, unknown>;
  /** FreeSWITCH api command over a fresh event socket connection. */
  api(command: string): Promise<string>;
  stop(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
  /** tap's: false once the test (or a subtest) has failed. */
  passing?(): boolean;
  comment?(...args: unknown[]): void;
}

/** Rewrites `<X-PRE-PROCESS cmd="set" data="NAME=…"/>` in vars.xml; every name must exist there. */
export function rewriteVars(xml: string, values: Record<string, string | number>): string {
  let out = xml;
  for (const [name, value] of Object.entries(values)) {
    const re = new RegExp(`(<X-PRE-PROCESS cmd="set" data="${name}=)[^"]*(")`);
    if (!re.test(out)) throw new Error(`freeswitch-conf/vars.xml has no variable ${name}`);
    out = out.replace(re, `$1${value}$2`);
  }
  return out;
}

/** A TCP port that is also free for UDP (SIP listens on both). */
async function freeSipPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await freePort();
    if (await udpFree(p)) return p;
  }
  throw new Error('no free SIP port');
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

function start(cmd: string, args: string[], cwd: string): Proc {
  // setpriv --pdeathsig: the server gets SIGKILL when this process dies, whatever the reason (tap timeout, crash).
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', cmd, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-20000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => {
    child.once('exit', (code) => r(code));
    child.once('error', () => r(-1));
  });
  return { child, exited, output: () => out };
}

async function stopProc(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  // A paused server (pause()) takes the SIGTERM only once it runs again.
  p.child.kill('SIGCONT');
  const t = setTimeout(() => p.child.kill('SIGKILL'), 5000);
  await p.exited;
  clearTimeout(t);
}

async function waitFor(what: string, proc: Proc, ok: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  let dead = false;
  void proc.exited.then(() => (dead = true));
  while (Date.now() < until) {
    if (dead) throw new Error(`${what} exited at start:\n${proc.output().slice(-3000)}`);
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready within ${ms} ms:\n${proc.output().slice(-3000)}`);
}

/** Generates the hold music once per checkout (hold-music.sh is idempotent). */
function holdMusic(): string {
  execFileSync('bash', [join(CONF, 'hold-music.sh'), HOLD_DIR], { stdio: 'ignore' });
  return HOLD_DIR;
}

/**
 * One FreeSWITCH with freeswitch-conf/ and its own vars.xml (loopback, free
 * ports, a fresh secret) under `dir`; resolves when its drachtio_mrf profile runs.
 */
async function startFreeswitch(
  dir: string,
  procs: Proc[],
  drachtioVars: Record<string, string | number>,
  releases: (() => void)[],
): Promise<LiveFreeswitch> {
  const conf = join(dir, 'conf');
  cpSync(CONF, conf, { recursive: true });
  // Its own RTP range, disjoint from every other live test process's (port-slots.ts).
  const slot = await claimPortSlot();
  releases.push(slot.release);
  const [rtpStart, rtpEnd] = slot.range;
  const eslPort = await freePort();
  const fsSipPort = await freeSipPort();
  const eslSecret = randomBytes(8).toString('hex');
  const vars = {
    dialer_esl_ip: '127.0.0.1',
    dialer_esl_port: eslPort,
    dialer_esl_password: eslSecret,
    dialer_net: '127.0.0.0/8',
    dialer_sip_ip: '127.0.0.1',
    dialer_sip_port: fsSipPort,
    dialer_rtp_ip: '127.0.0.1',
    dialer_ext_rtp_ip: '127.0.0.1',
    dialer_rtp_start_port: rtpStart,
    dialer_rtp_end_port: rtpEnd,
    dialer_hold_dir: holdMusic(),
    dialer_console_loglevel: process.env.DIALER_LIVE_FS_LOG ? 'debug' : 'err',
    dialer_loglevel: process.env.DIALER_LIVE_FS_LOG ? 'debug' : 'info',
    ...drachtioVars,
  };
  writeFileSync(join(conf, 'vars.xml'), rewriteVars(readFileSync(join(CONF, 'vars.xml'), 'utf8'), vars));
  const sub = (n: string) => {
    const p = join(dir, n);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const fsArgs = ['-nonat', '-nf', '-nc', '-conf', conf];
  for (const d of ['log', 'db', 'run', 'certs', 'temp', 'recordings', 'storage', 'cache', 'sounds', 'scripts'])
    fsArgs.push(`-${d}`, sub(d));
  const fs = start(join(LIVE_ROOT, 'freeswitch/bin/freeswitch'), fsArgs, dir);
  procs.push(fs);
  const api = async (command: string) => {
    const esl = await modeslConnect({ address: '127.0.0.1', port: eslPort, secret: eslSecret, timeoutMs: 3000 });
    try {
      return await esl.api(command);
    } finally {
      esl.close();
    }
  };
  await waitFor('FreeSWITCH', fs, async () => (await tcpOpen(eslPort)) && /drachtio_mrf\s.*RUNNING/.test(await api('sofia status')), 30000);
  return {
    address: '127.0.0.1',
    port: eslPort,
    secret: eslSecret,
    sipPort: fsSipPort,
    profile: 'drachtio_mrf',
    dir,
    rtpPorts: [rtpStart, rtpEnd],
    api,
    kill: async () => {
      if (fs.child.exitCode === null && fs.child.signalCode === null) fs.child.kill('SIGKILL');
      await fs.exited;
    },
    pause: () => {
      if (fs.child.exitCode === null && fs.child.signalCode === null) fs.child.kill('SIGSTOP');
    },
    resume: () => {
      if (fs.child.exitCode === null && fs.child.signalCode === null) fs.child.kill('SIGCONT');
    },
  };
}

/**
 * Starts FreeSWITCH (freeswitch-conf/ with this run's vars.xml) and a
 * drachtio-server on loopback; resolves when FreeSWITCH's drachtio_mrf profile
 * runs and drachtio's control socket accepts. `freeswitches` (default 1)
 * FreeSWITCH processes are started, each with its own ports and directories
 * (the first in `dir`, the others in `dir/fs2`…). With `t`, stopped at teardown.
 */
export async function startLiveServers(t?: Teardown, opts: { freeswitches?: number } = {}): Promise<LiveServers> {
  const missing = liveServersMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'dialer-live-'));
  const procs: Proc[] = [];
  const releases: (() => void)[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(procs.map(stopProc));
    for (const release of releases) release();
    // A failed test keeps the servers' folder (logs, config) for a look, as DIALER_LIVE_KEEP does for any run.
    const failed = t?.passing ? !t.passing() : false;
    if (failed) t?.comment?.(`live servers' folder kept: ${dir} (FreeSWITCH log in log/freeswitch.log)`);
    else if (!process.env.DIALER_LIVE_KEEP) rmSync(dir, { recursive: true, force: true });
  };
  t?.teardown(stop);
  try {
    const conf = join(dir, 'conf');
    const adminPort = await freePort();
    const drSipPort = await freeSipPort();
    const drSecret = randomBytes(8).toString('hex');
    const drachtioVars = {
      dialer_drachtio_ip: '127.0.0.1',
      dialer_drachtio_admin_port: adminPort,
      dialer_drachtio_secret: drSecret,
      dialer_drachtio_sip_port: drSipPort,
    };
    const freeswitches: LiveFreeswitch[] = [];
    // One at a time: concurrent FreeSWITCH starts on 2 loaded cores only make each slower.
    for (let i = 0; i < Math.max(1, opts.freeswitches ?? 1); i++) {
      freeswitches.push(await startFreeswitch(i === 0 ? dir : join(dir, `fs${i + 1}`), procs, drachtioVars, releases));
    }
    // drachtio reads drachtio.conf.xml (its <admin> element is required); vars.xml's values override it on the command line.
    const drArgs = [
      '-f',
      join(conf, 'drachtio.conf.xml'),
      '--address',
      '127.0.0.1',
      '-p',
      String(adminPort),
      '--secret',
      drSecret,
      '-c',
      `sip:127.0.0.1:${drSipPort};transport=udp`,
      '-l',
      process.env.DIALER_LIVE_FS_LOG ? 'debug' : 'notice',
      '--stdout',
    ];
    const dr = start(join(LIVE_ROOT, 'drachtio/bin/drachtio'), drArgs, dir);
    procs.push(dr);

    await waitFor('drachtio-server', dr, () => tcpOpen(adminPort), 15000);

    // Native mode's audio forks take their UDP ports from a range of their own (forkPortMin/forkPortMax), as a
    // firewalled deployment would: every live native test runs through it.
    const forkSlot = await claimPortSlot();
    releases.push(forkSlot.release);
    const [forkMin, forkMax] = forkSlot.range;
    const first = freeswitches[0]!;
    const servers: LiveServers = {
      drachtio: { host: '127.0.0.1', port: adminPort, secret: drSecret, sipPort: drSipPort },
      freeswitch: first,
      freeswitches,
      dir,
      configSection: (audioMode) => ({
        drachtio: { host: '127.0.0.1', port: adminPort, secret: drSecret },
        mediaServers: freeswitches.map((f, i) => ({
          ...(freeswitches.length > 1 ? { name: `fs${i + 1}` } : {}),
          address: f.address,
          port: f.port,
          secret: f.secret,
          profile: f.profile,
          listenAddress: '127.0.0.1',
          local: true,
        })),
        audioMode,
        ...(audioMode === 'native' ? { forkPortMin: forkMin, forkPortMax: forkMax } : {}),
        fifoDir: join(dir, 'fifo'),
        // A bound, not a speed: a dozen drivers connecting at once on a loaded 2-core host took > 5 s
        // (the default) for drachtio-server's admin handshake; an idle host answers in milliseconds.
        connectTimeoutMs: 30_000,
      }),
      api: first.api,
      stop,
    };
    return servers;
  } catch (err) {
    await stop();
    throw err;
  }
}
