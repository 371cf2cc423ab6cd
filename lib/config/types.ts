import type { MediaConfig } from './sections/media';
import type { TelephonyConfig } from './sections/telephony';
import type { DialerConfig } from './sections/dialer';
import type { MonitorConfig } from './sections/monitor';
import type { MessagingConfig } from './sections/messaging';
import type { ScaleConfig, RedisTopologyConfig } from './sections/scale';

export type Role = 'admin' | 'supervisor' | 'agent';

export interface ApiKeyConfig {
  /** The key in clear, or */
  key?: string;
  /** its hex SHA-256. One of the two is present. */
  keyHash?: string;
  role: Role;
  agentId?: string;
  name?: string;
}

/** The validated, frozen configuration. Mirrors `configSchema`. */
export interface Config {
  api: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    uploadLimitBytes: number;
    keys: ApiKeyConfig[];
    sessionTtlSec: number;
    secureCookie: boolean;
    authFailuresPerMinute: number;
  };
  redis: { url: string; dataDir: string; port: number; binary: string; keyPrefix: string } & RedisTopologyConfig;
  log: { level: string; redactPhoneNumbers: boolean; pretty: boolean };
  phone: { defaultRegion: string };
  import: {
    maxFieldLength: number;
    maxAttributes: number;
    batchSize: number;
    maxConcurrent: number;
    maxQueued: number;
    xlsx: {
      maxCellChars: number;
      maxSharedStringsChars: number;
      maxColumns: number;
      maxRows: number;
      maxUnzippedBytes: number;
      maxExpansionRatio: number;
    };
  };
  media: MediaConfig;
  telephony: TelephonyConfig;
  dialer: DialerConfig;
  monitor: MonitorConfig;
  messaging: MessagingConfig;
  scale: ScaleConfig;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };
