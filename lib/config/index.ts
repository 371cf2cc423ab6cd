export { loadConfig, validateConfig, ConfigError } from './load';
export type { Config, Role, ApiKeyConfig } from './types';
