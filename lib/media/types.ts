/**
 * The contract between audio analysis (lib/media) and the telephony drivers.
 * Audio arrives as 20 ms frames of 160 signed 16-bit samples at 8 kHz; times
 * are milliseconds from the first frame pushed into the analyser.
 */

export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = 160;

export type SitCode = 'NC' | 'IC' | 'VC' | 'RO' | 'ITU';
export type ToneRegion = string; // 'NA' | 'JP' | 'UK' | 'DE' | configured
/** Carrier-announcement classes, named by the result code they lead to. */
export type AnnouncementClass = 6 | 16 | 17 | 18 | 21 | 22;

/** How sure the person/machine/music model was (0…1) and the features that decided (raw values). */
export interface Confidence {
  confidence?: number;
  features?: Record<string, number>;
}

export type Verdict =
  /** A person answered: short greeting then a pause. */
  | ({ kind: 'human'; atMs: number; reason: string } & Confidence)
  /** An answering machine / voicemail greeting. */
  | ({ kind: 'machine'; atMs: number; reason: string } & Confidence)
  /** Analysis time ran out without a confident decision; `lean` is the model's best guess. */
  | ({ kind: 'notsure'; atMs: number; reason: string; lean?: 'human' | 'machine' | 'music' } & Confidence)
  /** Music after answer (a PBX's hold music, a colour ring): never a person. */
  | ({ kind: 'music'; atMs: number; reason: string } & Confidence)
  /** Voicemail beep (after a machine greeting). */
  | { kind: 'beep'; atMs: number; freqHz: number; durationMs: number }
  | { kind: 'fax'; atMs: number; tone: 'CED' | 'CNG' }
  | { kind: 'sit'; atMs: number; code: SitCode; freqsHz: number[] }
  | { kind: 'busy'; atMs: number; region: ToneRegion; pattern: 'busy' | 'reorder' }
  | { kind: 'ringback'; atMs: number; region: ToneRegion }
  /** Answered but no voice energy for the silence timeout. */
  | { kind: 'silence'; atMs: number; durationMs: number }
  | { kind: 'announcement'; atMs: number; class: AnnouncementClass; carrier?: string; reference: string; confidence: number };

export type VerdictKind = Verdict['kind'];

/** Where in the call the audio comes from. */
export type AnalysisPhase = 'early' | 'answered';

/** A running analysis of one call leg's incoming audio. */
export interface CallAnalyzer {
  /** Feed one 20 ms frame (160 samples); returns verdicts decided by it (usually none). */
  push(frame: Int16Array): Verdict[];
  /** Switch from early media to answered audio (answer time = now in the stream). */
  answered(): Verdict[];
  /** True once the analyser has nothing more to say for this call (final verdict given). */
  readonly done: boolean;
}
