// Generated from configSchema (lib/config/schema.ts) by lib/config/validators/generate.ts (npm run build). Do not edit.
import type { ErrorObject } from 'ajv';

/** Validates in place (fills defaults); on false, `errors` holds ajv's first error. */
declare const validate: { (data: unknown): boolean; errors?: ErrorObject[] | null; schemaHash: string };
export default validate;
