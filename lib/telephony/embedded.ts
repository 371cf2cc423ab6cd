/** Builds the embedded driver from the loaded configuration, with lib/media's analyser wired in. */
import type { Logger } from 'pino';
import type { Config } from '../config';
import { EmbeddedDriver } from './drivers/embedded/driver';
import { mediaAnalyzerFactory } from './analysis';

export function createEmbeddedDriver(config: Pick<Config, 'telephony' | 'media'>, logger?: Logger): EmbeddedDriver {
  return new EmbeddedDriver({
    embedded: config.telephony.embedded,
    trunks: config.telephony.trunks,
    logger,
    analyzerFactory: mediaAnalyzerFactory(config.media),
  });
}
