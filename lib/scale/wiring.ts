import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import { SharedLimits } from './shared-limits';

/** The shared limits of this process (`scale.sharedLimits`), or none. */
export function sharedLimitsFor(config: Readonly<Config>, redis: Redis): SharedLimits | undefined {
  if (!config.scale.sharedLimits) return undefined;
  const t = config.telephony.trunks[0];
  return new SharedLimits(redis, {
    owner: config.dialer.runner.ownerId || `${hostname()}-${process.pid}`,
    trunk: t ? { name: t.name, channels: t.maxChannels, callsPerSecond: t.callsPerSecond } : undefined,
    leaseMs: config.dialer.runner.attemptLeaseMs,
    guardMs: config.scale.cpsGuardMs,
  });
}
