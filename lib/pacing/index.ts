/** Pacing: pure decisions the campaign runner and the pacing simulator both call. */
export * from './types';
export { decideTick } from './tick';
export { applyCaps, campaignLegs, mayStartCampaign } from './caps';
export { predictive, predictiveParams, PREDICTIVE_DEFAULTS, cdfAt } from './predictive';
export { abandonDeadline, decideAnswered, DEFAULT_ABANDON_THRESHOLD_MS, type AnsweredDecision, type AnsweredInput } from './abandon';
export {
  createEstimator,
  observe,
  observeAll,
  estimates,
  DEFAULT_ESTIMATOR_CONFIG,
  type EstimatorConfig,
  type EstimatorState,
  type Estimates,
  type PacingEvent,
  type DurationEstimate,
} from './estimator';
export { RATIO_TABLE_PRESET, ratioForIdleAgents, type RatioRow } from '../domain/ratio-table';
export { pacingSchema, type PacingConfig } from './schema';
