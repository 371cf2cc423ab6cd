/**
 * One leg's audio analysis on FreeSWITCH, in either mode (detect.ts):
 * - stream: the leg's received audio is recorded into a named pipe that we
 *   read, and our lib/media CallAnalyzer (the embedded driver's detectors)
 *   decides; its verdicts are passed on unchanged.
 * - native: mod_spandsp tone detection on the endpoint (busy, reorder, SIT,
 *   fax, beep descriptors), optionally mod_avmd for the beep, and the
 *   person/machine decision from the same lib/media analyser hearing the leg
 *   through an RTP fork (a sink endpoint eavesdropping on the leg sends its
 *   audio to a UDP socket of the dialer, detect.ts); only the analyser's
 *   non-tone verdicts are used there.
 * Every verdict kind is passed on once per phase (FreeSWITCH repeats events).
 */
import type { AnalysisPhase, CallAnalyzer, Verdict } from '../../../media/types';
import {
  AVMD_BEEP_EVENT,
  EAVESDROP_APP,
  FORK_VERDICTS,
  NATIVE_ANALYSIS_MS,
  STREAM_VARS,
  TONE_DETECT_STOP,
  avmdApi,
  forkSdp,
  streamStartApi,
  streamStopApi,
  toneDetectApp,
  type AudioMode,
} from './detect';
import type { AudioFork, AudioForkFactory, AudioTap, AudioTapFactory, DriverClock, EndpointPort } from './ports';
import { audioPort } from './sdp';
import { dedupKey, verdictFromAvmd, verdictFromTone } from './tones';

export type AnalyzerFactory = (opts: {
  region?: string;
  waitForBeep?: boolean;
  phase: AnalysisPhase;
  overrides?: Record<string, unknown>;
}) => CallAnalyzer;

export interface AnalysisDeps {
  ep: EndpointPort;
  mode: AudioMode;
  region: string;
  /** spandsp descriptor for the region after answer (native mode). */
  descriptor: string;
  /** spandsp descriptor for the region before answer: the answered one unless configured otherwise (then swapped at answer). */
  earlyDescriptor: string;
  waitForBeep: boolean;
  overrides?: Record<string, unknown>;
  beepDetector: 'spandsp' | 'avmd';
  clock: DriverClock;
  /** stream mode */
  fifoPath: string;
  openTap: AudioTapFactory;
  createAnalyzer?: AnalyzerFactory;
  /** native mode: the dialer's address FreeSWITCH sends the leg's audio to (mediaServers[].forkAddress). */
  forkAddress?: string;
  openFork?: AudioForkFactory;
  /** A second endpoint on the same media server (the fork's sink), offered this SDP. */
  createSink: (remoteSdp: string) => Promise<EndpointPort>;
  emit: (phase: AnalysisPhase, v: Verdict) => void;
  warn: (msg: string, err?: unknown) => void;
  /**
   * Fill stats.rtpPackets whichever way detection stops (a verdict, a bridge, the leg's end): the originate
   * bench's loss check. Read before the recording stops, so the count is not above the frames heard.
   */
  countPackets?: boolean;
}

/** Verdicts after which nothing more is needed from native detection. */
const FINAL_NATIVE: ReadonlySet<Verdict['kind']> = new Set(['fax', 'sit', 'busy', 'beep', 'machine', 'announcement']);

/** How the analyser heard the leg (stream mode), for tests, benchmarks and debug logs. */
export interface TapStats {
  /** clock.now() when the far end's media started (183 with SDP, or 200). */
  mediaAt?: number;
  /** clock.now() of the first frame out of the pipe. */
  firstFrameAt?: number;
  /** Frames the analyser received. */
  frames: number;
  /** RTP packets FreeSWITCH had received from the far end when the recording stopped (with `countPackets`). */
  rtpPackets?: number;
}

