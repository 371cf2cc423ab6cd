/**
 * Audio analysis settings (lib/media). Every detector threshold lives here with
 * its default; figures come from ../shared/reference/tones-and-amd.md (ITU-T
 * E.180 / Bell SIT / T.30 fax / Asterisk app_amd) unless a comment says why not.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../typebox';

const num = (d: number, min = 0, max?: number) =>
  max === undefined ? Type.Number({ minimum: min, default: d }) : Type.Number({ minimum: min, maximum: max, default: d });
const int = (d: number, min = 0) => Type.Integer({ minimum: min, default: d });

/** One call-progress tone: its frequencies and its on/off cadence (ms, repeating). */
const toneSchema = Type.Object(
  {
    freqsHz: Type.Array(Type.Number({ minimum: 100, maximum: 3400 }), { minItems: 1, maxItems: 2 }),
    /** on, off, on, off … in ms; one pair for a simple cadence. */
    cadenceMs: Type.Array(Type.Number({ minimum: 20 }), { minItems: 2 }),
  },
  {
    additionalProperties: false,
  },
);

const regionSchema = Type.Object(
  { busy: toneSchema, reorder: toneSchema, ringback: toneSchema },
  {
    additionalProperties: false,
  },
);

/** Shipped tone plans (E.180 / NTT / BT / Telekom figures from the reference). */
export const DEFAULT_REGIONS: Record<string, ToneRegionConfig> = {
  NA: {
    busy: { freqsHz: [480, 620], cadenceMs: [500, 500] },
    reorder: { freqsHz: [480, 620], cadenceMs: [250, 250] },
    ringback: { freqsHz: [440, 480], cadenceMs: [2000, 4000] },
  },
  JP: {
    // NTT uses the same 400 Hz 0.5/0.5 s for busy and congestion: reported as busy.
    busy: { freqsHz: [400], cadenceMs: [500, 500] },
    reorder: { freqsHz: [400], cadenceMs: [500, 500] },
    ringback: { freqsHz: [400], cadenceMs: [1000, 2000] },
  },
  UK: {
    busy: { freqsHz: [400], cadenceMs: [375, 375] },
    reorder: { freqsHz: [400], cadenceMs: [400, 350, 225, 525] },
    ringback: { freqsHz: [400, 450], cadenceMs: [400, 200, 400, 2000] },
  },
  DE: {
    busy: { freqsHz: [425], cadenceMs: [480, 480] },
    reorder: { freqsHz: [425], cadenceMs: [240, 240] },
    ringback: { freqsHz: [425], cadenceMs: [1000, 4000] },
  },
};

