/** `dialer.pacing` settings: estimate windows and predictive-mode defaults (see lib/pacing/estimator and predictive). */
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_ESTIMATOR_CONFIG } from './estimator';
import { PREDICTIVE_DEFAULTS } from './predictive';

const ms = (def: number, minimum: number) => Type.Integer({ minimum, default: def });

export const pacingSchema = Type.Object(
  {
    estimator: Type.Object(
      {
        bucketMs: ms(DEFAULT_ESTIMATOR_CONFIG.bucketMs, 1000),
        rateWindowMs: ms(DEFAULT_ESTIMATOR_CONFIG.rateWindowMs, 60_000),
        handleWindowMs: ms(DEFAULT_ESTIMATOR_CONFIG.handleWindowMs, 60_000),
        abandonWindowMs: ms(DEFAULT_ESTIMATOR_CONFIG.abandonWindowMs, 60_000),
        agentWindowMs: ms(DEFAULT_ESTIMATOR_CONFIG.agentWindowMs, 60_000),
        breakWindowMs: ms(DEFAULT_ESTIMATOR_CONFIG.breakWindowMs, 60_000),
        ringBinMs: ms(DEFAULT_ESTIMATOR_CONFIG.ringBinMs, 100),
        ringBins: Type.Integer({ minimum: 10, maximum: 1000, default: DEFAULT_ESTIMATOR_CONFIG.ringBins }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    predictive: Type.Object(
      {
        safetyMargin: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: PREDICTIVE_DEFAULTS.safetyMargin }),
        budgetHorizonMs: ms(PREDICTIVE_DEFAULTS.budgetHorizonMs, 1000),
        maxLinesPerAgent: Type.Number({ minimum: 1, default: PREDICTIVE_DEFAULTS.maxLinesPerAgent }),
        // The round-thirteen controller (README, pacing): thresholdPriorAnswers 0 and shiftGuardChance 0 give back
        // round twelve's budget τ ÷ calibration alone.
        thresholdPriorAnswers: Type.Number({ minimum: 0, default: PREDICTIVE_DEFAULTS.thresholdPriorAnswers }),
        thresholdRecent: Type.Boolean({ default: PREDICTIVE_DEFAULTS.thresholdRecent }),
        shiftGuardRate: Type.Number({ minimum: 0, maximum: 1, default: PREDICTIVE_DEFAULTS.shiftGuardRate }),
        shiftGuardChance: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: PREDICTIVE_DEFAULTS.shiftGuardChance }),
        // Round nineteen (README, pacing): agents on a break counted by a break law learnt from the desk's breaks.
        breakLaw: Type.Boolean({ default: PREDICTIVE_DEFAULTS.breakLaw }),
        breakLeavers: Type.Boolean({ default: PREDICTIVE_DEFAULTS.breakLeavers }),
        breakPriorMs: ms(PREDICTIVE_DEFAULTS.breakPriorMs, 1000),
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

export type PacingConfig = Static<typeof pacingSchema>;
