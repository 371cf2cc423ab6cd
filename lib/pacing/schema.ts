/** `dialer.pacing` settings: estimate windows and predictive-mode defaults (see lib/pacing/estimator and predictive). */
import { DEFAULT_ESTIMATOR_CONFIG, type EstimatorConfig } from './estimator';
import { PREDICTIVE_DEFAULTS } from './predictive';

const ms = (def: number, minimum: number) => ({ type: 'integer', minimum, default: def }) as const;

export const pacingSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    estimator: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        bucketMs: ms(DEFAULT_ESTIMATOR_CONFIG.bucketMs, 1000),
        rateWindowMs: ms(DEFAULT_ESTIMATOR_CONFIG.rateWindowMs, 60_000),
        handleWindowMs: ms(DEFAULT_ESTIMATOR_CONFIG.handleWindowMs, 60_000),
        abandonWindowMs: ms(DEFAULT_ESTIMATOR_CONFIG.abandonWindowMs, 60_000),
        ringBinMs: ms(DEFAULT_ESTIMATOR_CONFIG.ringBinMs, 100),
        ringBins: { type: 'integer', minimum: 10, maximum: 1000, default: DEFAULT_ESTIMATOR_CONFIG.ringBins },
      },
    },
    predictive: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        safetyMargin: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: PREDICTIVE_DEFAULTS.safetyMargin },
        budgetHorizonMs: ms(PREDICTIVE_DEFAULTS.budgetHorizonMs, 1000),
        maxLinesPerAgent: { type: 'number', minimum: 1, default: PREDICTIVE_DEFAULTS.maxLinesPerAgent },
      },
    },
  },
} as const;

export interface PacingConfig {
  estimator: EstimatorConfig;
  predictive: { safetyMargin: number; budgetHorizonMs: number; maxLinesPerAgent: number };
}
