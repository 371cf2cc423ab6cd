/**
 * Call recordings: per-campaign on/off, listing, metadata and the WAV
 * download. An agent key sees only its own agent's recordings (403 for
 * another's); supervisors and admins see all. Files are two-channel WAV:
 * channel 1 the customer, channel 2 the agent. A recording past the
 * retention period is gone for every reader at once, before the sweep deletes
 * it (lib/domain/recording-retention.ts).
 */
import { Type } from '@sinclair/typebox';
import { Nullable, StringEnum } from '../../config/typebox';
import { createReadStream, type ReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { ReqObject, type RoutePlugin } from '../typebox';
import { ApiError, errorResponses, notFound } from '../errors';
import { ANY, SUPERVISOR } from '../auth';
import { RECORDING_FROM, type RecordingMeta } from '../plugins/app/agent-data';
import { pastRetention } from '../../domain/recording-retention';

const tags = ['recordings'];

export const recordingSchema = Type.Object({
  id: Type.Optional(Type.String()),
  campaignId: Type.Optional(Type.String()),
  attemptId: Type.Optional(Type.String()),
  agentId: Type.Optional(Type.String()),
  contactId: Type.Optional(Type.String()),
  listId: Type.Optional(Type.String()),
  status: Type.Optional(StringEnum(['recording', 'done', 'failed'])),
  startedAt: Type.Optional(Type.String({ format: 'date-time' })),
  durationMs: Type.Optional(Type.Integer()),
  bytes: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String({ description: 'why the recording failed (the call went on)' })),
  channels: Type.Optional(Type.Array(Type.String())),
  from: Type.Optional(StringEnum([...RECORDING_FROM], { description: 'recorded from the bridge or from the answer' })),
  audioUrl: Type.Optional(Type.String({ description: 'the WAV download' })),
});

export const recordingView = (r: RecordingMeta) => {
  const { path: _path, startedAt, ...rest } = r;
  return {
    ...rest,
    startedAt: new Date(startedAt).toISOString(),
    ...(r.status === 'done' ? { audioUrl: `/recordings/${encodeURIComponent(r.id)}/audio` } : {}),
  };
};

const idParams = ReqObject(
  { id: Type.String({ minLength: 3, maxLength: 300 }) },
  {
    additionalProperties: false,
  },
);
const campaignParams = ReqObject(
  { id: Type.String({ minLength: 1, maxLength: 128 }) },
  {
    additionalProperties: false,
  },
);

/** Agents read only their own recordings. */
function assertMayRead(req: FastifyRequest, r: RecordingMeta): void {
  const p = req.principal;
  if (p?.role === 'agent' && p.agentId !== r.agentId)
    throw new ApiError('FORBIDDEN', `an agent key may read only agent ${p.agentId ?? '(none)'}'s recordings`);
}

const settingsSchema = ReqObject({
  enabled: Type.Optional(Type.Boolean()),
  from: Type.Optional(
    StringEnum([...RECORDING_FROM], {
      description: 'bridge (default): from the moment an agent is connected; answer: from the customer answering',
    }),
  ),
  consentPrompt: Type.Optional(
    Type.String({
      description: 'WAV file (on the dialer host) played to the customer once a person is detected, before the agent is connected',
    }),
  ),
});

