import { readFileSync } from 'node:fs';
import type { Config } from './types';
import { configSchema } from './schema';
// configSchema compiled ahead of time (lib/config/validators/generate.ts): compiling it at start was slow.
import generated from './validators/config-schema';
import { validatorFor } from './validators';
import { toneRegionForCountry } from '../media/region';
import { resolveNotSure } from './sections/runner';

/** Thrown when configuration is invalid; the message names the key. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

const ENV_PREFIX = 'DIALER_';

export interface LoadOptions {
  /** Environment to read overrides from (defaults to process.env; this is the only place that reads it). */
  env?: Record<string, string | undefined>;
  /** Explicit config file; otherwise DIALER_CONFIG names one, if any. */
  file?: string;
  /** Programmatic overrides applied last (tests). */
  overrides?: Record<string, unknown>;
}

/**
 * Builds the configuration: schema defaults ← JSON file ← environment ← overrides.
 * Environment keys are `DIALER_<SECTION>__<KEY>` (double underscore nests), e.g.
 * `DIALER_API__PORT=9000`, `DIALER_REDIS__URL=redis://10.0.0.5:6379`. Values are
 * parsed as JSON when they parse, else taken as strings. Only names with the
 * `__` are configuration: other `DIALER_*` variables (DIALER_CONFIG, test
 * switches such as DIALER_LIVE_KEEP, a deployment's own) are not read, so they
 * never stop the start. A config-shaped name with an unknown key does stop it,
 * and the message names the variable: a typo is not silently ignored.
 */
export function loadConfig(opts: LoadOptions = {}): Readonly<Config> {
  const env = opts.env ?? process.env;
  let raw: Record<string, unknown> = {};
  const file = opts.file ?? env.DIALER_CONFIG;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`config file ${file} cannot be read: ${(err as Error).message}`, 'DIALER_CONFIG');
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`, 'DIALER_CONFIG');
    }
  }
  /** config key (dotted) → the variable that set it, to name it in errors. */
  const fromEnv = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || !name.includes('__') || value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').map(camel);
    setPath(raw, path, parseEnvValue(value));
    fromEnv.set(path.join('.'), name);
  }
  if (opts.overrides) deepMerge(raw, opts.overrides);
  try {
    return validateConfig(raw);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The variable set this key, a key inside it (a whole section as JSON), or a key under an unknown section.
    const set = [...fromEnv].find(([key]) => err.key === key || err.key.startsWith(`${key}.`) || key.startsWith(`${err.key}.`));
    if (!set) throw err;
    throw new ConfigError(`${err.message} (set by environment variable ${set[1]})`, err.key);
  }
}

const validate = validatorFor('config-schema', configSchema, generated);

let warnedNotSure = false;

/** Validates a raw object against the schema, filling defaults. */
export function validateConfig(raw: Record<string, unknown>): Readonly<Config> {
  const copy = structuredClone(raw);
  if (!validate(copy)) {
    const e = validate.errors![0]!;
    let key = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (e.keyword === 'additionalProperties') {
      key = [key, (e.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
      throw new ConfigError(`config key ${key} is not known`, key);
    }
    if (e.keyword === 'required') {
      key = [key, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
      throw new ConfigError(`config key ${key} is required`, key);
    }
    throw new ConfigError(`config key ${key || '(root)'} ${e.message ?? 'is invalid'}`, key);
  }
  resolveToneRegion(copy as unknown as Config);
  const ns = resolveNotSure((copy as unknown as Config).dialer.runner);
  if (ns.error) throw new ConfigError(ns.error, 'dialer.runner.notSureIsHuman');
  // Node's own channel for deprecations (stderr by default, silenced by --no-deprecation), once per process.
  if (ns.warning && !warnedNotSure) {
    warnedNotSure = true;
    process.emitWarning(ns.warning, { type: 'DeprecationWarning', code: 'DIALER_NOT_SURE_IS_HUMAN' });
  }
  return deepFreeze(copy as unknown as Config);
}

/** media.defaultRegion '' follows phone.defaultRegion (one region for numbers and tones); a named plan must exist. */
function resolveToneRegion(c: Config): void {
  const media = c.media as { defaultRegion: string; regions: Record<string, unknown> };
  if (!media.defaultRegion) {
    const derived = toneRegionForCountry(c.phone.defaultRegion);
    media.defaultRegion = media.regions[derived] ? derived : 'NA';
  } else if (!media.regions[media.defaultRegion]) {
    throw new ConfigError(
      `config key media.defaultRegion names tone plan "${media.defaultRegion}", which media.regions does not define (${Object.keys(media.regions).join(', ')})`,
      'media.defaultRegion',
    );
  }
}

function camel(s: string): string {
  return s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseEnvValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

function deepMerge(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof into[k] === 'object' && into[k] !== null && !Array.isArray(into[k])) {
      deepMerge(into[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      into[k] = v;
    }
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
