/** An embedded driver configured for tests: loopback, a free SIP port, one trunk per far end. */
import { validateConfig } from '../../config';
import type { TrunkConfig } from '../../config/sections/embedded';
import { EmbeddedDriver } from '../drivers/embedded/driver';
import { mediaAnalyzerFactory } from '../analysis';

export interface TestDriverOptions {
  trunks: Array<Partial<TrunkConfig> & { name: string; address: string }>;
  embedded?: Record<string, unknown>;
  media?: Record<string, unknown>;
}

export async function startTestDriver(o: TestDriverOptions): Promise<EmbeddedDriver> {
  const cfg = validateConfig({
    log: { level: 'silent' },
    media: o.media ?? {},
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 }, ...o.embedded },
      trunks: o.trunks.map((t) => ({ callsPerSecond: 1000, maxChannels: 1000, ...t })),
    },
  });
  const driver = new EmbeddedDriver({
    embedded: cfg.telephony.embedded,
    trunks: cfg.telephony.trunks,
    analyzerFactory: mediaAnalyzerFactory(cfg.media),
  });
  await driver.start();
  return driver;
}
