/**
 * The error catalogue. Every error the API answers with is one of these:
 * JSON `{ statusCode, code, error, message, details? }` with a stable `code`.
 */
import { Type } from '@sinclair/typebox';

export const errorCatalogue = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_FILE: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
  IN_USE: 409,
  DUPLICATE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  /** Too many failed authentications from one address (api.authFailuresPerMinute). */
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  STORE_UNAVAILABLE: 503,
  /** Too much work of this kind already (imports): retry after the Retry-After header's seconds. */
  BUSY: 503,
  /** The telephony side could not do it (phone unreachable, driver without transfer). */
  TELEPHONY_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error with a catalogue code; the API's error handler turns it into JSON. */
export class ApiError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = errorCatalogue[code];
  }
}

export const notFound = (what: string, id: string) => new ApiError('NOT_FOUND', `${what} ${id} does not exist`);

/** JSON Schema of every error body, referenced by route schemas as `Error#`. */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: {
      type: 'string',
      enum: Object.keys(errorCatalogue),
      description: `stable machine-readable code from the error catalogue: ${Object.entries(errorCatalogue)
        .map(([c, s]) => `${c} (${s})`)
        .join(', ')}`,
    },
    error: { type: 'string', description: 'HTTP reason phrase' },
    message: { type: 'string', description: 'what is wrong, for a person' },
    details: {},
  },
};

/** An error body (the `Error#` schema) as a handler's type sees it. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string;
  details?: unknown;
}

/**
 * `{ $ref: 'Error#' }`, typed: a route's reply type is the union over its response codes, and one
 * untyped code would make it `unknown` (lib/api/typebox.ts), so the error codes are typed too.
 */
export const ErrorRef = Type.Unsafe<ErrorBody>({ $ref: 'Error#' });

/** Standard error responses to spread into a route's `response` schema. */
export const errorResponses = { 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 409: ErrorRef };
