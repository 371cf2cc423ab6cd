/** Builds the embedded driver from the loaded configuration, with lib/media's analyser wired in. */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import pino from 'pino';
import type { Config } from '../config';
import { RedisDialogJournal } from '../store/dialog-journal';
import { EmbeddedDriver } from './drivers/embedded/driver';
import { mediaAnalyzerFactory } from './analysis';

/**
 * The driver; with `redis`, its dialogs are journalled there (telephony.embedded.dialogJournal)
 * under this process's runner owner id, so a crash leaves no call up.
 */
export function createEmbeddedDriver(
  config: Pick<Config, 'telephony' | 'media'> & { dialer?: Pick<Config['dialer'], 'runner'> },
  logger?: Logger,
  redis?: Redis,
): EmbeddedDriver {
  const j = config.telephony.embedded.dialogJournal;
  const journal =
    redis && j.enabled
      ? new RedisDialogJournal(redis, {
          owner: config.dialer?.runner.ownerId || `${hostname()}-${process.pid}`,
          leaseMs: j.leaseMs,
          sweepMs: j.sweepMs,
          log: logger ?? pino({ level: 'silent' }),
        })
      : undefined;
  return new EmbeddedDriver({
    embedded: config.telephony.embedded,
    trunks: config.telephony.trunks,
    logger,
    analyzerFactory: mediaAnalyzerFactory(config.media),
    journal,
    journalAckWaitMs: j.ackWaitMs,
  });
}
