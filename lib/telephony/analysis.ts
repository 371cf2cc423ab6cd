/** Connects a driver's per-call analysis request to lib/media's call analyser. */
import { createCallAnalyzer } from '../media/analyzer';
import type { MediaConfig } from '../config/sections/media';
import type { AnalyzerFactory } from './drivers/embedded/driver';

export function mediaAnalyzerFactory(media?: MediaConfig | Partial<MediaConfig>): AnalyzerFactory {
  return (req) => createCallAnalyzer({ config: media, overrides: req.overrides, region: req.region, waitForBeep: req.waitForBeep });
}
