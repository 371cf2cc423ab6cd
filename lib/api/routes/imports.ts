/**
 * Imports of CSV/XLSX files into a list. The upload is streamed straight into
 * the parser (raw body, or one file of a multipart form) and written to Redis
 * batch by batch; the answer comes when the file is done, while
 * GET …/imports/:jobId shows the progress of a running job (pass `jobId` to
 * know it in advance). The row-level report downloads as CSV or JSON.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, StringEnum } from '../../config/typebox';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { ReqObject, type RoutePlugin } from '../typebox';
import multipart from '@fastify/multipart';
import Ajv from 'ajv';
import { stringify } from 'csv-stringify';
import { ENCODINGS } from '../../import/decode';
import { getJob, iterateJobErrors, listJobs, type ImportJob } from '../../import/jobs';
import { FORMATS, runImport, type ImportFormat } from '../../import/run';
import { ImportGate, ImportsBusy } from '../../import/gate';
import { DELIMITERS } from '../../import/rows';
import { XLSX_MIME } from '../../import/templates';
import { SUPERVISOR } from '../auth';
import { ApiError, ErrorRef, errorResponses, notFound } from '../errors';
import { lazyValidator } from '../validation';
import { ID_PATTERN, listParams, requireList } from './lists';

const RAW_TYPES = [
  'text/csv',
  'text/plain',
  'application/csv',
  'text/tab-separated-values',
  'application/vnd.ms-excel',
  XLSX_MIME,
  'application/octet-stream',
];

const str = Type.Optional(Type.String());
const int = Type.Optional(Type.Integer());
const bool = Type.Optional(Type.Boolean());
const jobSchema = Type.Object({
  id: str,
  listId: str,
  state: Type.Optional(StringEnum(['running', 'completed', 'failed', 'rolled-back', 'interrupted'])),
  format: str,
  encoding: Type.Optional(Type.String({ description: 'detected or given: utf-8, utf-8-bom, shift_jis, utf-16le/be, xlsx' })),
  head: bool,
  allOrNothing: bool,
  rowsRead: int,
  accepted: int,
  rejected: int,
  errorsStored: int,
  startedAt: str,
  finishedAt: Type.Optional(Nullable(Type.String())),
  error: Type.Optional(Nullable(Type.String())),
});

const rowErrorSchema = Type.Object({
  row: Type.Optional(Type.Integer({ description: 'spreadsheet row (header = 1)' })),
  column: str,
  value: str,
  reason: str,
});

const importQuery = ReqObject(
  {
    format: Type.Optional(StringEnum([...FORMATS], { description: 'default: detected from the bytes' })),
    encoding: StringEnum([...ENCODINGS], {
      default: 'auto',
      description: 'CSV text encoding; auto = BOM, else UTF-8 if valid, else Shift_JIS (CP932) if valid, else refused',
    }),
    delimiter: Type.Optional(StringEnum([...DELIMITERS], { description: 'default: detected from the header line' })),
    header: Type.Boolean({ default: true, description: 'false: no header row, columns in template order' }),
    head: Type.Boolean({ default: false, description: 'put the imported contacts first in the dial order' }),
    allOrNothing: Type.Boolean({ default: false, description: 'import nothing if any row is refused' }),
    jobId: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'choose the job id (to watch progress while uploading)' })),
    mapping: Type.Optional(
      Type.String({ description: 'JSON object: column header → field (id, phone, name, key1, key2, timeZone, attribute)' }),
    ),
  },
  {
    additionalProperties: false,
  },
);

// The import route's body is a byte stream, which Fastify's JSON-Schema body
// validation cannot check; this compiler validates params and query as usual
// and leaves the body to the importer. Same options as the app's ajv.
// Compiled on the route's first request, as the app's own validators are (lib/api/validation.ts).
let ajv: Ajv | undefined;
const streamBodyCompiler = ({ schema, httpPart }: { schema: object; httpPart?: string }) => {
  if (httpPart === 'body') return () => true;
  return lazyValidator(() =>
    (ajv ??= new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false })).compile(schema),
  );
};

function parseMapping(s: string | undefined): Record<string, string> | undefined {
  if (s === undefined) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(s);
  } catch (e) {
    throw new ApiError('VALIDATION_FAILED', `querystring.mapping is not valid JSON: ${(e as Error).message}`);
  }
  if (!m || typeof m !== 'object' || Array.isArray(m) || Object.values(m).some((v) => typeof v !== 'string')) {
    throw new ApiError('VALIDATION_FAILED', 'querystring.mapping must be a JSON object of column header → field name');
  }
  return m as Record<string, string>;
}

/** The uploaded bytes: a multipart form's first file, or the raw body. */
async function uploadStream(req: FastifyRequest): Promise<{ stream: AsyncIterable<Buffer>; format?: ImportFormat }> {
  if (req.isMultipart()) {
    const file = await req.file();
    if (!file) throw new ApiError('INVALID_FILE', 'the multipart form has no file field');
    const ext = /\.(csv|txt|tsv|xlsx)$/i.exec(file.filename)?.[1]?.toLowerCase();
    return { stream: file.file, format: ext === 'xlsx' ? 'xlsx' : ext ? 'csv' : undefined };
  }
  const body = req.body as Readable | undefined;
  if (!body || typeof (body as Readable).pipe !== 'function')
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `send the file as the body (${RAW_TYPES.join(', ')}) or as multipart/form-data`);
  return { stream: body, format: req.headers['content-type']?.startsWith(XLSX_MIME) ? 'xlsx' : undefined };
}

