/**
 * Return-call reports (issue 18): return calls per campaign and per day, and
 * the share of a campaign's non-answered numbers that called back (definitions
 * in lib/reports/return-calls.ts), as JSON or CSV like the other reports. Days
 * are calendar days in the campaign's time zone (its hours) unless `timeZone`
 * is given.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, StringEnum } from '../../config/typebox';
import { ReqObject, type RoutePlugin } from '../typebox';
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
import { csvQuery, rangeOf, rangeQuery, sendCsv } from './reports';

const returnQuery = {
  ...rangeQuery,
  ...csvQuery,
  timeZone: Type.Optional(Type.String({ maxLength: 64, description: "IANA zone of the days (default: each campaign's hours zone)" })),
  table: StringEnum(['days', 'campaigns'], { default: 'days', description: 'CSV only: one line per campaign and day, or per campaign' }),
};
const querystring = ReqObject(returnQuery, { additionalProperties: false });
type ReturnQ = Static<typeof querystring>;

const int = (description?: string) => Type.Optional(Type.Integer(description ? { description } : {}));
const dayRow = Type.Object({
  campaignId: Type.Optional(Type.String()),
  day: Type.Optional(Type.String({ description: 'YYYY-MM-DD' })),
  returnCalls: int(),
  callers: int(),
  retriesClosed: int(),
});
const summary = Type.Object({
  campaignId: Type.Optional(Type.String()),
  timeZone: Type.Optional(Type.String()),
  returnCalls: int('inbound calls matched to a contact of the campaign'),
  callers: int('distinct contacts among them'),
  retriesClosed: int('pending retries the return calls closed'),
  nonAnswered: int('contacts dialled in the range that no attempt reached live'),
  calledBack: int('of those, the contacts that called back after their first attempt'),
  calledBackShare: Type.Optional(Nullable(Type.Number())),
});

export const returnCallReportRoutes: RoutePlugin = async (app) => {
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
    200: Type.Object({ campaigns: Type.Optional(Type.Array(summary)), days: Type.Optional(Type.Array(dayRow)) }),
    ...errorResponses,
  };

  app.get(
    '/reports/return-calls',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['reports'],
        summary: "Return calls per campaign and per day, and the share of each campaign's non-answered numbers that called back",
        querystring: ReqObject(
          { ...returnQuery, campaign: Type.Optional(Type.String({ description: 'comma-separated campaign ids (default: all)' })) },
          { additionalProperties: false },
        ),
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

  app.get(
    '/reports/campaigns/:id/return-calls',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags: ['reports'],
        summary: "One campaign's return calls per day and the share of its non-answered numbers that called back",
        params: ReqObject({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring,
        response,
      },
    },
    async (req, reply) => answer([req.params.id], req.query, reply, `return-calls-${req.params.id}`),
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default returnCallReportRoutes;
