/**
 * `npm run bench -- pacing --mode-options '{"wrapLawByTalk":true}'`: the predictive mode's options (lib/pacing's
 * `PredictiveMode`, less `kind`) for an experiment, without a scratch copy of the code. Parsed strictly: the JSON must
 * be an object, every key one of the mode's options with a value of its type, and the whole checked by the mode's own
 * `predictiveParams` (its ranges), so a typo fails before a 10-minute run rather than running the defaults.
 */
import { PREDICTIVE_DEFAULTS, predictiveParams } from '../../lib/pacing/predictive';
import type { PredictiveMode } from '../../lib/pacing/types';

export type ModeOptions = Omit<PredictiveMode, 'kind'>;

const MIN_SAMPLES = Object.keys(PREDICTIVE_DEFAULTS.minSamples);

export function parseModeOptions(json: string | undefined): ModeOptions {
  if (json === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw new Error(`--mode-options: not JSON (${e instanceof Error ? e.message : String(e)}): ${json}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`--mode-options: must be a JSON object, got ${json}`);
  const known = Object.keys(PREDICTIVE_DEFAULTS);
  for (const [k, x] of Object.entries(v)) {
    if (!known.includes(k)) throw new Error(`--mode-options: unknown key "${k}" (the predictive mode's options: ${known.join(', ')})`);
    const d = (PREDICTIVE_DEFAULTS as Record<string, unknown>)[k];
    if (k === 'minSamples') {
      if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error('--mode-options: minSamples must be an object');
      for (const [m, n] of Object.entries(x))
        if (!MIN_SAMPLES.includes(m) || typeof n !== 'number')
          throw new Error(`--mode-options: minSamples.${m} is not one of ${MIN_SAMPLES.join(', ')} with a number`);
    } else if (typeof x !== typeof d) throw new Error(`--mode-options: ${k} must be a ${typeof d}, got ${JSON.stringify(x)}`);
  }
  const options = v as ModeOptions;
  try {
    predictiveParams({ kind: 'predictive', ...options });
  } catch (e) {
    throw new Error(`--mode-options: ${e instanceof Error ? e.message : String(e)}`);
  }
  return options;
}
