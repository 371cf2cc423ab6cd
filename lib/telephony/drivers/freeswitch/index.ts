/**
 * The freeswitch driver, assembled: drachtio-srf for signalling, drachtio-fsmrf
 * media servers, modesl for the pre-flight check, named-pipe audio taps and
 * lib/media's analyser for stream mode. Select it with `telephony.driver:
 * "freeswitch"`; `start()` refuses a misconfiguration naming the key.
 */
import type { Logger } from 'pino';
import type { Config } from '../../../config';
import { createCallAnalyzer } from '../../../media/analyzer';
import { DrachtioMrf, DrachtioSrf, modeslConnect } from './adapters';
import type { AnalyzerFactory } from './analysis';
import { FreeswitchDriver, type FreeswitchDriverDeps } from './driver';
import { systemClock } from './ports';
import { openFifoTap } from './tap';
import { ForkPortRange, openRtpFork } from './fork';

export { FreeswitchDriver, DEFAULT_BEEP } from './driver';
export type { FreeswitchDriverDeps } from './driver';
export type { AnalyzerFactory, TapStats } from './analysis';
export { checkFreeswitchConfig } from './config';

export function createFreeswitchDriver(opts: {
  config: Readonly<Config>;
  logger: Logger;
  createAnalyzer?: AnalyzerFactory;
  onTapStats?: FreeswitchDriverDeps['onTapStats'];
}): FreeswitchDriver {
  const { config } = opts;
  const srf = new DrachtioSrf();
  const { forkPortMin, forkPortMax } = config.telephony.freeswitch;
  // One range for the process: every fork takes its port from it (checkForkPorts refuses a bad one at start).
  const forkPorts = forkPortMin > 0 && forkPortMax >= forkPortMin ? new ForkPortRange(forkPortMin, forkPortMax) : undefined;
  const createAnalyzer: AnalyzerFactory =
    opts.createAnalyzer ??
    ((o) =>
      createCallAnalyzer({
        config: config.media,
        phase: o.phase,
        ...(o.region ? { region: o.region } : {}),
        ...(o.waitForBeep ? { waitForBeep: true } : {}),
        ...(o.overrides ? { overrides: o.overrides } : {}),
      }));
  return new FreeswitchDriver({
    config: {
      freeswitch: config.telephony.freeswitch,
      trunks: config.telephony.trunks,
      defaultRegion: config.phone.defaultRegion,
      defaultToneRegion: config.media.defaultRegion,
    },
    srf,
    mrf: new DrachtioMrf(srf),
    esl: modeslConnect,
    openTap: openFifoTap,
    openFork: (address) => openRtpFork(address, forkPorts),
    clock: systemClock,
    logger: opts.logger.child({ driver: 'freeswitch' }),
    createAnalyzer,
    ...(opts.onTapStats ? { onTapStats: opts.onTapStats } : {}),
  });
}