export const mediaSchema = Type.Object(
  {
    /** Tone plan used when a call names none; empty = follow phone.defaultRegion (JP → JP, US/CA → NA, GB → UK; NA when no plan matches). */
    defaultRegion: Type.String({ default: '' }),
    regions: Type.Record(Type.String(), regionSchema, { default: DEFAULT_REGIONS }),
    vad: Type.Object(
      {
        /** Mean |sample| below this is silent whatever the noise (Asterisk/app_amd 256). */
        silenceThreshold: num(256),
        /** Window of the minimum-statistics noise floor. */
        noiseFloorWindowMs: int(2000, 100),
        /** A frame is voiced when its mean |sample| exceeds floor × ratio (≈ 9.5 dB). */
        noiseFloorRatio: num(3, 1),
        /* The level-independent VAD of the person/machine model (lib/media/level-vad.ts); the three keys above serve the announcement matcher and the "rules" decider. */
        /** Window of the noise-floor percentile. */
        floorWindowMs: int(3000, 200),
        /** The floor is this percentile of the window's frame powers (robust to the speech inside it). */
        floorPercentile: num(10, 0, 50),
        /** The speech peak is this percentile of every frame since answer. */
        peakPercentile: num(95, 50, 100),
        /** Threshold = floor + minMarginDb + fluctuationGain × (the floor's own 5th–20th percentile spread), at most maxMarginDb. */
        minMarginDb: num(3, 0),
        fluctuationGain: num(1.5, 0),
        /** The floor's fluctuation is measured on the frames that were under the threshold when they came (the line between the words), not on the whole window: the window of a long sentence is mostly speech, and speech's spread would raise the margin into its soft syllables. Only while voice fills most of the window, and from 0.5 s of such frames. Off by default: measured in round eight, it cost the espeak corpus's held-out machines 1.0 → 0.98 (README). */
        quietSpread: Type.Boolean({ default: false }),
        maxMarginDb: num(12, 0),
        /** Nothing below this (dBFS, 20 ms power) is voice, however quiet the line: ≈ 1 LSB of μ-law at rest. */
        absoluteMinDbfs: Type.Number({ maximum: 0, default: -75 }),
        /** A frame under the threshold is still voice when its periodicity (pitch autocorrelation, 0…1) reaches this and it is voicedMarginDb above the floor; 1 turns the cue off. */
        minPeriodicity: num(0.6, 0, 1),
        voicedMarginDb: num(1.5, 0),
        /** A voice under a broadband floor: a run of at least this long (ms) of frames whose pitch holds a track (periodicity ≥ pitchTrackMinPeriodicity, lag moving ≤ pitchTrackMaxLagStep samples at 4 kHz a frame), voicedMarginDb over the floor on average, is voice even under the threshold, on a line whose floor is steady (floor spread < pitchTrackMaxFloorSpreadDb: not babble). 0: off. On at 60 ms since round seventeen, with amd.musicMinLines 0.5 and amd.pitchedGreetingTrackMs 60: alone (round sixteen) the model called the voice it added music; with the lines asked of the model's music, train + espeak tune split in every noise at 0–20 dB, person / machine / music 93.4 / 86.6 / 84.0 → 93.9 / 90.5 / 86.5 % at pitch 0 and 91.2 / 77.2 / 74.4 → 92.7 / 88.8 / 77.9 % at --pitch -800, codec / loss / level cells identical (README). */
        pitchTrackMs: num(60, 0),
        pitchTrackMinPeriodicity: num(0.45, 0, 1),
        pitchTrackMaxLagStep: num(2, 0),
        pitchTrackMaxFloorSpreadDb: num(1.2, 0),
        /** The lowest pitch (Hz) the periodicity reads: its longest lag at 4 kHz is 4000 / pitchFloorHz, rounded up to a four-lag step (70: lags 10…57, as before the key; 60: 10…69, 58 Hz). A voice under the floor reads as unpitched (or pinned at the longest lag) everywhere the periodicity is read: the voicing cue, the pitch track, the model's pitched share and music cues. */
        pitchFloorHz: num(70, 45, 200),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    amd: Type.Object(
      {
        /** "model": the trained person/machine/music model (lib/media/amd-model.ts); "rules": app_amd's fixed rules (amd.ts). */
        decider: StringEnum(['model', 'rules'], { default: 'model' }),
        /** Model weights (JSON written by scripts/train-amd.ts); empty: the one shipped in lib/media/amd-weights.json. */
        modelFile: Type.String({ default: '' }),
        /** Quiet this long after a greeting and no beep → a person (app_amd's after_greeting_silence is 800; voicemail beeps follow their greeting within ≈ 700 ms). */
        minHumanSilenceMs: int(720, 0),
        /** After minHumanSilenceMs the model's person probability (against machine) must reach this for a person verdict; below it the analyser waits for more silence (a recording pauses between sentences too)… */
        humanConfidence: num(0.95, 0, 1),
        /** …up to this much quiet, then a person when the model leans that way (else notsure). */
        maxHumanSilenceMs: int(1300, 0),
        /** …and when the model then leans towards a recording without being sure of one, keep listening up to this much quiet (no beep, nothing resuming) while the model weighs the growing silence, before the notsure: a person who has said a long sentence stops and waits for a reply, a recording goes on or beeps. 0 (or ≤ maxHumanSilenceMs): notsure at maxHumanSilenceMs. */
        unsureSilenceMs: int(2000, 0),
        /** The line's SNR (speech peak over the noise floor, dB) from which minHumanSilenceMs of quiet is enough for a person the model is sure of; at noisyLineSnrDb and below that person needs maxHumanSilenceMs (linear between). On a noisy line a recording's quiet tails are hidden, so its pause between sentences looks like the end of a person's answer: the pause is weaker evidence there. noisyLineSnrDb ≥ quietLineSnrDb turns the scaling off. */
        quietLineSnrDb: num(30, 0),
        noisyLineSnrDb: num(12, 0),
        /** During that longer wait, only sound within this many dB of the greeting's loudest frame is the greeting resuming (a recording's next sentence); quieter sound (babble, noise let through) is the line's background and does not end the wait. */
        resumeWithinDb: num(6, 0),
        /** The model's machine probability that overrides a person verdict or calls a machine early. */
        machineConfidence: num(0.9, 0, 1),
        /** Model decider: a greeting still going after this is a machine. Real people do answer with a whole 4 s sentence; shorter voicemail greetings end in a beep. */
        maxPersonGreetingMs: int(4500, 100),
        /** With the model sure (machineConfidence), a greeting may be called a machine from this length on; 0: never early (measured: early calls cost persons who answer with a sentence). */
        machineEarlyMs: int(0, 0),
        /** Model decider: two or more bursts (pauses ≥ mergeGapMs between them) spanning this long → machine, as app_amd's word count; one sentence may run to maxPersonGreetingMs. 0: off. */
        multiBurstGreetingMs: int(2800, 0),
        /** …and only when the longest pause between the bursts reaches this: a sentence in noise splits at its soft syllables (100–200 ms), a recording pauses between its sentences. 0: any pause ≥ mergeGapMs. */
        multiBurstMinPauseMs: int(300, 0),
        /** …on a noisy line (SNR at most noisyLineSnrDb; linear up to quietLineSnrDb) the pause must reach this instead: line noise hides the soft ends of a sentence's words, so a catch of breath inside one sentence reads as a longer pause. 0 (or ≤ multiBurstMinPauseMs): off, the default: measured in round eleven at 400 and 450 ms, train persons in white and babble up to 98.0 % but machines in white at 5 dB 92.7 → 92.0 % (README). */
        noisyMultiBurstMinPauseMs: int(0, 0),
        /** …and, for a pause under noisyMultiBurstLeanBelowPauseMs, the model's lean towards a recording, P(machine) / (P(machine) + P(person)), must reach this on a noisy line (at noisyLineSnrDb and below; linear down to 0.5, the model leaning that way at all, at quietLineSnrDb): noise turns the fading tails and soft stretches of a person's one sentence into 300–500 ms of pause, weaker evidence of a recording's two sentences, so the model must lean further. Held back, the rule leaves it to what follows: a person's sentence ends in quiet (a person); a recording still talking at totalAnalysisTimeMs is a machine. ≤ 0.5: off. Round fourteen, on at 0.75: train persons in noise +8 runs at --pitch 0 and +12 at --pitch -800 of about 3,000 each, machines, music and tones no run worse; blocked machines decided 0.9 s later on average (README). */
        noisyMultiBurstLean: num(0.75, 0, 1),
        /** …asked only when that pause is shorter than this (the pause the multi-burst rule measures): a pause this long is a recording's pause between sentences whatever the noise (the train machines the bar alone lost paused 800–1200 ms; a noise-split person sentence's pause measured 300–480 ms, a few babble runs up to 1,020 ms). 0: asked at every pause. */
        noisyMultiBurstLeanBelowPauseMs: int(500, 0),
        pauseMinPeriodicity: num(0.5, 0, 1),
        /** With pauseMinPeriodicity: only such frames joined to a burst (a word fading out or in) are voice; periodic frames in the middle of the gap (talk in the background) stay pause. On by default since round eleven. Measured in round eleven at pauseMinPeriodicity 0.5 with musicGuessNeedsCues (which keeps the babble machine it alone lost from music): train persons in white and babble 97.4 → 97.7 %, machines 95.7 → 96.0 %, espeak identical (README). */
        pauseEdgesOnly: Type.Boolean({ default: true }),
        /** With pauseMinPeriodicity: on a line whose own noise has little pitch, a gap frame is a word's soft stretch from the noise's periodicity (the pauseNoisePercentile of the frames within pauseNoiseAtFloorDb of the floor) plus this margin, when that is under pauseMinPeriodicity, and from the floor's level up (not vad.voicedMarginDb over it): a soft vowel 7 dB under white noise adds under 1 dB but keeps periodicity 0.4–0.5, where white noise alone gives 0.23 (median) to 0.36 (99th percentile). 0: off, the default: measured in round thirteen at 0.12 (median), train persons in noise up a few items (a 3.5 s sentence in white at 10–15 dB no longer two sentences), train machines identical, but one espeak held-out machine lost (0.98), README. */
        pauseNoiseMargin: num(0, 0, 1),
        pauseNoisePercentile: num(50, 0, 100),
        pauseNoiseAtFloorDb: num(1, 0),
        /** A "greeting" with less voice than this (a click, a breath) is not one. */
        minGreetingSpeechMs: int(200, 0),
        /** …or this much of it with a pitch (voiced frames at vad.minPeriodicity): a click or a breath has none, while a short word ("ten", "at") in white noise keeps only its voiced core over the threshold (140–180 ms on the train split's voices lowered 800 cents, white at 5–10 dB SNR: no verdict). 0: off. */
        minPitchedGreetingMs: int(120, 0),
        /** …and only while under this share of the quiet after it has a pitch (vad.minPeriodicity): pitch tells a word from the line's noise only on a line with none of its own. Train split, the rule's firings: persons in white noise 0–0.11; music going on under the threshold 0.96 (a 120 ms note, then "quiet": a person) and babble 0.54–0.66 (120 ms of background talk before the person spoke). */
        pitchedGreetingMaxQuietPitch: num(0.25, 0, 1),
        /** minPitchedGreetingMs also counts the voiced frames inside a pitch track of at least this long (ms; the track of vad.pitchTrackMs: periodicity ≥ vad.pitchTrackMinPeriodicity, lag moving ≤ vad.pitchTrackMaxLagStep a frame, on a steady floor): in white noise at 0–5 dB a short word's voiced core holds its track at periodicity 0.45–0.6, under vad.minPeriodicity, so with the track making it voice it was still no greeting and the call ended with no verdict. 0: off. 60 since round seventeen (train --pitch -800 with the track and a retrained model, white@0 persons 82.9 → 85.2 %; README). */
        pitchedGreetingTrackMs: int(60, 0),
        /** A greeting whose voiced frames are this tonal is a tone, not a greeting (left to the tone detectors). */
        maxTonalShare: num(0.8, 0, 1),
        /** Music (hold music, colour ring) once the model gives ≥ this after at least musicMinMs of sound. */
        musicConfidence: num(0.85, 0, 1),
        musicMinMs: int(2000, 0),
        /** …and only when at least this share of its voiced frames have a pitch (vad.minPeriodicity): noise is not music. */
        musicMinPeriodicShare: num(0.3, 0, 1),
        /** …and only when at least this share of its consecutive pitched frames keep the same pitch period: music holds its notes (median 0.58 on the train split's music, clean and in noise), a voice glides and babble has no steady pitch (persons in babble taken for music: median 0.33); 0: off. */
        musicMinPitchHold: num(0.4, 0, 1),
        /** See musicMinPitchHold: > 0, a pitched pair also holds when it sits inside a note, a run of at least this many ms of consecutive pitched voiced frames whose periods stay within one lag step (0.25 ms) of each other (amd-features.ts noteHold): a held note whose period lies between two lag steps reads either one frame by frame once line noise or a codec's re-synthesised period (GSM: a quantised lag per 5 ms subframe) moves the autocorrelation peak, so the exact hold fails; a voice's glide leaves a one-step band within a few frames. 0: off (the exact period only). Measured at 100 in round twenty-three (README): music --set all clean 87.3 -> 88.0 %, noise 77.2 -> 77.9, but train in noise persons 93.1 -> 92.5, machines 90.3 -> 89.2 (babble 0 dB 54.4 -> 44.8): the exact hold plus short bands reads voices over the bar too, so off. */
        musicPitchHoldNoteMs: int(0, 0),
        /** See musicMinPitchHold: 2 or 3, a pitched pair also holds when one period is 2 (or 3) times the other within one lag step, on a line whose floor is steady (vad floor spread under talkFloorSpreadDb: not babble): a note's autocorrelation peaks at every multiple of its period and the tracker takes one or another as the partials' balance shifts (a chord, a bass under a melody, a note in noise: 20, 41, 20, 21, 41), while a voice's glide moves both. In babble other talkers' periods meet each other's multiples, hence the floor's guard. 0: off (the exact period only). Measured at 2 in round twenty-three (README): music --set all noise 77.2 -> 77.9 %, codecs 87.8 -> 88.2, clean and loss unchanged, but train in noise 4 persons, 3 machines and a reorder tone at 0-3 dB became music (voices' octave-tolerant hold reads a median 0.47-0.49, over the 0.4 bar), so off. */
        musicPitchHoldOctaves: Type.Integer({ minimum: 0, maximum: 3, default: 0 }),
        /** > 0: the model's music may pass on its spectral peaks' tuning instead of musicMinPeriodicShare and musicMinPitchHold: the peaks of the frames within backgroundBelowDb of the line's peak, since its first sound, on the equal-tempered semitone circle (spectral-lines.ts tuning: the length of the frames' summed phasors over the sum of their lengths) reach this. Every note of a tonal piece sits on one tuning grid, a voice's pitch glides through it (README "Round twenty-four"). 0: off. 0.5 by default since round twenty-four: at 0.5 the train split at --every 2 with the espeak voices in every noise, codec and loss cell, train at -800 cents and the monotone dev set in noise changed no person and no machine, while the wide real-music set gained in every line condition (GSM 86.5 -> 87.8 %, loss 87.8 -> 89.2, pink 5 dB 62.2 -> 66.2, brown 5 dB 85.1 -> 87.8). */
        musicMinTuning: num(0.5, 0, 1),
        /** With musicMinTuning: the tuning grid is read on the spectral peaks up to this frequency only; 0: the whole band (150–3,400 Hz). 1,333 by default since round twenty-seven, with musicTuningMinThirdOfTop 0.2 (README "Round twenty-seven": like for like against 0 and 0, music dev noise 79.4 → 80.0 %, codecs 89.4 → 89.6, loss 90.0 → 90.4; no person, machine or tone run changed in the monotone, noise, codec, loss, −800-cent and tone reads; espeak identical). Round twenty-six measured it alone (the same music gains) and left it off because a reorder in pink noise at 0 dB SNR then read its two partials as one steady phasor under 1,333 Hz and one of eight seeds turned from a machine to music (test/unit/media/music-floor-third-line.test.ts): musicTuningMinThirdOfTop is the tone guard that keeps it a machine. GSM 06.10's RPE-LTP codec (ETSI EN 300 961 §3.1.19–3.1.21) codes the residual on a grid of every third sample (13 pulses a 5 ms subframe) after a weighting filter that keeps mostly 0–1.3 kHz, and its decoder puts the pulses back with zeros between them: the excitation above 8,000/6 ≈ 1,333 Hz is a mirror image of the one below (a partial at f comes back at 2,667 − f and 2,667 + f, off the semitone grid), so the partials up there no longer keep the music's tuning while those below do. Measured (round twenty-six, the wide real-music set's 148 excerpts, first 3 s of sound, clean → GSM): the whole band's tuning falls 0.03 (median; p25 −0.10, p10 −0.18, 107 → 102 excerpts at the 0.5 bar), up to 1,333 Hz 0.01 (p25 −0.02, p10 −0.07, 110 → 112). */
        musicTuningMaxHz: num(1333, 0, 3400),
        /** With musicMinTuning: the tuning counts only when the line's spectral peaks (those it reads: up to musicTuningMaxHz, the frames within backgroundBelowDb of the peak) spread over more places than a tone's two: per bin with its two neighbours, the peaks counted over those frames, and the third highest local maximum of that map over the highest reaches this (spectral-lines.ts tuningThirdOfTop, as musicLinesFloorMinThirdOfTop on the floor route); 0: off. A tone (busy and reorder 480 + 620 Hz, dial 350 + 440 Hz, JP busy 400 Hz) is one partial or two whose frames' phasors point one way whatever the grid (tuning 0.94–1.00 clean, round twenty-six; 0.6–0.8 on the band up to 1,333 Hz in pink noise at 0–5 dB SNR), and past them only the noise's scattered peaks; one note of music has partials 1, 2, 3 on three places, a chord or a melody more. 0.2 by default since round twenty-seven (README "Round twenty-seven"): on the band up to 1,333 Hz over 3 s, the train tones in white, pink and brown noise read 0.07–0.13 (a dev JP busy, 400 Hz, in pink noise at 5 dB 0.08–0.12 as the model reads it), while of the wide real-music set's excerpts whose tuning reaches 0.5, 8 of 731 read under 0.2, and the train hold music 0.26 at its lowest (white noise). */
        musicTuningMinThirdOfTop: num(0.2, 0, 1),
        /** …and only while its voicing swings less than this at the syllable rate (RMS of the 3–8 Hz band of the frames' periodicity): speech's pitch comes and goes 4–8 times a second, also under noise (train-split machines in white noise called music: 0.135–0.174), music stays pitched (train music, clean and in noise: at most 0.107); 0: off. */
        musicMaxVoicingSwing: num(0.12, 0, 1),
        /** …and the line's spectral lines (musicLineMinLines' measure, spectral-lines.ts, over the frames within backgroundBelowDb of the line's peak: partials that stay at fixed frequencies) reach this: a voice's harmonics glide. Also asked of a best guess of music (musicGuessNeedsCues). 0: off. 0.5 since round seventeen: at the model rule's music verdicts (train, white/pink/brown 0–20 dB, the pitch track on) persons called music read 0.16–0.46 at --pitch -800, the rule's right music verdicts 0.28–3.25 (median ≈ 1.0) at -800 and 0.42–3.5 at pitch 0; babble persons at pitch 0, 0.40–0.80 (README). */
        musicMinLines: num(0.5, 0, 5),
        /** The peak test of the spectral-lines read that musicMinLines asks of the model's music (only that one: the line route's musicLineMinLines, the floor route and the hold-on-lines wait keep theirs): "mean", a local maximum 4× the mean power of the bins within ±8 of it; "lpc", a local maximum 4× the frame's own all-pole envelope of order musicLinesLpcOrder (spectral-lines.ts lpcPeaks; lpc.ts), read against musicMinLinesLpc in place of musicMinLines. The neighbourhood mean holds a chord's next partials and GSM's coding noise between them, so GSM takes music's lines away (round twenty-seven, the wide real-music set, first 3 s of sound, clean → GSM: p10 0.44 → 0.35); the envelope follows formants and a codec's coloured floor, not single partials (order 8: GSM p10 0.47, and fewer train voices reach 0.5: persons 20 → 14, machines 31 → 19). "mean" by default: round twenty-eight built it and measured it like for like (README "Round twenty-eight"): at order 10 and the bar 0.6 music dev's noise row fell 80.0 → 79.2 % and its codec row 89.6 → 89.2, the espeak noise cells' music 94.8 → 91.7 (one train piece in three cells) and three machine runs became music (two in babble at 5 dB, one at −800 cents); at the bar 0.5 music dev moved 80.0 → 80.2 (noise) with codecs unchanged and five monotone dev machines in babble became music. A formant-free harmonic series (a flat voice, a hum) stands over any all-pole envelope, where the ±8-bin mean held its next harmonics. */
        musicLinesPeakTest: StringEnum(['mean', 'lpc'], { default: 'mean' }),
        /** With musicLinesPeakTest "lpc": the all-pole envelope's order (Levinson–Durbin on the 64 ms Hann frame's autocorrelation). 8–12 fit a voice's formants at 8 kHz (Makhoul 1975: 2 poles per kHz and 2–4 more) and leave single partials over it; 20 starts fitting the partials (round twenty-seven: wide music's GSM p10 0.33). */
        musicLinesLpcOrder: Type.Integer({ minimum: 2, maximum: 24, default: 10 }),
        /** With musicLinesPeakTest "lpc": every pole of the envelope widened by this bandwidth (Hz; the predictor's a_j × γ^j, γ = e^(−π·B/8000), the bandwidth expansion speech codecs apply to their LP filters), so that a pole pair cannot sharpen onto one strong partial of a sparse spectrum (a tone, a single melody line) and swallow it: without it a 440 Hz tone in white noise at 30 dB reads 0.23 on the envelope map (1.15 on the mean's), with 100 Hz 1.19. 0: none (the default). Round twenty-eight: 100 Hz at the 0.6 bar moved music dev's GSM row 89.2 → 89.8 % but turned 4 more monotone dev machines in babble into music (README "Round twenty-eight"). */
        musicLinesLpcBandwidthHz: num(0, 0, 400),
        /** With musicLinesPeakTest "lpc": the bar of that read (musicMinLines' role on the envelope's peak map). 0.6, re-derived on train and the wide dev set (first 3 s of sound, frames within 18 dB of the peak, order 10): the highest bar at which the wide real-music excerpts (611, every 40 s) pass at least as often as on the mean read at 0.5, clean 532 vs 528 and through GSM 500 vs 486 (at 0.7: 452 through GSM); train voices over it 12 persons and 11 machines of 450 each (the mean read at 0.5: 41 and 80). */
        musicMinLinesLpc: num(0.6, 0, 5),
        /** A greeting still going at maxPersonGreetingMs that the model takes for music (P(music) ≥ musicConfidence) while under this share of its voiced frames have a pitch (vad.minPeriodicity) is music, not a machine: no voice talks that long with so little pitch (vowels and voiced consonants are most of speech; the train machines at that point read 0.58–0.99, in babble and white noise at 0 dB and through GSM too), while an ambient or orchestral bed, a pad or a dense mix gives the voice-range pitch tracker little (the wide real-music set's pieces called a machine there: median 0.11; the model: P(music) ≈ 1). The model's own music cues ask for pitch (musicMinPeriodicShare) because speech in noise is not music; this asks for its absence, only where the greeting rule would otherwise call a machine. 0: off. 0.3 by default since round twenty-two, with musicUnpitchedGreetingFloorHz 45: the full train run in every class and cell, train at -800 cents (real and espeak voices), the wide monotone set clean and in noise and detect-dev changed no verdict; music --set all +9.6 points clean (README "Round twenty-two"). Measured at 0.3 alone: music --set all clean 77.7 -> 87.3 %, noise 70.1 -> 77.3, codecs 78.5 -> 87.8, loss 78.9 -> 88.4, every changed run machine -> music; but train at -800 cents lost 17 espeak machines (≈ 63 Hz, under the VAD's 70 Hz pitch floor: clean 99 -> 89 %) and the wide monotone set 14 machines, hence musicUnpitchedGreetingFloorHz. */
        musicUnpitchedGreetingBelow: num(0.3, 0, 1),
        /** See musicUnpitchedGreetingBelow: > 0, the greeting's pitched share is read with the pitch floor lowered to this (Hz; the level VAD's own tracker stops at 70 Hz): a frame is pitched when the VAD's periodicity or the same measure over lags down to this frequency (lib/media/low-pitch.ts, once, at that frame) reaches vad.minPeriodicity. The deepest voices speak at 60–70 Hz, under the VAD's floor: the espeak tune split's male voices lowered 800 cents (≈ 63 Hz) read a pitched share of 0.06–0.34 with P(music) ≈ 1 at the greeting rule, and 0.62–0.79 with a 45 Hz floor, where the wide set's music refused there reads a median 0.06 (at most 0.31). 0: the VAD's own periodicity. 45 by default (round twenty-two): 0.3 alone lost 17 lowered espeak machines and 14 monotone ones, the floor none. */
        musicUnpitchedGreetingFloorHz: num(45, 0, 400),
        /**
         * Music judged on the whole line since its first sound, not only on the frames the level VAD calls voice: music
         * is one continuous sound, whose quieter passages the VAD takes for the floor (in noise, or when its level barely
         * moves, it hears no "greeting" at all, or a short one and then "quiet"), but whose pitch goes on through them.
         * After musicMinMs of sound, music when at least this share of all its frames have a pitch (vad.minPeriodicity)
         * within backgroundBelowDb of the line's peak (white/pink/brown noise has none; talk far below is the room's),
         * at least musicLineMinPitchHold of consecutive such frames keep the same period, less than
         * musicLineMaxOnePitchShare of them sit on one pitch, the voicing swings less than musicLineMaxVoicingSwing at
         * the syllable rate, fewer than maxTonalShare of the frames are a pure tone, and the line has no pause
         * (musicLineMaxPauseMs); 0: off. Round eleven measured it at 0.6 but left it off: one espeak held-out machine
         * (a monotone synthetic voice that holds its pitch) became music. On at 0.6 since round twelve, with the pause
         * gate: no line-music verdict on the wide monotone dev set, train persons / machines / tones identical to off
         * in every noise cell, train music in noise 93.3 -> 94.6 %; one read of the held-out splits: espeak 1 / 1 / 1,
         * realHoldout music 0.813 -> 0.875 (white 0.563 -> 0.813), persons / machines / tones unchanged (README).
         */
        musicLineMinPeriodicShare: num(0.6, 0, 1),
        /** See musicLineMinPeriodicShare: music holds its notes, a voice glides and babble has no steady period. */
        musicLineMinPitchHold: num(0.5, 0, 1),
        /** See musicLineMinPeriodicShare: where the VAD hears quiet, once it holds at least this many consecutive pitched pairs, they must keep their period as often too (music goes on through its soft passages; a person's pause holds only the room's talk, which glides, while a voice that holds its own pitch could carry the whole line's hold alone). */
        musicLineQuietMinPairs: int(5, 0),
        /** See musicLineMinPeriodicShare: a tone (a dial tone, a tone in noise) stays on one pitch (±1 lag step) nearly all the time (0.95–1), music moves between notes (train music at most 0.71). */
        musicLineMaxOnePitchShare: num(0.85, 0, 1),
        /** See musicLineMinPeriodicShare: the whole line's voicing swing at the syllable rate (amd-features voicingSwing over every frame since the first sound); 0: off. */
        musicLineMaxVoicingSwing: num(0.09, 0, 1),
        /** Music the level VAD sinks into the line's floor (a drone, a dense mix, music half under line noise: its frames sit under the threshold, so the model sees only its loudest notes, or no onset at all and calls silence): after musicMinMs of sound, music when at least this share of the frames since the sound began are under the threshold and… 0: off. 0.5 by default since round eleven (README: train music in noise 80 → 92 %, persons and machines unchanged; realHoldout with it, musicGuessNeedsCues and pauseEdgesOnly against all three off on the same corpus build: better or equal in every row). */
        sunkMusicMinShare: num(0.5, 0, 1),
        /** …at least this share of those frames keep a pitch (white, pink and brown noise have none: persons' quiet in white noise on the train split ≤ 0.3, median 0)… */
        sunkMusicMinPeriodicShare: num(0.5, 0, 1),
        /** …at least this share of the consecutive pitched frames (labelled or not) keep the same pitch period: stricter than musicMinPitchHold, since the model's view is not asked and talk in the background is pitched too (train-split persons in babble that met the other conditions: at most 0.45, but one at 0.64)… */
        sunkMusicMinPitchHold: num(0.5, 0, 1),
        /** …the voicing swings less than this at the syllable rate (voicingSwing over every frame since the sound began): stricter than musicMaxVoicingSwing, since the model's view is not asked. */
        sunkMusicMaxVoicingSwing: num(0.08, 0, 1),
        /** When the analysis time runs out and the model's best class is music, music only with the music rule's cues (musicMinPeriodicShare, musicMinPitchHold, musicMaxVoicingSwing); otherwise the better of person and machine (their confidence renormalised between the two; notsure below notSureBelow). A recording in babble broken into bursts is otherwise extrapolated to music. On by default since round eleven (README: four babble machines at 5 dB saved on the train split). */
        musicGuessNeedsCues: Type.Boolean({ default: true }),
        /** While a person verdict waits out a noisy line's longer pause (personSilenceMs, resumeWithinDb), the model's music rule (musicConfidence, musicMinMs and its cues) is still judged every frame, as it is on a line that is not noisy; off: the wait skips it, and the person verdict at its end is given without it. Music is one continuous sound whose softer passages the level VAD takes for its floor, so a dense piece reads as a noisy line by itself (three of four GSM-refused wide excerpts measured: peak 6.0–7.7 dB over that floor clean, under noisyLineSnrDb; a GSM round trip lifted the fourth's near-silent floor 38.9 → 4.9 dB), and its loudest note then arms the wait. On the clean line the model's music comes first (2.0–3.6 s); any line condition that delays its evidence (GSM 06.10's coding noise on the partials, pink or brown noise on the low notes, a lost packet's zeros) lets the wait end in a person first: of 79 train/dev music runs that the clean line calls music and GSM, 1/3/5 % loss or pink/brown at 5–10 dB refuse, 37 were that person (bench/detect-music-gates, round twenty-five). */
        musicWhilePending: Type.Boolean({ default: false }),
        /** See musicWhilePending: > 0, the wait is opened to the model's music rule (as musicWhilePending does: musicConfidence, musicMinMs and its cues, unchanged) only while the quiet since the greeting's end keeps spectral lines: the activation of musicLineMinLines over the wait's frames alone (at least 400 ms of them, within backgroundBelowDb of the line's peak), each line counted beyond musicLinesFloorNullZ binomial standard errors, reaches this (the read of musicHoldsPersonOnLines). musicWhilePending alone (round twenty-five) turned 30 music dev runs from that wait's person into music but lost a machine and two persons of the monotone dev set in babble at 5 dB: a flat voice holds its pitch like a note and the other talkers keep the model's music score up. The quiet after a person's word keeps no persisting partial (round twenty-two, 1,207 train and espeak person verdicts in white, pink, brown and babble at 0–20 dB, GSM and loss: median 0, max 0.32, babble the highest), music's soft passage keeps its bed's (the wide set's runs called a person there: median 0.55). 0.4 by default since round twenty-nine (README "Round twenty-nine"): like for like against 0, music dev clean 89.2 → 89.8 %, noise 80.0 → 80.5 (pink 80.1 → 80.5, brown 89.0 → 89.4), loss 90.4 → 91.2, codecs 89.6 = (GSM 89.2 =: its four refusals fail the model's own cues, or their wait's quiet holds no lines, at any bar down to 0.05), 24 runs changed, every one a person → music or music sooner; the monotone dev set, the espeak and train noise, codec, loss, −800-cent and tone reads changed no person, machine or tone run; espeak identical. 0: off. */
        musicWhilePendingOnLines: num(0.4, 0, 5),
        /** See musicLineMinPeriodicShare: voiced runs starting per second over the whole line (a frame with a pitch after one without); speech breaks its voicing at every consonant and pause, a syllable or two apart, music holds its notes through (train music's first line verdicts 0.5–6.5 a second, 5th–95th percentile; monotone synthetic voicemail greetings of the monotone dev set, bench/detect-monotone-dev.ts, 2–11); 0: off. */
        musicLineMaxPitchOnsetsPerS: num(6, 0, 50),
        /** See musicLineMinPeriodicShare: a voice stops (a breath, a comma, the end of a phrase, a person waiting for a reply), music plays on. After the line's first pitched frame, a run of at least this long with no pitch (vad.minPeriodicity) and at least musicLinePauseBelowDb under the line's peak is a pause, and a line with a pause is not music on the line, however flat and held the pitch around it. The wide monotone dev set (bench/detect-monotone-dev.ts --wide, slow flat synthetic voices): the rule's 54 firings there have one of 100–360 ms (48 of them ≥ 200 ms; the shorter ones in babble at 5–10 dB, where other talkers fill the pause, and one in white at 10 dB); at 100 none is left, and train music in every noise cell is identical to the gate off (94.6 %); 0: off. */
        musicLineMaxPauseMs: int(100, 0),
        /** See musicLineMaxPauseMs. */
        musicLinePauseBelowDb: num(10, 0),
        /** See musicLineMaxPauseMs: a run that a steady decay ran into is a note's tail, not a pause (lib/media/note-decay.ts): when the level over this long before the run's first frame, and that frame, falls along a straight line in dB (an exponential decay: a plucked or struck note, whose tail sinks under the noise floor) at musicLinePauseDecayMinDbPerS–musicLinePauseDecayMaxDbPerS, no frame more than musicLinePauseDecayMaxResidualDb off the line, the run does not count as a pause. A voice that stops falls off a plateau (its vowel holds its level, then drops in a frame or two). 0: off. 200 by default since round eighteen (README "Round eighteen"): music dev pieces in noise 89.4 -> 89.8 %, loss 90.7 -> 92.6 %, no train person, machine, music or tone run changed at pitch 0, the wide monotone dev set identical; where the pause gate alone refused, 31 of 39 plucked and bell events lay within 0.96 dB of the line over 200 ms, the monotone set's flat voices at least 1.29 dB off it; -800 cents: 0 changed; detect-dev identical). */
        musicLinePauseDecayMs: int(200, 0),
        /** See musicLinePauseDecayMs. */
        musicLinePauseDecayMinDbPerS: num(15, 0),
        /** See musicLinePauseDecayMs. */
        musicLinePauseDecayMaxDbPerS: num(120, 0),
        /** See musicLinePauseDecayMs. */
        musicLinePauseDecayMaxResidualDb: num(1, 0),
        /** See musicLineMaxVoicingSwing: the swing bridges a note's decay (lib/media/note-decay.ts): a frame where the level over this long up to it, and it, fell along a straight line in dB at musicLinePauseDecayMinDbPerS–musicLinePauseDecayMaxDbPerS, no frame more than musicLineSwingDecayMaxResidualDb off the line, and the frame after such a frame, hold the periodicity of the last frame before them, as a loss hole does (musicLineLossHoleMs). A plucked or struck note's periodicity fades with its level under the line's noise and returns at the next attack (whose frame straddles two pitches), at the note rate, inside the syllable band the swing reads; a voice mostly falls off a plateau. 0: off. 100 by default since round twenty, with musicLineSwingDecayAttackDb 2 (README "Round twenty"; round nineteen measured 100: plucked dev pieces' swing in noise 0.09-0.155 -> 0.05-0.133, music dev pieces in noise 92.1 -> 93.5 %; where the swing alone refuses a voice the closest stays at 0.104-0.111). Every decay held (attack bar 0) raises the swing of slow notes whose tails meet the noise floor (800 ms plucked notes at 40 dB/s in white noise at 15 dB: 0.082 -> 0.111, no longer music); interpolating instead frees flat voices (the monotone set's closest to 0.089). */
        musicLineSwingDecayMs: int(100, 0),
        /** See musicLineSwingDecayMs. */
        musicLineSwingDecayMaxResidualDb: num(1, 0),
        /** See musicLineSwingDecayMs: > 0, only a decay that the next attack ends (the level rising at least this many dB into the frame after the run) is bridged, the run and that frame holding the value before it; a slow note's tail that meets the noise floor keeps its own ramp (holding it ends in a step that raises the swing). 0: every decay and the frame after it. 2 by default since round twenty (README "Round twenty", like for like against 0/0: music dev pieces in noise 92.1 -> 93.5 %, real recorded music (--set wide) clean 72.3 -> 73.0 %, no piece lost; every train item at pitch 0 (494) and every third at -800 cents, the wide monotone set and detect-dev: no verdict changed). */
        musicLineSwingDecayAttackDb: num(2, 0),
        /** See musicLineMinPitchHold: true: a line whose pairs keep their exact period too seldom may pass on the pitch period's 3-frame running median instead (a note's period estimated in broadband noise jitters a lag step either way around it frame by frame; a voice's glide moves the median too), when its pitch sits on notes (musicLineMinNoteShare), and then the pairs where the VAD hears quiet (musicLineQuietMinPairs) hold on the median too; false: the exact period only. Round thirteen measured the median alone (no note gate): train music in noise 94.6 -> 95.6 %, but one real train-split machine (fr_CA machine-41, a slow voice: exact hold 0.31, median 0.50–0.53, no pitch held longer than 160 ms) became music in 13 of 27 noise/codec/loss cells and one person in one. */
        musicLineHoldMedian: Type.Boolean({ default: true }),
        /** See musicLineHoldMedian: a line whose exact hold fails passes on the median hold only when at least this share of its pitched frames sit on notes (runs of at least musicLineNoteMinMs whose median periods stay within one lag step); 0: no such guard. */
        musicLineMinNoteShare: num(0.2, 0, 1),
        /** See musicLineMinNoteShare: the shortest note, in ms. */
        musicLineNoteMinMs: int(160, 40),
        /** See musicLineMinPeriodicShare: a run of all-zero frames no longer than this (a burst of lost packets that the far end's jitter buffer played as silence), and the frame after it, are left out of the line's pitch share, pitch onsets, voicing swing and pauses (bridged), rather than read as a rest that breaks the music. A longer run of zeros (a far end sending digital silence in a pause) stays in. 0: off. */
        musicLineLossHoleMs: int(60, 0),
        /** See musicLineMinPeriodicShare: > 0, the music rule on the line reads each frame's periodicity corrected for the line's noise: a frame at least this many dB over the VAD's floor has it divided by its own power's share over the floor, 1 − 10^(−Δ/10) (Δ its level over the floor), capped at 1. Noise adds power to the autocorrelation's energy terms and none to its lag terms (uncorrelated with the music), so a note's measured periodicity is its own times that share, whatever the noise's colour (white, pink, brown, a codec's noise floor): the wide real-music set in pink noise at 5 dB keeps 0.01-0.3 of its frames pitched where the clean pieces keep 0.6-0.95. Frames nearer the floor keep their measure (the correction would reach 2 at 3 dB and grow without bound under it; a noise frame's own fluctuation is not a note). Only on a noisy line (peak at most noisyLineSnrDb over the floor) whose floor is noise (its frames within 1 dB of it average a periodicity under 0.4, as noise alone reads): on a clean line the floor is the room, and an ambient piece's floor is its own quieter passage (corrected on every line, the wide set lost clean and loss runs). The pitched share, hold, notes, pauses and onsets read the corrected measure; the rule's voicing swing keeps the raw one (the correction grows as a frame nears the floor and would carry the level's own rise and fall at the note rate into the swing's band: read by the swing, the wide set's music was called later, median +160 ms), and so does every other reader of the pitch (the model, the greeting, the pause). 0: off. 3 by default since round twenty-one (README "Round twenty-one: the line rule's pitch corrected"): like for like against 0, the wide real-music set 73.6 -> 75.0 % clean, noise 65.6 -> 67.4, GSM 70.3 -> 75.0, loss 72.5 -> 74.8, 58 runs to music and none from it; music dev pieces in noise 95.4 -> 95.8; train, every class and cell (pitch 0, every second item) and at -800 cents (every third), the wide monotone set and detect-dev: no person, machine or tone verdict changed; cost unchanged; realHoldout identical (pink, brown, GSM and loss still 0.813). */
        musicLinePitchOverFloorDb: num(3, 0),
        /** See musicLineMinPeriodicShare: a line whose pitch share or pitch hold falls short is music on the line when its spectral peaks pile up on fixed frequencies (lib/media/spectral-lines.ts: continuous frequency activation, Seyerlehner et al. 2007; the sum of the five most prominent peaks of the per-bin share of frames with a spectral peak, counting frames within backgroundBelowDb of the line's peak) at least this much, the line's other gates (pause, onsets, voicing swing, one pitch, tonal share) still holding: a chord, an FM bell, a tremolo or a fast arpeggio gives the voice-range pitch tracker no steady period, but its partials stay put; a voice's harmonics glide. 0: off. 1.3 by default since round sixteen: train persons and machines read at most 0.88 in every cell (first 2 s, before the gates); the wide monotone dev set's flat voices that pass the other gates 1.0-1.17 at 1.0 (one person and six machines became music there), a margin over them; music dev pieces in noise 84.7 -> 88.0 %, train music in noise 95.8 -> 96.5 %; no train person, machine or tone verdict changed, and no monotone person; one monotone machine in babble at 5 dB, whose lines climb to 1.31 by 2.5 s, becomes music (README). */
        musicLineMinLines: num(1.3, 0, 5),
        /** See musicLineMinLines: a line that passes on its spectral lines but makes musicLineMaxPitchOnsetsPerS voiced runs a second or more (in noise a chord's or an arpeggio's pitch flickers: music dev 7.7–8.5) is still music when its articulation, judged on the spectrum, is not a voice's: the four band levels' modulation share at 2.5–6 Hz (spectral-lines.ts modulation; Scheirer and Slaney 1997: speech's syllable rate) is under this (and, with musicLinesMaxCombShare, its lines are not one harmonic series). 0: off (the pitch onsets alone decide). 0.3 by default since round seventeen: where the pitch onsets refuse lines over the bar, music dev pieces read 0.09–0.31, train music 0.06–0.41, the monotone dev set's flat voices 0.38–0.54 (at 0.4 one became music); music dev pieces in noise 88.0 -> 89.4 %, train music in noise 96.0 -> 97.3 %, no train person, machine or tone verdict changed (nor at -800 cents, nor the espeak tune split), the monotone dev set unchanged (README). */
        musicLinesMaxModulation: num(0.3, 0, 1),
        /** See musicLinesMaxModulation: …and under this share of the lines' prominence sits on the harmonics of one pitch, 80–420 Hz (spectral-lines.ts combShare: a flat voice's lines are its harmonics, the monotone dev set's two flat voices that reach the check 1.0; music dev pieces 0.64–0.85, but one single bell line 1.0 and train music 0.60–1.0). 0: no comb check (the default: measured on music dev only, where it changed no cell; it would drop 7 of the 65 train music runs the modulation passes). */
        musicLinesMaxCombShare: num(0, 0, 1),
        /** See musicLineMinLines: a line whose spectral lines fall short of musicLineMinLines is still music on the line when the same activation, its peaks taken over each bin's own noise floor instead of over their ±8 bins' mean, reaches this (spectral-lines.ts floorPeaks: the floor by minimum statistics, Martin 2001, over ≈ 1.6 s), on a noisy line only (its peak at most noisyLineSnrDb over the VAD's floor): broadband noise fills a partial's neighbourhood, so its peaks fall under the neighbourhood bar with the SNR, while the partial still stands over the noise. 0: off. 0.4 by default since round twenty, read with musicLinesFloorNullZ 5 (the lines counted beyond the noise; with musicLinesFloorNullZ 0 the bar reads raw prominences and round eighteen's measure was 1.6): train persons read at most 0.28 and machines 0.19 there (pitched share ≥ 0.15), train and dev music the defaults missed 0.29–1.03; like for like, train music in noise 89.6 -> 92.1 %, music dev pieces in noise 92.1 -> 94.0 %, no train person, machine or tone verdict changed (pitch 0 and −800), the wide monotone set and detect-dev unchanged (README). */
        musicLineMinFloorLines: num(0.4, 0, 5),
        /** See musicLineMinFloorLines: how far over its bin's noise floor (the minimum of the smoothed power, biased low) a spectral peak must stand. */
        musicLinesFloorRatio: num(8, 1),
        /** See musicLineMinFloorLines: with this > 0 the floor route's sum counts each of its lines only by how far its prominence stands beyond this many binomial standard errors of the activation (spectral-lines.ts subtractNull: √(n·q·(1−q)) over n frames, q the activation's mean over the band), the spread noise alone gives it; musicLineMinFloorLines then bars that sum, and the third-line check reads the lines so counted. Without it the noise's own lines fill 0.6–0.8 of the 1.6 bar in deep noise at 2 s and 0.2 of it at 6 s (round nineteen), so the bar means different things at different SNRs and times. 0: off (raw prominences). 5 by default since round twenty: the null's strongest line sits at 4.1–4.3 standard errors, 5.0–5.4 in 95 % of draws (a Monte Carlo of independent binomial bins), and noise alone then reads 0.00–0.03 at 2 s and at 6 s (raw 0.98–1.16 and 0.42–0.48). */
        musicLinesFloorNullZ: num(5, 0, 10),
        /** See musicLinesFloorNullZ: …and the floor route's third line, so counted, reaches this share of its strongest (spectral-lines.ts thirdOfTopShare): a tone has one partial (DE/UK/JP 400–425 Hz) or two (NA 480+620), and with the noise's spread taken out what follows them reads ≈ 0 whatever the cadence (round twenty, tones at −3 to 5 dB over the bar: at most 0.27, in babble); music over the bar 0.31–0.88 (a few at 0–0.26). 0: no such check. 0.3 by default since round twenty. */
        musicLinesFloorMinThirdOfTop: num(0.3, 0, 1),
        /** See musicLineMinFloorLines: …and the third-strongest of its lines reaches this share of the second's prominence (spectral-lines.ts thirdLineShare): a dual tone (busy, reorder, ringback) has two partials, and what follows them on the floor map is the noise's own lines; music has more lines alike. 0: no such check. */
        musicLinesFloorMinThirdLine: num(0, 0, 1),
        /** See musicLineMinFloorLines: …and at least this share of the line's frames has a pitch (linePeriodicShare): the line rule's pause and articulation gates read the pitch, so a line with (almost) none passes them by default (round nineteen: a wide monotone dev greeting in white noise at 10 dB with no pitched frame read 1.88 over the floor). 0: no such check. 0.15 by default since round twenty (with the floor route; round twenty's trace: a train person with no pitched frame at all reads 0.68 beyond the null, and any bar over 0 refuses it; 0.15 also refuses a dev bell-chord piece in white noise at 5 dB, pitched share 0.10). */
        musicLinesFloorMinPeriodicShare: num(0.15, 0, 1),
        /** See musicLineMinPeriodicShare: a line whose frames are maxTonalShare or more pure tone (features.ts purity) is still judged as music when those frames step through at least this many distinct notes (runs of musicLineTonalNoteMinMs or more, a frequency held within 3 %, the notes a semitone or more apart) with a median harmonic share (features.ts harmonicShare: the energy at half, 1.5×, 2× and 3× the frequency) of at least musicLineTonalMinHarmonicShare: a square-wave or reed-like melody is as pure as a tone frame by frame, but a tone holds one frequency (a SIT three, then stops) and has no harmonics (beeps of the dev corpora ≤ 0.019). 0: off. 4 since round eighteen: the music dev set's square-wave arpeggio holds 11 notes at harmonic share 0.10 in every cell, every train and dev tone at most 1; detect-music-dev clean 94.4 -> 100 %, noise 89.4 -> 91.7 %, tones unchanged in every cell (README). */
        musicLineTonalMinNotes: int(4, 0),
        /** See musicLineTonalMinNotes: the shortest note, in ms. */
        musicLineTonalNoteMinMs: int(100, 20),
        /** See musicLineTonalMinNotes: the pure frames' median harmonic share. */
        musicLineTonalMinHarmonicShare: num(0.04, 0, 1),
        /** No person verdict while the "quiet" after the greeting is a sound that goes on with held notes (musicLineMinPeriodicShare of it pitched, musicLineMinPitchHold of its pitched pairs held, as the music rule on the line counts them), until totalAnalysisTimeMs after the onset: music's softer passage after a loud note is not a person waiting for a reply (a person's quiet has no pitch, or the gliding pitch of other talkers). Off with musicLineMinPeriodicShare 0. Measured in round thirteen with musicLineHoldMedian on (72 dev excerpts of the train music tracks in noise, codecs and loss: 1036 -> 1044 of 1152 music, 8 more notsure) but not on persons, so off then. On by default since round fifteen: hold messages (a recorded voice over a music bed, then the bed) of bench/detect-music-dev called a person 83 -> 56 of 228 runs, no piece changed; train persons and music in every noise/codec/loss/level cell 0 verdicts changed (README). */
        musicHoldsPersonVerdict: Type.Boolean({ default: true }),
        /** See musicHoldsPersonVerdict: the "quiet" after the greeting also goes on as music when its spectral lines (spectral-lines.ts, the activation of musicLineMinLines over the quiet's frames alone, within backgroundBelowDb of the line's peak, each line counted beyond musicLinesFloorNullZ binomial standard errors of the activation) reach this: a bed of music keeps its partials at fixed frequencies frame after frame, whatever the voice-range pitch tracker reads of it (orchestral and ambient beds: pitched share median 0.05, round twenty-one), while a room's noise after a person's word has no persisting peak and other talkers' harmonics glide. Needs musicHoldsPersonVerdict. 0: off (round twenty-two, see README). 0.4 by default since round twenty-nine, with musicHoldsPersonOnLinesMaxMs 2,000 and musicHoldsPersonLineMinLines 0.8 (the bar of musicWhilePendingOnLines, over the persons' 0.32): on top of musicWhilePendingOnLines 0.4, like for like, music dev clean 89.8 → 90.4 %, noise 80.5 → 81.3, codecs 89.6 → 90.6 (GSM 89.2 → 90.4), loss 91.2 → 91.6, hold messages called a person in noise 116 → 97, no row down; the monotone dev set, the espeak and train noise, codec, loss, −800-cent and tone reads changed no run; espeak identical (README "Round twenty-nine"). */
        musicHoldsPersonOnLines: num(0.4, 0, 5),
        /** See musicHoldsPersonOnLines: it holds the person verdict only while the quiet after the greeting is shorter than this (ms), so a person with music or a TV playing behind them is a person at most this long after the greeting (as a person whose quiet the model doubts, unsureSilenceMs); the music rule on the line has had its say by then. 0: until totalAnalysisTimeMs after the onset, as the pitch hold. 2,000 by default since round twenty-nine (as unsureSilenceMs: a person with a music bed 12 dB under them is a person at 3.2 s instead of 5.3 s, unit test). */
        musicHoldsPersonOnLinesMaxMs: int(2000, 0),
        /** See musicHoldsPersonOnLines: once a person verdict has waited on the quiet's lines, the music rule on the line passes a line whose spectral lines reach this instead of musicLineMinLines (the lower of the two; the line's other gates as before): round twenty-two, the wide set's held runs mostly fell short of the whole line's 1.3 (at 0.8 everywhere, 30 of 83 became music). Only a run the hold moved can change. 0: off. 0.8 by default since round twenty-nine (see musicHoldsPersonOnLines). */
        musicHoldsPersonLineMinLines: num(0.8, 0, 5),
        /** When the analysis time runs out, a best class below this confidence becomes notsure (campaign policy decides). */
        notSureBelow: num(0.6, 0, 1),
        /** Voiced runs closer than this are one burst (the model's "words"). */
        mergeGapMs: int(200, 20),
        /** A burst whose loudest frame stays this far (dB) below the loudest voice of the call is another voice in the background (babble), not part of the greeting; 0: off. */
        backgroundBelowDb: num(18, 0),
        /** On a noisy line (speech peak at most noisyLineSnrDb over the floor) whose floor fluctuates as talk does (vad floor spread ≥ talkFloorSpreadDb), a burst whose loudest frame stays this far below the loudest voice is background talk too (the person is only a few dB above it); 0: off. Steady noise (white, pink, brown: spread 0.2–0.8 dB) keeps backgroundBelowDb. */
        noisyBackgroundBelowDb: num(6, 0),
        /** The floor's 5th–20th percentile spread (dB) from which a line's background is talk (babble 1.3–2.9 dB on the train split; steady noise 0.2–0.8). */
        talkFloorSpreadDb: num(1.2, 0),
        /** app_amd's initial_silence → MACHINE; 0 disables it (default) because timing starts at speech onset and people often answer after carrier silence. */
        initialSilenceMs: int(0),
        /** Greeting span from speech onset above this → machine. app_amd says 1500, Twilio 2400. A person's slow 3–5 word greeting ("Yes, hello, who is calling?") lasts up to ≈ 2.9 s and the shortest machine greetings ≈ 3 s. Used by the "rules" decider. */
        greetingMs: int(3000, 100),
        /** Silence after a short greeting → human (app_amd 800). */
        afterGreetingSilenceMs: int(800, 100),
        /** No decision this long after speech onset → notsure (app_amd 5000). */
        totalAnalysisTimeMs: int(5000, 500),
        /** Model decider: when the analysis time runs out while the quiet after a greeting is being measured (past minHumanSilenceMs), finish that wait (at most maxHumanSilenceMs of quiet) instead of cutting it: a 4 s answer ends near the limit. */
        finishSilenceWait: Type.Boolean({ default: true }),
        minWordLengthMs: int(100, 20),
        betweenWordsSilenceMs: int(50, 20),
        /** More words than this → machine (app_amd 2, SignalWire 6, jambonz 9). Energy "words" of mora-timed Japanese run high ("もしもし、どちらさまですか" counts 7), so the greeting length decides and this only backs it up. */
        maximumNumberOfWords: int(9, 1),
        maximumWordLengthMs: int(5000, 100),
        /** Answered and no voice at all this long → silence (code 7). */
        silenceTimeoutMs: int(5000, 500),
        /** After a machine verdict with waitForBeep: give up on the beep after this. */
        beepTimeoutMs: int(30000, 1000),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    tones: Type.Object(
      {
        /** Tone frames below this mean |sample| are ignored (≈ −42 dBm0, spandsp's floor). */
        minLevel: num(40),
        /** Share of a frame's energy a single tone must hold. */
        minPurity: num(0.7, 0, 1),
        /** Share of a frame's energy the two bins of a dual tone must hold together. */
        minDualShare: num(0.7, 0, 1),
        /** Largest level difference of a dual tone's two components (spandsp 6 dB). */
        maxTwistDb: num(6),
        /** Region tone frequency tolerance (single tones, measured by zero crossings). */
        freqTolerancePct: num(2.5),
        /** Cadence tolerance (Asterisk 10 %). */
        cadenceTolerancePct: num(10),
        /** Extra tolerance for the 20 ms frame grid on every measured duration. */
        frameSlackMs: num(20),
        /** Busy/reorder/ringback: a completed on- or off-run at most this long (and shorter than any segment of that polarity in the track's cadences) is a hole in the segment before it, which takes it in when it resumes: a loud syllable of babble over a tone, a blip of babble at the tone's frequency in a gap. 0: off (before round twelve). */
        cadenceMaxHoleMs: num(100),
        /** Busy/reorder/ringback on a quiet line: a frame under minLevel still counts when its mean |sample| reaches this (≈ −72 dBFS) and its energy is cadenceMinOverFloorDb over the line's noise floor (noiseFloorWindowMs): a tone's level is judged against the line, not a fixed level (a busy 30 dB down). 0 (either): minLevel only. */
        cadenceQuietMinLevel: num(8),
        cadenceMinOverFloorDb: num(20),
        /** Busy/reorder: cadence segments (on, off, on …) that must match before the verdict. */
        confirmSegments: int(3, 2),
        /**
         * Busy/reorder/ringback and SIT on a noisy line: a tone's share of a frame is judged against the frame's
         * energy less the line's noise floor (the quietest 60 ms of the last this-many ms: a cadence's off segments,
         * the quiet before a SIT), since noise that fills the band dilutes a tone's share without touching the tone.
         * 0 = the whole frame's energy.
         */
        noiseFloorWindowMs: num(1500),
        /** At most this share of a frame's energy is taken for noise (a share grows at most 1 / (1 − this) times). */
        maxNoiseShare: num(0.33, 0, 0.9),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    sit: Type.Object(
      {
        /** Bell SIT frequency tolerance: ±0.2 % generation + 0.1 % measurement. */
        bellFreqTolerancePct: num(0.3),
        /** Bell segment durations 274/380 ms ± this. */
        bellDurationTolerancePct: num(5),
        /** ITU form: 950/1400/1800 Hz ± this (900 Hz allowed for Germany via lowest). */
        ituFreqToleranceHz: num(50),
        ituLowestFirstHz: num(900),
        ituMinMs: num(260),
        ituMaxMs: num(400),
        /** Largest silent gap between segments (ITU 30 ms). */
        maxGapMs: num(30),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    fax: Type.Object(
      {
        cedHz: num(2100),
        cedToleranceHz: num(15),
        /** CED declared after this much tone (Asterisk waits 2600 ms; nothing else is a steady 2100 Hz). */
        cedMinMs: num(500),
        cngHz: num(1100),
        cngToleranceHz: num(38),
        /** CNG burst 0.5 s ± 15 %. */
        cngMinMs: num(425),
        cngMaxMs: num(575),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    beep: Type.Object(
      {
        minHz: num(440),
        maxHz: num(2000),
        minMs: num(150),
        maxMs: num(1500),
        /** Frame-to-frame frequency wander allowed within one beep. */
        stabilityPct: num(2),
        /** Median frame-to-frame level change inside a beep (dB); open (100) by default: measured, it does not separate beeps from vowels (README). */
        maxLevelJitterDb: num(100),
        /** Frequency spread (max − min, % of mean) inside a beep; open (100) by default, as maxLevelJitterDb. */
        maxFreqSpreadPct: num(100),
        /** Median share of a beep's energy at its frequency's half and harmonics: a generated tone has none, a held vowel its voice's. */
        maxHarmonicShare: num(0.03, 0),
        /** Median level of a beep's first half less its second half (dB): a struck, plucked or bell-like note in music fades through the note, a beep holds its level. 100: open. */
        maxLevelDropDb: num(2, 0),
        /** A beep's slow frequency swing, % of its frequency (tones.ts BeepResult.vibratoPct: the RMS deviation of its frame frequencies less what frame-to-frame estimate noise explains): a held note with vibrato swings around its pitch at 4–7 Hz (±1 %, a small vibrato: ≈ 0.55 % at 5.5 Hz), a generated beep holds one frequency. 100: open, the default: on train/dev a real beep in pink or brown noise at 5–10 dB swings as much (up to 0.47 %: that noise moves the estimate slowly), so 0.3 (all 256 real beeps of detect-beeps kept, music dev +1 run) lost a real beep in brown 20 dB (README, round twenty-one). */
        maxVibratoPct: num(100, 0),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    announcements: Type.Object(
      {
        /** Folder of reference recordings: <dir>/<carrier>/<class>[-name].wav|.ulaw|.alaw; empty: none. */
        dir: Type.String({ default: '' }),
        /** Correlation needed to call a match. */
        minConfidence: num(0.75, 0, 1),
        /** Live audio compared per attempt. */
        windowMs: int(2000, 400),
        /** Attempts, 400 ms apart, once the window has filled after voice onset. */
        maxAttempts: int(6, 1),
        /** The best reference must beat the best of another class by this much; else wait for more audio (carriers' announcements share openings). */
        minMargin: num(0.05, 0, 1),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
  },
  {
    additionalProperties: false,
    default: {},
  },
);

export type ToneSpec = Static<typeof toneSchema>;
export type ToneRegionConfig = Static<typeof regionSchema>;
export type MediaConfig = Static<typeof mediaSchema>;
