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
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../lib/store/redis-server';
import { DrachtioSrf, modeslConnect } from '../../lib/telephony/drivers/freeswitch/adapters';
import { udpFree } from '../../lib/telephony/testing/ports';
import { claimPortSlot } from './port-slots';
import { starvedMs } from './starved';

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
  /** SIGKILLs drachtio-server (it dies, every SIP dialog with it); resolves once it has exited. */
  killDrachtio(): Promise<void>;
  /** Starts drachtio-server again on the same ports and secret (an operator's restart); resolves once it is ready. */
  restartDrachtio(): Promise<void>;
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

/** Thrown when a server could not bind a port the harness gave it: another process took it after the probe. */
class PortTaken extends Error {}
/** Thrown when a server exits before it is ready. */
class ExitedAtStart extends Error {}

/**
 * Polls `ok` until it holds; throws when the server exits first, when `taken`
 * sees it report a port taken (PortTaken: the caller starts it again on fresh
 * ports), or after `ms` of the server's own time: the time it spent waiting for
 * a CPU is not counted (starved.ts), so a hung server still fails after `ms`
 * and a starved one is given the time it could not run.
 */
async function waitFor(what: string, proc: Proc, ok: () => Promise<boolean>, ms: number, taken?: () => boolean): Promise<void> {
  const started = Date.now();
  let dead = false;
  void proc.exited.then(() => (dead = true));
  // The largest reading stands: an exited process (or thread) takes its figures with it.
  let starved = 0;
  const own = () => Date.now() - started - (starved = Math.max(starved, starvedMs(proc.child.pid)));
  while (own() < ms) {
    if (dead) throw new ExitedAtStart(`${what} exited at start:\n${proc.output().slice(-3000)}`);
    if (taken?.()) throw new PortTaken(`${what} could not bind a port it was given:\n${proc.output().slice(-3000)}`);
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  const waited = `${ms} ms (${Math.round(starved)} ms more waiting for a CPU, not counted)`;
  throw new Error(`${what} not ready within ${waited}:\n${proc.output().slice(-3000)}`);
}

/**
 * A probed-free port is only free until someone binds it: the probe and the
 * server's bind are seconds apart on a loaded host, and other test processes
 * (SIPp, Redis, probes) take kernel-chosen ports from the same range. `attempt`
 * starts a server on fresh ports; it is run again when it reports a port taken.
 */
async function onFreshPorts<T>(what: string, attempt: () => Promise<T>, tries = 4): Promise<T> {
  const seen: string[] = [];
  for (let i = 1; i <= tries; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof PortTaken)) throw err;
      seen.push(`attempt ${i}: ${err.message.slice(0, 1500)}`);
    }
  }
  throw new Error(`${what}: a port was taken on each of ${tries} attempts\n${seen.join('\n')}`);
}

/** FreeSWITCH's log lines for a SIP profile or event socket port it could not bind (checked against a live server holding each port). */
const FS_PORT_TAKEN = /Error Creating SIP UA for profile|Socket Error! Could not listen/;

