/**
 * The campaigns the simulator runs: real campaign settings (the defaults a new
 * campaign gets) in one pacing mode, open around the clock, so the simulator
 * drives the runner's own `campaignTick` (window, mode mapping, caps) rather
 * than a pacing mode of its own making.
 */
import { campaignDefaults, RATIO_TABLE_PRESET } from '../../lib/domain/campaign';
import type { TickCampaign } from '../../lib/dialer/steps/campaign-tick';

const ALL_DAY = [{ from: '00:00', to: '24:00' }];

export type SimMode = 'progressive' | 'ratioTable' | 'predictive' | { power: number };

export function simCampaign(mode: SimMode, overrides: Partial<TickCampaign> = {}): TickCampaign {
  const d = campaignDefaults();
  const base: TickCampaign = {
    mode: 'progressive',
    hours: { timeZone: 'UTC', days: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY } },
    period: null,
    ratio: d.ratio,
    ratioTable: [],
    abandonTargetPct: d.abandonTargetPct,
    abandonThresholdSec: d.abandonThresholdSec,
    // Caps come from the simulation's options (its trunk), not the campaign's defaults.
    maxConcurrentCalls: 0,
    callsPerSecond: 0,
  };
  const byMode: Partial<TickCampaign> =
    mode === 'ratioTable'
      ? { mode: 'power', ratioTable: RATIO_TABLE_PRESET.map((r) => ({ ...r })) }
      : typeof mode === 'object'
        ? { mode: 'power', ratio: mode.power }
        : { mode };
  return { ...base, ...byMode, ...overrides };
}
