/** Connects a driver's per-call analysis request to lib/media's call analyser. */
import { createCallAnalyzer } from '../media/analyzer';
import { DEFAULT_REGIONS, type MediaConfig } from '../config/sections/media';
import type { AnalyzerFactory } from './drivers/embedded/driver';

export function mediaAnalyzerFactory(media?: MediaConfig | Partial<MediaConfig>): AnalyzerFactory {
  const plans = media?.regions ?? DEFAULT_REGIONS;
  // A region with no tone plan (a number from a country nobody configured) falls back to media.defaultRegion.
  return (req) =>
    createCallAnalyzer({
      config: media,
      overrides: req.overrides,
      region: req.region && plans[req.region] ? req.region : undefined,
      waitForBeep: req.waitForBeep,
    });
}