const importsRoutes: RoutePlugin = async (app) => {
  const { redis, config } = app;
  // Scoped to this plugin: the raw body is handed over as a stream, unread.
  app.addContentTypeParser(RAW_TYPES, (_req, payload, done) => done(null, payload));
  await app.register(multipart, { limits: { fileSize: config.api.uploadLimitBytes, files: 1 } });
  const gate = new ImportGate(config.import.maxConcurrent, config.import.maxQueued);

  app.post(
    '/lists/:listId/imports',
    {
      config: { roles: SUPERVISOR },
      bodyLimit: config.api.uploadLimitBytes,
      validatorCompiler: streamBodyCompiler,
      schema: {
        tags: ['imports'],
        summary: 'Import a CSV or XLSX file into the list (streamed)',
        description:
          'Body: the file itself (Content-Type text/csv or the XLSX type) or multipart/form-data with one file. Answers when the whole file is read: 200 with the job and its first row errors; 400 INVALID_FILE for a file-level problem (encoding, malformed CSV, header) — rows before the problem are kept unless allOrNothing; 422 UNPROCESSABLE when allOrNothing and some rows were refused (nothing imported); 413 PAYLOAD_TOO_LARGE past api.uploadLimitBytes or an import.xlsx limit (the message names it); 503 BUSY with Retry-After when import.maxConcurrent imports run and import.maxQueued wait. The full report: GET …/imports/{jobId}/errors.',
        consumes: [...RAW_TYPES, 'multipart/form-data'],
        params: listParams,
        querystring: importQuery,
        // Bytes in the document; the handler reads the raw stream or the multipart file (uploadStream).
        body: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }),
        response: {
          200: Type.Object({
            job: Type.Optional(jobSchema),
            errors: Type.Optional(Type.Array(rowErrorSchema, { description: 'the first row errors' })),
          }),
          413: ErrorRef,
          415: ErrorRef,
          422: ErrorRef,
          503: ErrorRef,
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const list = await requireList(app.store, req.params.listId);
      const mapping = parseMapping(req.query.mapping);
      if (req.query.jobId && (await getJob(redis, list.id, req.query.jobId)))
        throw new ApiError('DUPLICATE', `import job ${req.query.jobId} already exists`);
      let release: () => void;
      try {
        release = await gate.enter();
      } catch (err) {
        if (!(err instanceof ImportsBusy)) throw err;
        void reply.header('retry-after', String(err.retryAfterSeconds)).header('connection', 'close');
        throw new ApiError('BUSY', err.message, { retryAfterSeconds: err.retryAfterSeconds, running: err.running, queued: err.queued });
      }
      try {
        return await importOne(req, req.query, list, mapping);
      } finally {
        release();
      }
    },
  );

  /** One import, its turn taken: streams the upload into the list and answers with the job. */
  async function importOne(
    req: FastifyRequest,
    q: Static<typeof importQuery>,
    list: Awaited<ReturnType<typeof requireList>>,
    mapping: Record<string, string> | undefined,
  ) {
    const { stream, format } = await uploadStream(req);
    const outcome = await runImport({
      redis,
      listId: list.id,
      profile: list.profile,
      source: stream,
      format: q.format ?? format,
      encoding: q.encoding,
      delimiter: q.delimiter,
      header: q.header,
      mapping,
      head: q.head,
      allOrNothing: q.allOrNothing,
      jobId: q.jobId,
      region: config.phone.defaultRegion,
      limits: { ...config.import, uploadLimitBytes: config.api.uploadLimitBytes },
      // Small bodies are parsed in this thread, big or unknown-size ones in a worker thread.
      sizeHint: Number(req.headers['content-length']) || undefined,
    });
    const { job, fileError, firstErrors } = outcome;
    if (fileError) {
      // Read and drop what the client still sends, so it gets the answer rather than a reset.
      if (typeof (stream as Readable).resume === 'function') (stream as Readable).resume();
      throw new ApiError(fileError.code, fileError.message, { job, errors: firstErrors });
    }
    if (job.state === 'rolled-back')
      throw new ApiError('UNPROCESSABLE', job.error ?? 'rows were refused; nothing was imported', { job, errors: firstErrors });
    return { job, errors: firstErrors };
  }

  const jobParams = ReqObject({ listId: Type.String({ pattern: ID_PATTERN }), jobId: Type.String({ pattern: ID_PATTERN }) });

  const requireJob = async (listId: string, jobId: string): Promise<ImportJob> => {
    const j = await getJob(redis, listId, jobId);
    if (!j) throw notFound(`import job ${jobId} of list`, listId);
    return j;
  };

  app.get(
    '/lists/:listId/imports',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['imports'],
        summary: "The list's import jobs, newest first",
        params: listParams,
        response: { 200: Type.Object({ imports: Type.Optional(Type.Array(jobSchema)) }), ...errorResponses },
      },
    },
    async (req) => {
      await requireList(app.store, req.params.listId);
      return { imports: await listJobs(redis, req.params.listId) };
    },
  );

  app.get(
    '/lists/:listId/imports/:jobId',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['imports'],
        summary: 'One import job: state and counters (live while it runs)',
        params: jobParams,
        response: { 200: jobSchema, ...errorResponses },
      },
    },
    async (req) => requireJob(req.params.listId, req.params.jobId),
  );

  app.get(
    '/lists/:listId/imports/:jobId/errors',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['imports'],
        summary: 'Download the row-level error report (row, column, value, reason)',
        params: jobParams,
        querystring: ReqObject(
          { format: StringEnum(['csv', 'json'], { default: 'json' }) },
          {
            additionalProperties: false,
          },
        ),
        response: {
          // An array in the document; the handler streams it (JSON or CSV), which the serializer passes through.
          200: Type.Unsafe<Readable>(Type.Array(rowErrorSchema, { description: 'JSON array of row errors, or CSV with a header row' })),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { listId, jobId } = req.params;
      await requireJob(listId, jobId);
      const rows = iterateJobErrors(redis, listId, jobId);
      void reply.header('content-disposition', `attachment; filename="import-${jobId}-errors.${req.query.format}"`);
      if (req.query.format === 'csv') {
        const csv = stringify({ header: true, columns: ['row', 'column', 'value', 'reason'], bom: true });
        Readable.from(rows).pipe(csv);
        return reply.type('text/csv; charset=utf-8').send(csv);
      }
      async function* json(): AsyncGenerator<string> {
        yield '[';
        let first = true;
        for await (const e of rows) {
          yield (first ? '' : ',') + JSON.stringify(e);
          first = false;
        }
        yield ']';
      }
      return reply.type('application/json; charset=utf-8').send(Readable.from(json()));
    },
  );
};

export default importsRoutes;
