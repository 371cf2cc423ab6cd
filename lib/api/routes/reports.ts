/**
 * Reports over the attempt history (campaign, result codes, agents, AMD
 * accuracy) as JSON or CSV. Computed on request from the campaign's history
 * stream and dispositions, so they always agree with the history.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import type { FastifyReply } from 'fastify';
import { NoContent, ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { SUPERVISOR } from '../auth';
import { withAgentDecidedCode } from '../../reports/not-sure';
import {
  AGENT_COLUMNS,
  AMD_TRUTHS,
  ATTEMPT_COLUMNS,
  CODE_COLUMNS,
  CSV_ENCODINGS,
  agentReport,
  amdReport,
  campaignReport,
  contentType,
  readAgentTransitions,
  readAmdLabels,
  readAttempts,
  readDispositions,
  recordingLink,
  resultCodeReport,
  saveAmdLabel,
  toCsv,
  type AttemptRecord,
  type Column,
  type CsvEncoding,
  type DispositionLike,
  type TimeRange,
} from '../../reports';

const tags = ['reports'];
export const rangeQuery = {
  from: Type.Optional(Type.String({ description: 'from this time (inclusive); ISO 8601 or epoch ms' })),
  to: Type.Optional(Type.String({ description: 'until this time (exclusive); ISO 8601 or epoch ms' })),
};
export const csvQuery = {
  format: StringEnum(['json', 'csv'], { default: 'json' }),
  encoding: StringEnum([...CSV_ENCODINGS], { default: 'utf-8', description: 'CSV only: utf-8 (with BOM, for Excel) or shift_jis' }),
};
const idParams = ReqObject({ id: Type.String({ minLength: 1, maxLength: 64 }) });
/** The report objects (lib/reports) are passed through as they are: not described field by field here. */
const anyObject = Type.Object({}, { additionalProperties: true });
const rangeOnly = ReqObject(rangeQuery, { additionalProperties: false });
const rangeCsv = ReqObject({ ...rangeQuery, ...csvQuery }, { additionalProperties: false });

/** A report's time range as the query string gives it (each route's schema checks the rest). */
export type RangeQ = Static<typeof rangeOnly>;

function parseTime(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms))
    throw new ApiError('VALIDATION_FAILED', `querystring.${name} "${v}" is neither an ISO 8601 date-time nor epoch milliseconds`);
  return ms;
}

export function rangeOf(q: RangeQ): TimeRange {
  const r = { from: parseTime('from', q.from), to: parseTime('to', q.to) };
  if (r.from !== undefined && r.to !== undefined && r.from >= r.to)
    throw new ApiError('VALIDATION_FAILED', 'querystring.from must be before querystring.to');
  return r;
}

export function sendCsv<T>(
  reply: FastifyReply,
  name: string,
  rows: readonly T[],
  cols: readonly Column<T>[],
  encoding: CsvEncoding = 'utf-8',
) {
  return reply
    .header('content-type', contentType(encoding))
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(toCsv(rows, cols, encoding));
}