export class LegAnalysis {
  private phase: AnalysisPhase = 'early';
  private phaseStart = 0;
  private mediaStarted = false;
  private stopped = false;
  private stopping?: Promise<void>;
  private seen = new Set<string>();
  private tap?: AudioTap;
  private prepared?: Promise<void>;
  private attached = false;
  private analyzer?: CallAnalyzer;
  private sink?: EndpointPort;
  private fork?: AudioFork;
  private avmdOn = false;
  /** Frames the analyser got since answer (native: the guard's test). */
  private answeredFrames = 0;
  private notsureTimer?: unknown;
  private decisive = false;
  /** The spandsp descriptor running on the leg (native mode). */
  private descriptorRunning?: string;
  readonly stats: TapStats = { frames: 0 };

  constructor(private readonly d: AnalysisDeps) {}

  get mode(): AudioMode {
    return this.d.mode;
  }

  /**
   * Attaches detection to the endpoint before the INVITE goes out, so it is
   * on before the first RTP packet (freeswitch.md: attaching it after the
   * 183's modify() and three `set`s missed the first 350 ms). FreeSWITCH
   * writes nothing into the recording until RTP arrives, and a tone detector
   * hears nothing before either. Stream: the pipe held open for reading and
   * the recording's channel variables (in parallel), then `uuid_record`;
   * native: the spandsp tone detector.
   */
  prepare(): Promise<void> {
    this.prepared ??= this.attach();
    return this.prepared;
  }

  private async attach(): Promise<void> {
    const { ep } = this.d;
    if (!this.d.createAnalyzer) throw new Error(`${this.d.mode} audio mode needs an analyser factory (lib/media createCallAnalyzer)`);
    this.analyzer = this.d.createAnalyzer({
      region: this.d.region,
      waitForBeep: this.d.waitForBeep,
      phase: 'early',
      overrides: this.d.overrides,
    });
    if (this.d.mode === 'native') {
      ep.onTone((tone) => {
        if (this.stopped) return;
        const v = verdictFromTone(tone, this.d.region, this.elapsed());
        // A voicemail beep means something only after answer; before it, the same descriptor may hear one in an announcement.
        if (v?.kind === 'beep' && this.phase === 'early') return;
        if (v) this.verdict(v);
        else this.d.warn(`tone ${tone} is not one of ours (spandsp.conf.xml names: busy, reorder, ringback, sit*, ced, cng, beep_<Hz>)`);
      });
      // Before the INVITE, so before answer: the early-media descriptor (answered() swaps it if it is another), and the fork.
      const app = toneDetectApp(this.d.earlyDescriptor);
      const [tones, fork] = await Promise.allSettled([ep.execute(app.app, app.arg), this.startFork()]);
      if (tones.status === 'rejected') throw tones.reason;
      this.descriptorRunning = this.d.earlyDescriptor;
      this.attached = true;
      // The two halves are independent: a fork that could not be made (its sink endpoint refused or timed
      // out under load, its socket not bound) must not switch off the tone detector already running on the
      // leg, which alone reports SIT, busy, reorder and fax. Without the fork, an answered leg gets the
      // guard's notsure (answered(): no audio on the fork), not a guess.
      if (fork.status === 'rejected') {
        this.d.warn('native audio mode: the fork could not be made; tone detection goes on without it', fork.reason);
        await this.stopFork();
      }
      return;
    }
    // The reader must hold the pipe open before uuid_record, which blocks until one does (freeswitch.md).
    const [tap] = await Promise.all([this.d.openTap(this.d.fifoPath), ep.set({ ...STREAM_VARS })]);
    this.tap = tap;
    if (this.stopped) return void (await tap.close().catch(() => undefined));
    tap.onFrame((frame) => this.frame(frame));
    const start = streamStartApi(ep.uuid, tap.path);
    const reply = await ep.api(start.command, start.args);
    if (!reply.startsWith('+OK')) throw new Error(`uuid_record refused: ${reply.trim()}`);
    this.attached = true;
  }

  /** Early media is arriving (183 with SDP). */
  async startEarly(): Promise<void> {
    if (this.mediaStarted || this.stopped) return;
    this.mediaStarted = true;
    this.phase = 'early';
    this.phaseStart = this.d.clock.now();
    this.stats.mediaAt ??= this.phaseStart;
    await this.prepare();
  }

