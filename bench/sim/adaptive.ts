/**
 * A VICIdial-style adaptive baseline, written from the rule quoted in
 * ../shared/reference/tones-and-amd.md ("Pacing and regulation"): every second
 * sample ready agents and waiting calls (15-sample moving average); every 15 s
 * dial_level = dial_level × (1 + (ready − waiting)/agents), clamped to
 * [1, 3.0]; halve it when more than half of the last minute's live answers
 * were dropped; when today's drops ÷ live answers exceed the target, AVERAGE
 * halves it, HARD_LIMIT resets it to 1.0, TAPERED tapers it toward 1.0 by the
 * shift's end. Every 2.5 s place round(level × agents) − calls in progress.
 * Pure: state in, state out.
 */
export interface AdaptiveConfig {
  sampleMs: number;
  samples: number;
  adjustMs: number;
  dialMs: number;
  maxLevel: number;
  targetDropRate: number;
  method: 'AVERAGE' | 'HARD_LIMIT' | 'TAPERED';
  shiftEndsAt: number;
}

export const ADAPTIVE_DEFAULTS: Omit<AdaptiveConfig, 'shiftEndsAt'> = {
  sampleMs: 1000,
  samples: 15,
  adjustMs: 15_000,
  dialMs: 2500,
  maxLevel: 3,
  targetDropRate: 0.03,
  method: 'AVERAGE',
};

export interface AdaptiveState {
  level: number;
  samples: { ready: number; waiting: number }[];
  lastSampleAt: number;
  lastAdjustAt: number;
  lastDialAt: number;
  startedAt: number;
}

export interface AdaptiveObservation {
  now: number;
  agents: number;
  ready: number;
  /** Live answers waiting for an agent. */
  waiting: number;
  /** Customer calls of the campaign: ringing, waiting and connected. */
  inProgress: number;
  minute: { live: number; drops: number };
  today: { live: number; drops: number };
}

export function adaptiveStart(now: number): AdaptiveState {
  return { level: 1, samples: [], lastSampleAt: -Infinity, lastAdjustAt: now, lastDialAt: -Infinity, startedAt: now };
}

export function adaptiveStep(s: AdaptiveState, o: AdaptiveObservation, cfg: AdaptiveConfig): { state: AdaptiveState; calls: number } {
  let { level, samples, lastSampleAt, lastAdjustAt, lastDialAt } = s;
  if (o.now - lastSampleAt >= cfg.sampleMs) {
    samples = [...samples, { ready: o.ready, waiting: o.waiting }].slice(-cfg.samples);
    lastSampleAt = o.now;
  }
  if (o.now - lastAdjustAt >= cfg.adjustMs && samples.length > 0 && o.agents > 0) {
    const ready = samples.reduce((a, x) => a + x.ready, 0) / samples.length;
    const waiting = samples.reduce((a, x) => a + x.waiting, 0) / samples.length;
    level = clamp(level * (1 + (ready - waiting) / o.agents), 1, cfg.maxLevel);
    if (o.minute.live > 0 && o.minute.drops / o.minute.live > 0.5) level = Math.max(1, level / 2);
    if (o.today.live > 0 && o.today.drops / o.today.live > cfg.targetDropRate) {
      if (cfg.method === 'HARD_LIMIT') level = 1;
      else if (cfg.method === 'AVERAGE') level = Math.max(1, level / 2);
      else {
        const left = clamp((cfg.shiftEndsAt - o.now) / Math.max(1, cfg.shiftEndsAt - s.startedAt), 0, 1);
        level = 1 + (level - 1) * left;
      }
    }
    lastAdjustAt = o.now;
  }
  let calls = 0;
  if (o.now - lastDialAt >= cfg.dialMs) {
    calls = Math.max(0, Math.round(level * o.agents) - o.inProgress);
    lastDialAt = o.now;
  }
  return { state: { level, samples, lastSampleAt, lastAdjustAt, lastDialAt, startedAt: s.startedAt }, calls };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
