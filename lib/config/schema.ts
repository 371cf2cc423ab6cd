import { mediaSchema } from './sections/media';
import { telephonySchema } from './sections/telephony';
import { dialerSchema } from './sections/dialer';
import { monitorSchema } from './sections/monitor';
import { messagingSchema } from './sections/messaging';
import { scaleSchema, redisTopologyProperties } from './sections/scale';

/**
 * The one configuration schema. Defaults live here; `loadConfig` fills them,
 * applies a file and environment overrides, validates once and freezes.
 * Each section is a JSON Schema object so that ajv gives defaults and errors.
 */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    api: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
        /** Largest accepted upload (CSV/XLSX imports), bytes. */
        bodyLimitBytes: { type: 'integer', minimum: 1024, default: 1048576 },
        uploadLimitBytes: { type: 'integer', minimum: 1024, default: 1073741824 },
        keys: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['role'],
            // A key in clear (development) or its SHA-256 (production: the file then holds no secret).
            anyOf: [{ required: ['key'] }, { required: ['keyHash'] }],
            properties: {
              key: { type: 'string', minLength: 16 },
              /** Hex SHA-256 of the key, as `dialer keys hash <key>` prints it. */
              keyHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
              role: { type: 'string', enum: ['admin', 'supervisor', 'agent'] },
              agentId: { type: 'string', minLength: 1 },
              name: { type: 'string' },
            },
          },
        },
        /** Lifetime of a browser session (cookie) made by signing in with a key. */
        sessionTtlSec: { type: 'integer', minimum: 60, default: 43200 },
        /** Mark the session cookie `Secure` (set when the API is served over HTTPS, e.g. behind a proxy). */
        secureCookie: { type: 'boolean', default: false },
        /** Failed authentications per client address per minute before answering 429. */
        authFailuresPerMinute: { type: 'integer', minimum: 1, default: 30 },
      },
    },
    redis: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Empty: start an own redis-server on loopback (the embedded default). */
        url: { type: 'string', default: '' },
        /** Where the embedded redis-server keeps its append-only file. */
        dataDir: { type: 'string', default: 'data/redis' },
        /** Port of the embedded redis-server; 0 picks a free loopback port. */
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
        binary: { type: 'string', default: 'redis-server' },
        keyPrefix: { type: 'string', default: 'dialer:' },
        ...redisTopologyProperties,
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
        /** Replace phone numbers in log lines with a masked form. */
        redactPhoneNumbers: { type: 'boolean', default: false },
        pretty: { type: 'boolean', default: false },
      },
    },
    phone: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** ISO 3166 region used to normalise national numbers (seed lists are Japanese). */
        defaultRegion: { type: 'string', pattern: '^[A-Z]{2}$', default: 'JP' },
      },
    },
    import: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Longest accepted field in an imported row, characters. */
        maxFieldLength: { type: 'integer', minimum: 1, default: 1000 },
        /** Most extra (attribute) columns kept per contact. */
        maxAttributes: { type: 'integer', minimum: 0, default: 50 },
        /** Rows written to Redis per pipeline batch. */
        batchSize: { type: 'integer', minimum: 1, default: 2000 },
        /** Imports running at once; more wait in a queue (the API answers 503 + Retry-After when it is full). */
        maxConcurrent: { type: 'integer', minimum: 1, default: 2 },
        /** Imports waiting for a turn, beyond which the API refuses new ones. */
        maxQueued: { type: 'integer', minimum: 0, default: 4 },
        /** Limits enforced while an XLSX workbook is read (bounded memory; zip bombs refused). */
        xlsx: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            /** Longest cell or shared string, characters (Excel's own limit is 32,767). */
            maxCellChars: { type: 'integer', minimum: 1, default: 32767 },
            /** All shared strings of a workbook together, characters (they are held while the sheet is read). */
            maxSharedStringsChars: { type: 'integer', minimum: 1, default: 67108864 },
            /** Columns read per row; a cell further right refuses the file. */
            maxColumns: { type: 'integer', minimum: 1, default: 1024 },
            /** Rows of the worksheet, header included (Excel's own limit is 1,048,576). */
            maxRows: { type: 'integer', minimum: 1, default: 1048576 },
            /** Bytes the workbook's parts may expand to, all together. */
            maxUnzippedBytes: { type: 'integer', minimum: 1048576, default: 4294967296 },
            /** Bytes one part may expand to per compressed byte (spreadsheets: 5–30; zip bombs: ~1000). */
            maxExpansionRatio: { type: 'integer', minimum: 10, default: 200 },
          },
        },
      },
    },
    media: mediaSchema,
    telephony: telephonySchema,
    dialer: dialerSchema,
    monitor: monitorSchema,
    messaging: messagingSchema,
    scale: scaleSchema,
  },
} as const;