  /** The call was answered. */
  async answered(): Promise<void> {
    if (this.stopped) return;
    this.mediaStarted = true;
    this.phase = 'answered';
    this.phaseStart = this.d.clock.now();
    this.stats.mediaAt ??= this.phaseStart;
    this.seen.clear();
    await this.prepare();
    if (this.stopped) return;
    if (this.analyzer) this.pass(this.analyzer.answered());
    if (this.d.mode !== 'native') return;
    await this.swapDescriptor(this.d.descriptor);
    if (this.stopped) return;
    if (this.d.waitForBeep && this.d.beepDetector === 'avmd' && this.sink) await this.startAvmd(this.sink);
    this.notsureTimer = this.d.clock.setTimeout(() => {
      this.notsureTimer = undefined;
      if (!this.decisive && !this.stopped && this.answeredFrames === 0)
        this.verdict({
          kind: 'notsure',
          atMs: this.elapsed(),
          reason: 'native detection: FreeSWITCH sent no audio on the fork; no tone within the analysis window',
        });
    }, NATIVE_ANALYSIS_MS);
  }

  /**
   * Ends detection (leg bridged or ended); never throws. `countPackets` fills stats.rtpPackets first. Every
   * call returns the first call's promise, so a caller can wait for the whole stop (the count included).
   */
  stop(countPackets = false): Promise<void> {
    this.stopping ??= this.stopOnce(countPackets);
    return this.stopping;
  }

  private async stopOnce(countPackets: boolean): Promise<void> {
    this.stopped = true;
    if (this.notsureTimer !== undefined) this.d.clock.clearTimeout(this.notsureTimer);
    // The dialer's own socket closes at once, whatever FreeSWITCH still has to answer (a sink being made).
    void this.fork?.close().catch(() => undefined);
    await this.prepared?.catch(() => undefined);
    const { ep } = this.d;
    if (this.d.mode === 'stream') {
      try {
        if (this.attached && this.tap) {
          // The endpoint may be going away at the same time: an ESL command to a closed channel never answers.
          if (countPackets || this.d.countPackets) this.stats.rtpPackets = await bounded(rtpPacketsIn(ep)).catch(() => undefined);
          const stop = streamStopApi(ep.uuid, this.tap.path);
          await bounded(ep.api(stop.command, stop.args)).catch((e) => this.d.warn('uuid_record stop failed', e));
        }
      } finally {
        await this.tap?.close().catch((e) => this.d.warn('closing audio pipe failed', e));
      }
      return;
    }
    await this.stopFork();
    if (!this.attached) return;
    await bounded(ep.execute(TONE_DETECT_STOP.app, TONE_DETECT_STOP.arg)).catch((e) => this.d.warn('spandsp_stop_tone_detect failed', e));
  }

  /**
   * One tone detector per channel: another early one is stopped before the answered one starts, and a tone pattern
   * in progress at answer is lost with it. By default both are the same and nothing is swapped (config earlyToneDescriptors).
   */
  private async swapDescriptor(name: string): Promise<void> {
    if (!this.attached || this.descriptorRunning === name) return;
    const { ep } = this.d;
    await ep.execute(TONE_DETECT_STOP.app, TONE_DETECT_STOP.arg);
    this.descriptorRunning = undefined;
    if (this.stopped) return;
    const app = toneDetectApp(name);
    await ep.execute(app.app, app.arg);
    this.descriptorRunning = name;
  }

  /**
   * Native mode's fork (detect.ts): the dialer's socket, a sink endpoint offered
   * an SDP that points at it, then `eavesdrop` on the leg running on the sink. The
   * application runs until the sink is destroyed: it is not awaited; its
   * command is on the sink's queue before this resolves.
   */
  private async startFork(): Promise<void> {
    if (!this.d.openFork || !this.d.forkAddress)
      throw new Error('native audio mode needs a fork address (telephony.freeswitch.mediaServers[].forkAddress)');
    // Kept as soon as made, so stop() releases them whatever fails next.
    const fork = (this.fork = await this.d.openFork(this.d.forkAddress));
    fork.onFrame((frame) => this.frame(frame));
    if (this.stopped) return;
    const sink = (this.sink = await this.d.createSink(forkSdp(fork.address, fork.port, this.d.clock.now())));
    // Only the sink's stream is the leg's audio: the port may have been another call's, whose sink still sends (fork.ts).
    const from = audioPort(sink.localSdp);
    if (from === undefined) throw new Error(`the fork sink's SDP has no audio port: ${JSON.stringify(sink.localSdp)}`);
    fork.acceptFrom(from);
    if (this.stopped) return;
    void sink.execute(EAVESDROP_APP, this.d.ep.uuid).catch((e) => {
      if (!this.stopped) this.d.warn('eavesdrop on the fork sink ended with an error', e);
    });
  }