export const reportRoutes: RoutePlugin = async (app) => {
  async function load(id: string): Promise<{ records: AttemptRecord[]; dispositions: Map<string, DispositionLike> }> {
    const [campaign, records, dispositions] = await Promise.all([
      app.store.campaigns.get(id),
      readAttempts(app.redis, id),
      readDispositions(app.redis, id),
    ]);
    if (!campaign && records.length === 0) throw notFound('campaign', id);
    // An agent who decided a not-sure call (notSure "agent-decides") sets its code by the disposition.
    return { records: records.map((r) => withAgentDecidedCode(r, dispositions.get(r.attemptId))), dispositions };
  }

  /** The campaign's attempts and dispositions, its AMD review labels, and the attempts inside the query's range. */
  async function loadWithAmd(id: string, q: RangeQ) {
    const range = rangeOf(q);
    const [{ records, dispositions }, labels] = await Promise.all([load(id), readAmdLabels(app.redis, id)]);
    const inRange = records.filter((r) => (range.from === undefined || r.at >= range.from) && (range.to === undefined || r.at < range.to));
    return { range, records, dispositions, labels, inRange };
  }

  app.get(
    '/reports/campaigns/:id',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary:
          'Campaign report: attempts, connects, result codes, abandon rate (24 h / 30 days), talk and wrap-up, contacts per hour, AMD accuracy',
        params: idParams,
        querystring: rangeOnly,
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => {
      const { range, records, dispositions, labels, inRange } = await loadWithAmd(req.params.id, req.query);
      return {
        ...campaignReport(req.params.id, records, dispositions, { now: Date.now(), range }),
        amd: amdReport(inRange, dispositions, labels),
      };
    },
  );

  app.get(
    '/reports/campaigns/:id/codes',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Result-code report: attempts, share, final results and contacts per code (JSON or CSV)',
        params: idParams,
        querystring: rangeCsv,
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req, reply) => {
      const rows = resultCodeReport((await load(req.params.id)).records, rangeOf(req.query));
      if (req.query.format === 'csv') return sendCsv(reply, `codes-${req.params.id}`, rows, CODE_COLUMNS, req.query.encoding);
      return { campaignId: req.params.id, codes: rows };
    },
  );

  app.get(
    '/reports/campaigns/:id/attempts.csv',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Every attempt as CSV (UTF-8 with BOM or Shift_JIS), including never-dialled do-not-call (10) and no-number (31) records',
        params: idParams,
        querystring: ReqObject({ ...rangeQuery, encoding: csvQuery.encoding }, { additionalProperties: false }),
        response: { 200: Type.String({ description: 'text/csv' }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const range = rangeOf(req.query);
      const { records, dispositions } = await load(req.params.id);
      const now = Date.now();
      const { retentionDays } = app.config.dialer.agents.recording;
      // A recorded call links its WAV (lib/api/routes/recordings.ts) from the attempt history's recording entry.
      const rows = records
        .filter((r) => (range.from === undefined || r.at >= range.from) && (range.to === undefined || r.at < range.to))
        .map((record) => ({
          record,
          disposition: dispositions.get(record.attemptId),
          recording: recordingLink(record.recording, now, retentionDays),
        }));
      return sendCsv(reply, `attempts-${req.params.id}`, rows, ATTEMPT_COLUMNS, req.query.encoding);
    },
  );

  app.get(
    '/reports/campaigns/:id/amd',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'AMD accuracy: confusion matrix of analysis verdicts against dispositions and review labels, overall and per trunk',
        params: idParams,
        querystring: rangeOnly,
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => {
      const { dispositions, labels, inRange } = await loadWithAmd(req.params.id, req.query);
      return { campaignId: req.params.id, ...amdReport(inRange, dispositions, labels) };
    },
  );

  app.put(
    '/reports/campaigns/:id/amd-labels/:attemptId',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Record who really answered an attempt (after listening to its recording); overrides the disposition in AMD accuracy',
        params: ReqObject({ id: Type.String({ minLength: 1, maxLength: 64 }), attemptId: Type.String({ minLength: 1, maxLength: 128 }) }),
        body: ReqObject(
          { truth: StringEnum([...AMD_TRUTHS]) },
          {
            additionalProperties: false,
          },
        ),
        response: { 204: NoContent(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { records } = await load(req.params.id);
      if (!records.some((r) => r.attemptId === req.params.attemptId))
        throw notFound(`attempt of campaign ${req.params.id}`, req.params.attemptId);
      await saveAmdLabel(app.redis, req.params.id, req.params.attemptId, req.body.truth);
      return reply.status(204).send();
    },
  );

  app.get(
    '/reports/agents',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Agent report: calls, talk, wrap-up, time in ready/break/away, dispositions (JSON or CSV)',
        querystring: ReqObject(
          {
            ...rangeQuery,
            ...csvQuery,
            campaign: Type.Optional(Type.String({ description: 'comma-separated campaign ids (default: all)' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req, reply) => {
      const range = rangeOf(req.query);
      const ids = req.query.campaign
        ? req.query.campaign
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : (await app.store.campaigns.list()).map((c) => c.id);
      const records: AttemptRecord[] = [];
      const dispositions = new Map<string, DispositionLike>();
      for (const id of ids) {
        records.push(...(await readAttempts(app.redis, id)));
        for (const [k, v] of await readDispositions(app.redis, id)) dispositions.set(k, v);
      }
      const rows = agentReport(records, dispositions, await readAgentTransitions(app.redis, range), { now: Date.now(), range });
      if (req.query.format === 'csv') return sendCsv(reply, 'agents', rows, AGENT_COLUMNS, req.query.encoding);
      return { agents: rows };
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default reportRoutes;
