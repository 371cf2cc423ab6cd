/**
 * One leg's audio analysis on FreeSWITCH, in either mode (detect.ts):
 * - stream: the leg's received audio is recorded into a named pipe that we
 *   read, and our lib/media CallAnalyzer (the embedded driver's detectors)
 *   decides; its verdicts are passed on unchanged.
 * - native: mod_spandsp tone detection on the endpoint (busy, reorder, SIT,
 *   fax, beep descriptors) and optionally mod_avmd on a sink endpoint; after
 *   answer `notsure` when nothing decisive was heard in NATIVE_ANALYSIS_MS.
 * Every verdict kind is passed on once per phase (FreeSWITCH repeats events).
 */
import type { AnalysisPhase, CallAnalyzer, Verdict } from '../../../media/types';
import {
  AVMD_BEEP_EVENT,
  AVMD_START,
  AVMD_STOP,
  NATIVE_ANALYSIS_MS,
  STREAM_VARS,
  TONE_DETECT_STOP,
  sinkSdp,
  streamStartApi,
  streamStopApi,
  toneDetectApp,
  type AudioMode,
} from './detect';
import type { AudioTap, AudioTapFactory, DriverClock, EndpointPort } from './ports';
import { dedupKey, verdictFromAvmd, verdictFromTone } from './tones';

export type AnalyzerFactory = (opts: { region?: string; waitForBeep?: boolean; phase: AnalysisPhase; overrides?: Record<string, unknown> }) => CallAnalyzer;

export interface AnalysisDeps {
  ep: EndpointPort;
  mode: AudioMode;
  region: string;
  /** spandsp descriptor for the region (native mode). */
  descriptor: string;
  waitForBeep: boolean;
  overrides?: Record<string, unknown>;
  beepDetector: 'spandsp' | 'avmd';
  clock: DriverClock;
  /** stream mode */
  fifoPath: string;
  openTap: AudioTapFactory;
  createAnalyzer?: AnalyzerFactory;
  /** A second endpoint on the same media server (avmd sink). */
  createSink: () => Promise<EndpointPort>;
  emit: (phase: AnalysisPhase, v: Verdict) => void;
  warn: (msg: string, err?: unknown) => void;
}

/** Verdicts after which nothing more is needed from native detection. */
const FINAL_NATIVE: ReadonlySet<Verdict['kind']> = new Set(['fax', 'sit', 'busy', 'beep', 'machine', 'announcement']);

export class LegAnalysis {
  private phase: AnalysisPhase = 'early';
  private phaseStart = 0;
  private started = false;
  private stopped = false;
  private seen = new Set<string>();
  private tap?: AudioTap;
  private analyzer?: CallAnalyzer;
  private sink?: EndpointPort;
  private notsureTimer?: unknown;
  private decisive = false;

  constructor(private readonly d: AnalysisDeps) {}

  get mode(): AudioMode {
    return this.d.mode;
  }

  /** Early media is flowing to the endpoint (183 with SDP, endpoint modified). */
  async startEarly(): Promise<void> {
    if (this.started || this.stopped) return;
    this.phase = 'early';
    this.phaseStart = this.d.clock.now();
    await this.start();
  }

  /** The call was answered (endpoint modified with the 200 OK's SDP). */
  async answered(): Promise<void> {
    if (this.stopped) return;
    this.phase = 'answered';
    this.phaseStart = this.d.clock.now();
    this.seen.clear();
    if (!this.started) await this.start();
    else if (this.analyzer) this.pass(this.analyzer.answered());
    if (this.stopped || this.d.mode !== 'native') return;
    if (this.d.waitForBeep && this.d.beepDetector === 'avmd') await this.startAvmdSink();
    const windowMs = Number(this.d.overrides?.totalAnalysisMs ?? NATIVE_ANALYSIS_MS);
    this.notsureTimer = this.d.clock.setTimeout(() => {
      this.notsureTimer = undefined;
      if (!this.decisive && !this.stopped) this.verdict({ kind: 'notsure', atMs: this.elapsed(), reason: 'native detection: no AMD module; no tone within the analysis window' });
    }, windowMs);
  }

  /** Ends detection (leg bridged or ended); never throws. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.notsureTimer !== undefined) this.d.clock.clearTimeout(this.notsureTimer);
    if (!this.started) return;
    const { ep } = this.d;
    if (this.d.mode === 'stream') {
      const stop = streamStopApi(ep.uuid, this.d.fifoPath);
      await ep.api(stop.command, stop.args).catch((e) => this.d.warn('uuid_record stop failed', e));
      await this.tap?.close().catch((e) => this.d.warn('closing audio pipe failed', e));
    } else {
      await ep.execute(TONE_DETECT_STOP.app, TONE_DETECT_STOP.arg).catch((e) => this.d.warn('spandsp_stop_tone_detect failed', e));
      if (this.sink) {
        const sink = this.sink;
        this.sink = undefined;
        await sink.execute(AVMD_STOP.app, AVMD_STOP.arg).catch(() => undefined);
        await sink.destroy().catch((e) => this.d.warn('avmd sink destroy failed', e));
      }
    }
  }

  private async start(): Promise<void> {
    this.started = true;
    const { ep } = this.d;
    if (this.d.mode === 'stream') {
      if (!this.d.createAnalyzer) throw new Error('stream audio mode needs an analyser factory (lib/media createCallAnalyzer)');
      this.analyzer = this.d.createAnalyzer({ region: this.d.region, waitForBeep: this.d.waitForBeep, phase: this.phase, overrides: this.d.overrides });
      // The reader must hold the pipe open before uuid_record, which blocks until one does (freeswitch.md).
      this.tap = await this.d.openTap(this.d.fifoPath);
      this.tap.onFrame((frame) => {
        if (this.stopped || !this.analyzer) return;
        this.pass(this.analyzer.push(frame));
        if (this.analyzer.done) void this.stop();
      });
      await ep.set({ ...STREAM_VARS });
      const start = streamStartApi(ep.uuid, this.d.fifoPath);
      const reply = await ep.api(start.command, start.args);
      if (!reply.startsWith('+OK')) throw new Error(`uuid_record refused: ${reply.trim()}`);
      return;
    }
    ep.onTone((tone) => {
      if (this.stopped) return;
      const v = verdictFromTone(tone, this.d.region, this.elapsed());
      if (v) this.verdict(v);
      else this.d.warn(`tone ${tone} is not one of ours (spandsp.conf.xml names: busy, reorder, ringback, sit*, ced, cng, beep_<Hz>)`);
    });
    const app = toneDetectApp(this.d.descriptor);
    await ep.execute(app.app, app.arg);
  }

  private async startAvmdSink(): Promise<void> {
    const sink = await this.d.createSink();
    this.sink = sink;
    sink.onCustom(AVMD_BEEP_EVENT, (body) => {
      if (!this.stopped) this.verdict(verdictFromAvmd(body, this.elapsed()));
    });
    await sink.modify(sinkSdp(this.d.clock.now()));
    await this.d.ep.bridge(sink);
    await sink.execute(AVMD_START.app, AVMD_START.arg);
  }

  private pass(verdicts: Verdict[]): void {
    for (const v of verdicts) this.verdict(v);
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
