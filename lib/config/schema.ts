import { Type } from '@sinclair/typebox';
import { StringEnum } from './typebox';
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
export const configSchema = Type.Object(
  {
    api: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        /** Largest accepted upload (CSV/XLSX imports), bytes. */
        bodyLimitBytes: Type.Integer({ minimum: 1024, default: 1048576 }),
        uploadLimitBytes: Type.Integer({ minimum: 1024, default: 1073741824 }),
        keys: Type.Array(
          Type.Object(
            {
              key: Type.Optional(Type.String({ minLength: 16 })),
              /** Hex SHA-256 of the key, as `dialer keys hash <key>` prints it. */
              keyHash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
              role: StringEnum(['admin', 'supervisor', 'agent']),
              agentId: Type.Optional(Type.String({ minLength: 1 })),
              name: Type.Optional(Type.String()),
            },
            {
              additionalProperties: false,
              // A key in clear (development) or its SHA-256 (production: the file then holds no secret).
              anyOf: [{ required: ['key'] }, { required: ['keyHash'] }],
            },
          ),
          {
            default: [],
          },
        ),
        /** Lifetime of a browser session (cookie) made by signing in with a key. */
        sessionTtlSec: Type.Integer({ minimum: 60, default: 43200 }),
        /** Mark the session cookie `Secure` (set when the API is served over HTTPS, e.g. behind a proxy). */
        secureCookie: Type.Boolean({ default: false }),
        /** Failed authentications per client address per minute before answering 429. */
        authFailuresPerMinute: Type.Integer({ minimum: 1, default: 30 }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    redis: Type.Object(
      {
        /** Empty: start an own redis-server on loopback (the embedded default). */
        url: Type.String({ default: '' }),
        /** Where the embedded redis-server keeps its append-only file. */
        dataDir: Type.String({ default: 'data/redis' }),
        /** Port of the embedded redis-server; 0 picks a free loopback port. */
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
        binary: Type.String({ default: 'redis-server' }),
        keyPrefix: Type.String({ default: 'dialer:' }),
        ...redisTopologyProperties,
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    log: Type.Object(
      {
        level: StringEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
        /** Replace phone numbers in log lines with a masked form. */
        redactPhoneNumbers: Type.Boolean({ default: false }),
        pretty: Type.Boolean({ default: false }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    phone: Type.Object(
      {
        /** ISO 3166 region used to normalise national numbers (seed lists are Japanese). */
        defaultRegion: Type.String({ pattern: '^[A-Z]{2}$', default: 'JP' }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    import: Type.Object(
      {
        /** Longest accepted field in an imported row, characters. */
        maxFieldLength: Type.Integer({ minimum: 1, default: 1000 }),
        /** Most extra (attribute) columns kept per contact. */
        maxAttributes: Type.Integer({ minimum: 0, default: 50 }),
        /** Rows written to Redis per pipeline batch. */
        batchSize: Type.Integer({ minimum: 1, default: 2000 }),
        /** Imports running at once; more wait in a queue (the API answers 503 + Retry-After when it is full). */
        maxConcurrent: Type.Integer({ minimum: 1, default: 2 }),
        /** Imports waiting for a turn, beyond which the API refuses new ones. */
        maxQueued: Type.Integer({ minimum: 0, default: 4 }),
        /** Limits enforced while an XLSX workbook is read (bounded memory; zip bombs refused). */
        xlsx: Type.Object(
          {
            /** Longest cell or shared string, characters (Excel's own limit is 32,767). */
            maxCellChars: Type.Integer({ minimum: 1, default: 32767 }),
            /** All shared strings of a workbook together, characters (they are held while the sheet is read). */
            maxSharedStringsChars: Type.Integer({ minimum: 1, default: 67108864 }),
            /** Columns read per row; a cell further right refuses the file. */
            maxColumns: Type.Integer({ minimum: 1, default: 1024 }),
            /** Rows of the worksheet, header included (Excel's own limit is 1,048,576). */
            maxRows: Type.Integer({ minimum: 1, default: 1048576 }),
            /** Bytes the workbook's parts may expand to, all together. */
            maxUnzippedBytes: Type.Integer({ minimum: 1048576, default: 4294967296 }),
            /** Bytes one part may expand to per compressed byte (spreadsheets: 5–30; zip bombs: ~1000). */
            maxExpansionRatio: Type.Integer({ minimum: 10, default: 200 }),
          },
          {
            additionalProperties: false,
            default: {},
          },
        ),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    media: mediaSchema,
    telephony: telephonySchema,
    dialer: dialerSchema,
    monitor: monitorSchema,
    messaging: messagingSchema,
    scale: scaleSchema,
  },
  {
    additionalProperties: false,
    default: {},
  },
);