/** The text of `file` ('' while it does not exist). */
function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A FreeSWITCH api command over a fresh event socket connection. */
function eslApi(port: number, secret: string): (command: string) => Promise<string> {
  return async (command) => {
    const esl = await modeslConnect({ address: '127.0.0.1', port, secret, timeoutMs: 3000 });
    try {
      return await esl.api(command);
    } finally {
      esl.close();
    }
  };
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
  sipPort: () => Promise<number>,
): Promise<LiveFreeswitch> {
  const conf = join(dir, 'conf');
  cpSync(CONF, conf, { recursive: true });
  // Its own RTP range, disjoint from every other live test process's (port-slots.ts).
  const slot = await claimPortSlot();
  releases.push(slot.release);
  const [rtpStart, rtpEnd] = slot.range;
  const sub = (n: string) => {
    const p = join(dir, n);
    mkdirSync(p, { recursive: true });
    return p;
  };
  // -np: normal (CFS) priority. On a host with more than one core FreeSWITCH makes itself real-time by default
  // (SCHED_FIFO: threads at 1, 10 and 99, read from /proc), and real-time priorities are global: a busy test's
  // FreeSWITCH at 10/99 starves another test's session threads at 1 for seconds. Seen in a fresh-clone run (6 test
  // files at once, 2 cores): "Task was executed late by 2 seconds", then 5, and a hold music that did not start within
  // 10 s (short-playbacks); round twenty-two's CI failure had the same log line. One FreeSWITCH per host, as in
  // production, keeps its own choice (README, deploying with FreeSWITCH).
  const fsArgs = ['-nonat', '-nf', '-nc', '-np', '-conf', conf];
  for (const d of ['log', 'db', 'run', 'certs', 'temp', 'recordings', 'storage', 'cache', 'sounds', 'scripts'])
    fsArgs.push(`-${d}`, sub(d));
  const logFile = join(dir, 'log', 'freeswitch.log');
  let lostPorts = 0;
  const { fs, eslPort, eslSecret, fsSipPort } = await onFreshPorts('FreeSWITCH', async () => {
    const eslPort = await freePort();
    const fsSipPort = await sipPort();
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
    const fs = start(join(LIVE_ROOT, 'freeswitch/bin/freeswitch'), fsArgs, dir);
    procs.push(fs);
    const api = eslApi(eslPort, eslSecret);
    // sofia retries a SIP bind every 5 s and mod_event_socket its listen every 100 ms, for ever: seen in its log
    // (-nc: nothing on the console), not by an exit.
    const taken = () => FS_PORT_TAKEN.test(readOrEmpty(logFile));
    try {
      await waitFor(
        'FreeSWITCH',
        fs,
        async () => (await tcpOpen(eslPort)) && /drachtio_mrf\s.*RUNNING/.test(await api('sofia status')),
        30000,
        taken,
      );
    } catch (err) {
      await stopProc(fs);
      procs.splice(procs.indexOf(fs), 1);
      // The next attempt starts FreeSWITCH's log afresh: this one's is kept beside it, for a look.
      if (err instanceof PortTaken && existsSync(logFile)) renameSync(logFile, `${logFile}.port-taken-${++lostPorts}`);
      throw err;
    }
    return { fs, eslPort, eslSecret, fsSipPort };
  });
  const api = eslApi(eslPort, eslSecret);
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

export interface LiveServersOptions {
  /** How many FreeSWITCH processes (default 1). */
  freeswitches?: number;
  /** Picks each SIP port (default: one free for TCP and UDP now); the harness's own test hands it taken ones. */
  sipPort?: () => Promise<number>;
}

/**
 * Starts a drachtio-server and FreeSWITCH (freeswitch-conf/ with this run's
 * vars.xml) on loopback; resolves when drachtio's control socket accepts and
 * FreeSWITCH's drachtio_mrf profile runs. `freeswitches` (default 1)
 * FreeSWITCH processes are started, each with its own ports and directories
 * (the first in `dir`, the others in `dir/fs2`…). A server that cannot bind a
 * port it was given (taken since the probe) is started again on fresh ones.
 * With `t`, stopped at teardown.
 */
export async function startLiveServers(t?: Teardown, opts: LiveServersOptions = {}): Promise<LiveServers> {
  const sipPort = opts.sipPort ?? freeSipPort;
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
    if (failed) {
      // drachtio-server logs to its stdout only: its last lines go beside FreeSWITCH's log (a call that never reached
      // its far end is told by drachtio's side).
      mkdirSync(join(dir, 'log'), { recursive: true });
      procs.forEach((p, i) => {
        if (/drachtio$/.test(p.child.spawnargs[4] ?? '')) writeFileSync(join(dir, 'log', `drachtio-${i}.log`), p.output());
      });
      t?.comment?.(`live servers' folder kept: ${dir} (FreeSWITCH log in log/freeswitch.log, drachtio's in log/drachtio-*.log)`);
    } else if (!process.env.DIALER_LIVE_KEEP) rmSync(dir, { recursive: true, force: true });
  };
  t?.teardown(stop);
  try {
    // drachtio-server first, its ports chosen just before it binds them: it exits (status 0, nothing said) when its
    // SIP port is taken, and the seconds a FreeSWITCH takes to start were once enough for another process to take it.
    // It reads drachtio.conf.xml (its <admin> element is required); the command line overrides its values.
    const drConf = join(dir, 'drachtio.conf.xml');
    cpSync(join(CONF, 'drachtio.conf.xml'), drConf);
    let drachtio!: { proc: Proc; args: string[] };
    const drachtioReady = (dr: Proc, adminPort: number) =>
      waitFor('drachtio-server', dr, async () => /Starting sofia event loop/.test(dr.output()) && (await tcpOpen(adminPort)), 15000);
    const { adminPort, drSipPort, drSecret } = await onFreshPorts('drachtio-server', async () => {
      const adminPort = await freePort();
      const drSipPort = await sipPort();
      const drSecret = randomBytes(8).toString('hex');
      const drArgs = [
        '-f',
        drConf,
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
      drachtio = { proc: dr, args: drArgs };
      try {
        // Its control socket accepts before its SIP stack binds: ready once both are up (its log says when the second is).
        await drachtioReady(dr, adminPort);
      } catch (err) {
        procs.splice(procs.indexOf(dr), 1);
        await stopProc(dr);
        // It exits when its SIP port is taken, with status 0 and nothing said, or aborting in its logger's teardown
        // (both seen): an exit at start is taken for a lost port. A broken install fails every attempt the same
        // way, and the error shows each one's output.
        throw err instanceof ExitedAtStart ? new PortTaken(err.message) : err;
      }
      return { adminPort, drSipPort, drSecret };
    });
    // FreeSWITCH does not read these; they keep vars.xml a true record of the run.
    const drachtioVars = {
      dialer_drachtio_ip: '127.0.0.1',
      dialer_drachtio_admin_port: adminPort,
      dialer_drachtio_secret: drSecret,
      dialer_drachtio_sip_port: drSipPort,
    };
    const freeswitches: LiveFreeswitch[] = [];
    // One at a time: concurrent FreeSWITCH starts on 2 loaded cores only make each slower.
    for (let i = 0; i < Math.max(1, opts.freeswitches ?? 1); i++) {
      freeswitches.push(await startFreeswitch(i === 0 ? dir : join(dir, `fs${i + 1}`), procs, drachtioVars, releases, sipPort));
    }

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
      killDrachtio: async () => {
        drachtio.proc.child.kill('SIGKILL');
        await drachtio.proc.exited;
      },
      restartDrachtio: async () => {
        const dr = start(join(LIVE_ROOT, 'drachtio/bin/drachtio'), drachtio.args, dir);
        procs.push(dr);
        drachtio = { proc: dr, args: drachtio.args };
        await drachtioReady(dr, adminPort);
      },
      stop,
    };
    return servers;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The dialer's drachtio adapter connected to these servers' drachtio-server, disconnected at teardown. */
export async function liveSrf(t: Teardown, live: LiveServers): Promise<DrachtioSrf> {
  const srf = new DrachtioSrf();
  await srf.connect({ ...live.drachtio, timeoutMs: 30000 });
  t.teardown(() => srf.disconnect());
  return srf;
}
