/**
 * Reports over the attempt history (campaign, result codes, agents, AMD
 * accuracy) as JSON or CSV. Computed on request from the campaign's history
 * stream and dispositions, so they always agree with the history.
 */
import { Type, type Static, type TInteger } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import type { FastifyReply } from 'fastify';
import { MapOf, NoContent, OrNull, ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { SUPERVISOR } from '../auth';
import { withAgentDecidedCode } from '../../reports/not-sure';
import {
  AGENT_COLUMNS,
  AMD_PREDICTIONS,
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

// ---- the report bodies, described field by field (lib/reports: campaign.ts, amd.ts, agents.ts) ----
// Every field a report function always returns is required: its TypeScript type has it, so `tsc` proves
// the handler supplies it and fast-json-stringify cannot meet it missing (which would be a 500). Counts
// are integers; times in seconds, rates and shares are numbers (an integer type would round them).
const count = (description?: string) => Type.Integer({ minimum: 0, ...(description ? { description } : {}) });
const counts = (description: string) => MapOf(count(), { description });
const reportRange = Type.Object(
  {
    from: Type.Optional(Type.Integer({ description: 'epoch ms, inclusive' })),
    to: Type.Optional(Type.Integer({ description: 'epoch ms, exclusive' })),
  },
  { description: 'the time range the report covers (empty: everything)' },
);
const abandonRate = Type.Object({
  abandoned: count('code-14 attempts (system abandon)'),
  live: count('attempts a person answered live (codes 1, 9, 14, 20)'),
  rate: Type.Number({ description: 'abandoned ÷ live, 0 when nothing was answered' }),
});
/** Columns of the AMD matrix: what the call really was. */
const truthRow = Type.Object(Object.fromEntries(AMD_TRUTHS.map((t) => [t, count()])) as Record<(typeof AMD_TRUTHS)[number], TInteger>);
const amdAccuracy = Type.Object({
  judged: count('calls with both a verdict and a known truth'),
  matrix: Type.Object(
    Object.fromEntries(AMD_PREDICTIONS.map((p) => [p, truthRow])) as Record<(typeof AMD_PREDICTIONS)[number], typeof truthRow>,
    { description: 'rows: the analysis verdict; columns: the truth (review label, else disposition)' },
  ),
  accuracy: OrNull(Type.Number({ description: 'correct verdicts ÷ judged (notsure counts as wrong); null when none judged' })),
  machineAsHumanRate: OrNull(Type.Number({ description: 'machines taken for people ÷ real machines' })),
  humanAsMachineRate: OrNull(Type.Number({ description: 'people taken for machines ÷ real people' })),
});
const amdProps = {
  overall: amdAccuracy,
  byTrunk: MapOf(amdAccuracy, { description: 'per trunk (attempts without one: `default`)' }),
};
const campaignReportSchema = Type.Object({
  campaignId: Type.String(),
  range: reportRange,
  attempts: count(),
  contacts: count('distinct contacts attempted'),
  dialed: count('attempts actually placed (excludes do-not-call, no number, pre-dial errors)'),
  skipped: count('never dialled: do-not-call (10), no number (31), pre-dial system error (19)'),
  liveAnswers: count('a person answered live (codes 1, 9, 14, 20)'),
  connects: count('bridged to an agent or bot (code 20)'),
  byCode: counts('attempts per result code'),
  dispositions: counts('attempts per agent disposition'),
  abandon: Type.Object(
    { range: abandonRate, last24h: abandonRate, last30d: abandonRate },
    { description: 'abandon rate over the range and the regulatory windows (24 h, 30 days before now)' },
  ),
  avgTalkSec: OrNull(Type.Number()),
  avgWrapUpSec: OrNull(Type.Number()),
  contactsPerHour: OrNull(Type.Number({ description: 'dialed attempts per hour over the range (null under a minute)' })),
  firstAt: OrNull(Type.Integer({ description: 'epoch ms' })),
  lastAt: OrNull(Type.Integer({ description: 'epoch ms' })),
  amd: Type.Object(amdProps, { description: 'AMD accuracy of the attempts in the range (as /reports/campaigns/{id}/amd)' }),
});
/** `format=csv` answers text/csv instead (same status). */
const orCsv = 'JSON; with `format=csv`, the same rows as text/csv';
const codesReportSchema = Type.Object(
  {
    campaignId: Type.String(),
    codes: Type.Array(
      Type.Object({
        code: Type.Integer(),
        name: Type.String(),
        attempts: count(),
        share: Type.Number({ description: 'share of all attempts in the range, 0..1' }),
        final: count('attempts with this code that ended the contact (no retry)'),
        contacts: count(),
      }),
      { description: 'one row per result code seen in the range, ascending by code' },
    ),
  },
  { description: orCsv },
);
const amdReportSchema = Type.Object({ campaignId: Type.String(), ...amdProps });
const agentsReportSchema = Type.Object(
  {
    agents: Type.Array(
      Type.Object({
        agentId: Type.String(),
        calls: count(),
        talkSec: Type.Number(),
        avgTalkSec: OrNull(Type.Number()),
        wrapUpSec: Type.Number(),
        avgWrapUpSec: OrNull(Type.Number()),
        stateSec: MapOf(Type.Number(), { description: 'seconds in each state within the range (ready, break, away, talking, wrap_up…)' }),
        dispositions: counts('calls per disposition'),
      }),
    ),
  },
  { description: orCsv },
);
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
        response: { 200: campaignReportSchema, ...errorResponses },
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
        response: { 200: codesReportSchema, ...errorResponses },
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
        response: { 200: amdReportSchema, ...errorResponses },
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
        response: { 200: agentsReportSchema, ...errorResponses },
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
