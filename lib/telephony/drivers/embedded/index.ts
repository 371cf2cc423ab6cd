export { EmbeddedDriver, type EmbeddedDriverOptions, type AnalyzerFactory } from './driver';
export type { RtpStats } from './rtp/session';