export const recordingRoutes: RoutePlugin = async (app) => {
  const d = app.agentData;
  const retention = () => app.config.dialer.agents.recording.retentionDays;
  const expired = (r: RecordingMeta) => pastRetention(r.startedAt, Date.now(), retention());
  /** One recording a reader may see: 404 when absent or past retention, 403 for another agent's. */
  const readable = async (req: FastifyRequest, id: string): Promise<RecordingMeta> => {
    const r = await d.getRecording(id);
    if (!r) throw notFound('recording', id);
    assertMayRead(req, r);
    if (expired(r)) {
      throw new ApiError('NOT_FOUND', `recording ${id} is past its retention period (${retention()} days) and is being deleted`);
    }
    return r;
  };
  app.get(
    '/campaigns/:id/recording',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary: 'Whether the campaign records its agent calls',
        params: campaignParams,
        response: { 200: settingsSchema, ...errorResponses },
      },
    },
    async (req) => {
      if (!(await d.getCampaign(req.params.id))) throw notFound('campaign', req.params.id);
      return d.getRecordingSettings(req.params.id);
    },
  );

  app.put(
    '/campaigns/:id/recording',
    {
      config: { roles: SUPERVISOR },
      schema: {
        tags,
        summary:
          'Turn call recording on or off for the campaign, from the bridge (default) or from the answer, with an optional consent announcement (null removes it)',
        params: campaignParams,
        body: ReqObject(
          {
            enabled: Type.Boolean(),
            from: Type.Optional(settingsSchema.properties.from),
            consentPrompt: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 1024 }))),
          },
          {
            additionalProperties: false,
          },
        ),
        response: { 200: settingsSchema, ...errorResponses },
      },
    },
    async (req) => {
      if (!(await d.getCampaign(req.params.id))) throw notFound('campaign', req.params.id);
      const before = await d.getRecordingSettings(req.params.id);
      const prompt = req.body.consentPrompt === undefined ? before.consentPrompt : (req.body.consentPrompt ?? undefined);
      if (prompt !== undefined && prompt !== before.consentPrompt) {
        // Played by the media path (FreeSWITCH reads it too): an absolute path that exists now.
        if (!isAbsolute(prompt)) throw new ApiError('VALIDATION_FAILED', `body.consentPrompt "${prompt}" must be an absolute path`);
        await access(prompt).catch(() => {
          throw new ApiError('VALIDATION_FAILED', `body.consentPrompt: file ${prompt} does not exist`);
        });
      }
      await d.setRecordingSettings(req.params.id, {
        enabled: req.body.enabled,
        from: req.body.from ?? before.from,
        ...(prompt ? { consentPrompt: prompt } : {}),
      });
      return d.getRecordingSettings(req.params.id);
    },
  );

  app.get(
    '/recordings',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'Recordings, newest first (an agent key: only its own)',
        querystring: ReqObject(
          {
            campaignId: Type.Optional(Type.String()),
            agentId: Type.Optional(Type.String()),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          {
            additionalProperties: false,
          },
        ),
        response: { 200: Type.Array(recordingSchema), ...errorResponses },
      },
    },
    async (req) => {
      const p = req.principal;
      if (p?.role === 'agent' && req.query.agentId && req.query.agentId !== p.agentId) {
        throw new ApiError('FORBIDDEN', `an agent key may read only agent ${p.agentId ?? '(none)'}'s recordings`);
      }
      const agentId = p?.role === 'agent' ? (p.agentId ?? '\u0000') : req.query.agentId;
      const list = await d.listRecordings({ campaignId: req.query.campaignId, agentId, limit: req.query.limit });
      return list.filter((r) => !expired(r)).map(recordingView);
    },
  );

  app.get(
    '/recordings/:id',
    {
      config: { roles: ANY },
      schema: { tags, summary: "One recording's metadata", params: idParams, response: { 200: recordingSchema, ...errorResponses } },
    },
    async (req) => recordingView(await readable(req, req.params.id)),
  );

  app.get(
    '/recordings/:id/audio',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'The WAV file (2 channels: customer, agent; 16-bit, 8 kHz)',
        params: idParams,
        produces: ['audio/wav'],
        response: { 200: Type.Unsafe<ReadStream>({ type: 'string', description: 'audio/wav (binary)' }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const r = await readable(req, req.params.id);
      if (r.status !== 'done')
        throw new ApiError(
          'CONFLICT',
          r.status === 'failed' ? `recording ${r.id} failed: ${r.error ?? 'unknown error'}` : `recording ${r.id} is still in progress`,
        );
      const st = await stat(r.path).catch(() => null);
      if (!st) throw new ApiError('NOT_FOUND', `recording ${r.id}'s file is gone (retention or removed by hand)`);
      return reply
        .header('content-type', 'audio/wav')
        .header('content-length', st.size)
        .header('content-disposition', `attachment; filename="${r.id.replace(/[^A-Za-z0-9._~-]/g, '_')}.wav"`)
        .send(createReadStream(r.path));
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default recordingRoutes;
