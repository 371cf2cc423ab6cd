/**
 * Answering-machine detection in the manner of Asterisk app_amd, over the
 * voiced/silent decision of each 20 ms frame. Timing starts at speech onset
 * (the first voiced run of at least a word's length), not at answer, so
 * carrier silence before the greeting does not make a machine look like a
 * person. A person says a short greeting and waits; a machine talks on.
 */
import type { MediaConfig } from './config';
import { FRAME_MS } from './types';

export type AmdDecision = { kind: 'human' | 'machine' | 'notsure'; reason: string } | { kind: 'silence'; durationMs: number };

export class Amd {
  /** ms since the analysis started (answer). */
  private t = 0;
  private onsetMs = -1;
  /** Voiced run not yet long enough to count as onset (before onset). */
  private preRun = 0;
  private voicedRun = 0;
  private silenceRun = 0;
  private wordCounted = false;
  private words = 0;
  private lastVoicedEndMs = -1;
  decided: AmdDecision | null = null;

  constructor(private readonly cfg: MediaConfig['amd']) {}

  /** Speech onset in ms from the start of analysis, or -1. */
  get onset(): number {
    return this.onsetMs;
  }

  push(voiced: boolean): AmdDecision | null {
    if (this.decided) return null;
    this.t += FRAME_MS;
    const c = this.cfg;
    if (this.onsetMs < 0) {
      this.preRun = voiced ? this.preRun + FRAME_MS : 0;
      if (this.preRun >= c.minWordLengthMs) {
        this.onsetMs = this.t - this.preRun;
        this.voicedRun = this.preRun;
        this.words = 1;
        this.wordCounted = true;
        this.lastVoicedEndMs = this.t;
      } else {
        const quiet = this.t - this.preRun;
        if (c.initialSilenceMs > 0 && quiet >= c.initialSilenceMs)
          return this.decide({ kind: 'machine', reason: `initial silence ${quiet} ms` });
        if (quiet >= c.silenceTimeoutMs) return this.decide({ kind: 'silence', durationMs: quiet });
        return null;
      }
    } else if (voiced) {
      this.silenceRun = 0;
      this.voicedRun += FRAME_MS;
      this.lastVoicedEndMs = this.t;
      if (!this.wordCounted && this.voicedRun >= c.minWordLengthMs) {
        this.wordCounted = true;
        this.words++;
      }
    } else {
      this.silenceRun += FRAME_MS;
      if (this.silenceRun >= c.betweenWordsSilenceMs) {
        this.voicedRun = 0;
        this.wordCounted = false;
      }
    }
    const greeting = this.lastVoicedEndMs - this.onsetMs;
    if (this.voicedRun >= c.maximumWordLengthMs)
      return this.decide({ kind: 'machine', reason: `word longer than ${c.maximumWordLengthMs} ms` });
    if (this.words > c.maximumNumberOfWords) return this.decide({ kind: 'machine', reason: `${this.words} words` });
    if (greeting > c.greetingMs) return this.decide({ kind: 'machine', reason: `greeting longer than ${c.greetingMs} ms` });
    if (this.silenceRun >= c.afterGreetingSilenceMs) {
      return this.decide({ kind: 'human', reason: `${greeting} ms greeting, ${this.words} word(s), then ${this.silenceRun} ms silence` });
    }
    if (this.t - this.onsetMs >= c.totalAnalysisTimeMs)
      return this.decide({ kind: 'notsure', reason: `no decision ${c.totalAnalysisTimeMs} ms after speech onset` });
    return null;
  }

  private decide(d: AmdDecision): AmdDecision {
    this.decided = d;
    return d;
  }
}
