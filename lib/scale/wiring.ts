import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { TelephonyDriver } from '../telephony/contract';
import { SharedLimits } from './shared-limits';
import { WorkSpread } from './spread';

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

/** This process's place in the spread of campaigns over dialer processes (`scale.spread`), or none. */
export function workSpreadFor(config: Readonly<Config>, redis: Redis, driver: TelephonyDriver): WorkSpread | undefined {
  if (!config.scale.spread) return undefined;
  const capacity = config.scale.capacity || config.telephony.embedded.maxLegs;
  return new WorkSpread(redis, {
    owner: config.dialer.runner.ownerId || `${hostname()}-${process.pid}`,
    memberTtlMs: config.scale.memberTtlMs,
    beatMs: config.scale.beatMs,
    advertise: () => {
      const h = driver.health();
      return { capacity, activeLegs: h.activeLegs, healthy: h.ok };
    },
  });
}
