/**
 * Return-call reports (issue 18): return calls per campaign and per day, and
 * the share of a campaign's non-answered numbers that called back (definitions
 * in lib/reports/return-calls.ts), as JSON or CSV like the other reports. Days
 * are calendar days in the campaign's time zone (its hours) unless `timeZone`
 * is given.
 */
import type { FastifyPluginAsync } from 'fastify';
import { IANAZone } from 'luxon';
import { ApiError, errorResponses, notFound } from '../errors';
import { SUPERVISOR } from '../auth';
import {
  RETURN_DAY_COLUMNS,
  RETURN_SUMMARY_COLUMNS,
  readReturnCallData,
  returnCallReport,
  type ReturnDayRow,
  type ReturnSummary,
} from '../../reports';
import { csvQuery, rangeOf, rangeQuery, sendCsv, type RangeQ } from './reports';

type ReturnQ = RangeQ & { timeZone?: string; table?: 'days' | 'campaigns' };

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...rangeQuery,
    ...csvQuery,
    timeZone: { type: 'string', maxLength: 64, description: "IANA zone of the days (default: each campaign's hours zone)" },
    table: {
      type: 'string',
      enum: ['days', 'campaigns'],
      default: 'days',
      description: 'CSV only: one line per campaign and day, or per campaign',
    },
  },
} as const;

const dayRow = {
  type: 'object',
  properties: {
    campaignId: { type: 'string' },
    day: { type: 'string', description: 'YYYY-MM-DD' },
    returnCalls: { type: 'integer' },
    callers: { type: 'integer' },
    retriesClosed: { type: 'integer' },
  },
} as const;
const summary = {
  type: 'object',
  properties: {
    campaignId: { type: 'string' },
    timeZone: { type: 'string' },
    returnCalls: { type: 'integer', description: 'inbound calls matched to a contact of the campaign' },
    callers: { type: 'integer', description: 'distinct contacts among them' },
    retriesClosed: { type: 'integer', description: 'pending retries the return calls closed' },
    nonAnswered: { type: 'integer', description: 'contacts dialled in the range that no attempt reached live' },
    calledBack: { type: 'integer', description: 'of those, the contacts that called back after their first attempt' },
    calledBackShare: { type: ['number', 'null'] },
  },
} as const;

export const returnCallReportRoutes: FastifyPluginAsync = async (app) => {
  async function build(ids: string[], q: ReturnQ) {
    const range = rangeOf(q);
    if (q.timeZone !== undefined && !IANAZone.isValidZone(q.timeZone))
      throw new ApiError('VALIDATION_FAILED', `querystring.timeZone "${q.timeZone}" is not an IANA time zone`);
    const campaigns: ReturnSummary[] = [];
    const days: ReturnDayRow[] = [];
    for (const id of ids) {
      const c = await app.store.campaigns.get(id);
      const zone = q.timeZone ?? c?.hours.timeZone ?? 'UTC';
      const { attempts, inbound } = await readReturnCallData(app.redis, id);
      if (!c && attempts.length === 0 && inbound.length === 0) throw notFound('campaign', id);
      const r = returnCallReport(id, attempts, inbound, { range, timeZone: zone });
      campaigns.push(r.summary);
      days.push(...r.days);
    }
    return { campaigns, days };
  }

  async function answer(ids: string[], q: ReturnQ, reply: Parameters<typeof sendCsv>[0], name: string) {
    const r = await build(ids, q);
    if (q.format !== 'csv') return r;
    return q.table === 'campaigns'
      ? sendCsv(reply, `${name}-campaigns`, r.campaigns, RETURN_SUMMARY_COLUMNS, q.encoding)
      : sendCsv(reply, `${name}-days`, r.days, RETURN_DAY_COLUMNS, q.encoding);
  }

  const response = {
    200: { type: 'object', properties: { campaigns: { type: 'array', items: summary }, days: { type: 'array', items: dayRow } } },
    ...errorResponses,
  };

  app.get<{ Querystring: ReturnQ & { campaign?: string } }>(
    '/reports/return-calls',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['reports'],
        summary: "Return calls per campaign and per day, and the share of each campaign's non-answered numbers that called back",
        querystring: {
          ...querystring,
          properties: {
            ...querystring.properties,
            campaign: { type: 'string', description: 'comma-separated campaign ids (default: all)' },
          },
        },
        response,
      },
    },
    async (req, reply) => {
      const ids = req.query.campaign
        ? [
            ...new Set(
              req.query.campaign
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            ),
          ]
        : (await app.store.campaigns.list()).map((c) => c.id).sort();
      return answer(ids, req.query, reply, 'return-calls');
    },
  );

  app.get<{ Params: { id: string }; Querystring: ReturnQ }>(
    '/reports/campaigns/:id/return-calls',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['reports'],
        summary: "One campaign's return calls per day and the share of its non-answered numbers that called back",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
        querystring,
        response,
      },
    },
    async (req, reply) => answer([req.params.id], req.query, reply, `return-calls-${req.params.id}`),
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default returnCallReportRoutes;