  private async stopFork(): Promise<void> {
    const { sink, fork } = this;
    this.sink = undefined;
    this.fork = undefined;
    if (sink && this.avmdOn) {
      const cmd = avmdApi(sink.uuid, 'stop');
      await bounded(sink.api(cmd.command, cmd.args)).catch(() => undefined);
    }
    // Another sender's packets and none of the sink's: the sink sends from another port than its SDP says (worth a look).
    if (fork && fork.foreignPackets > 0 && this.stats.frames === 0)
      this.d.warn(`native audio mode: the fork got ${fork.foreignPackets} RTP packets, none from its sink's port; dropped`);
    await fork?.close().catch((e) => this.d.warn('closing the fork socket failed', e));
    // Destroying the sink ends its eavesdrop; the leg is untouched.
    if (sink) await bounded(sink.destroy()).catch((e) => this.d.warn('fork sink destroy failed', e));
  }

  private async startAvmd(sink: EndpointPort): Promise<void> {
    sink.onCustom(AVMD_BEEP_EVENT, (body) => {
      if (!this.stopped) this.verdict(verdictFromAvmd(body, this.elapsed()));
    });
    const cmd = avmdApi(sink.uuid, 'start');
    const reply = await sink.api(cmd.command, cmd.args);
    if (!reply.trimStart().startsWith('+OK')) this.d.warn(`avmd start refused: ${reply.trim()}`);
    else this.avmdOn = true;
  }

  /** A 20 ms frame from the pipe (stream) or the fork (native). */
  private frame(frame: Int16Array): void {
    // Counted until the recording stops, so stats compare with FreeSWITCH's packet count.
    if (this.stats.frames++ === 0) this.stats.firstFrameAt = this.d.clock.now();
    if (this.phase === 'answered') this.answeredFrames++;
    if (this.stopped || !this.analyzer) return;
    this.pass(this.analyzer.push(frame));
    if (!this.analyzer.done) return;
    // Stream: nothing more to hear. Native: FreeSWITCH's tone detection goes on until the driver stops it.
    if (this.d.mode === 'stream') void this.stop();
    else void this.stopFork();
  }

  private pass(verdicts: Verdict[]): void {
    // Native: tones are FreeSWITCH's (spandsp, avmd); lib/media adds what FreeSWITCH cannot tell.
    for (const v of verdicts) if (this.d.mode === 'stream' || FORK_VERDICTS.has(v.kind)) this.verdict(v);
  }

  private verdict(v: Verdict): void {
    const key = dedupKey(v);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (FINAL_NATIVE.has(v.kind) || v.kind === 'human') this.decisive = true;
    this.d.emit(this.phase, v);
  }

  private elapsed(): number {
    return Math.max(0, this.d.clock.now() - this.phaseStart);
  }
}

/** FreeSWITCH's count of RTP media packets received on the endpoint (uuid_set_media_stats fills the variable). */
async function rtpPacketsIn(ep: EndpointPort): Promise<number | undefined> {
  await ep.api('uuid_set_media_stats', [ep.uuid]);
  const n = Number((await ep.api('uuid_getvar', [ep.uuid, 'rtp_audio_in_media_packet_count'])).trim());
  return Number.isFinite(n) ? n : undefined;
}

/** Commands sent while a leg ends get no answer when FreeSWITCH has already closed the channel. */
const STOP_COMMAND_MS = 2000;

function bounded<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${STOP_COMMAND_MS} ms (channel gone)`)), STOP_COMMAND_MS);
    timer.unref();
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}
