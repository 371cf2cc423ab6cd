import { mediaSchema, type MediaConfig } from '../config/sections/media';
import { ConfigError } from '../config/load';
// mediaSchema compiled ahead of time (lib/config/validators/generate.ts), as the whole configuration's is.
import generated from '../config/validators/media-schema';
import { validatorFor } from '../config/validators';

export type { MediaConfig } from '../config/sections/media';

type Overrides = { [k: string]: unknown };

const validate = validatorFor('media-schema', mediaSchema, generated);

/**
 * A full media config: schema defaults, then `base` (e.g. the loaded
 * `config.media`), then per-call `overrides` (deep-merged). Throws ConfigError
 * naming the key (`media.amd.greetingMs`) when a value is out of range.
 */
export function mediaConfig(base?: Partial<MediaConfig> | Overrides, overrides?: Overrides): MediaConfig {
  const raw: Overrides = structuredClone((base ?? {}) as Overrides);
  if (overrides) merge(raw, overrides);
  if (!validate(raw)) {
    const e = validate.errors![0]!;
    const key = ['media', ...e.instancePath.split('/').filter(Boolean)].join('.');
    throw new ConfigError(`config key ${key} ${e.message ?? 'is invalid'}`, key);
  }
  return raw as unknown as MediaConfig;
}

function merge(into: Overrides, from: Overrides): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur))
      merge(cur as Overrides, v as Overrides);
    else into[k] = structuredClone(v);
  }
}
