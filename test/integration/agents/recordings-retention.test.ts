/**
 * A recording past the retention period is gone for every reader at once,
 * before the periodic sweep deletes its file and metadata: the API neither
 * lists nor serves it (the attempts CSV no longer links it either, see
 * test/integration/monitor/reports.test.ts). Real Redis, real files.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { recordingId, saveRecording, type RecordingMeta } from '../../../lib/store/recordings';
import { auth, build } from '../../helpers/app';

const DAY = 86_400_000;

t.test('past retention, not yet swept: not listed, not served; inside retention: listed and served', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-rec-retention-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { app } = await build(t, { dialer: { agents: { recording: { dir, retentionDays: 30 } } } });
  const rec = (attemptId: string, daysAgo: number): RecordingMeta => {
    const path = join(dir, `${attemptId}.wav`);
    writeFileSync(path, Buffer.from('RIFF....WAVE'));
    return {
      id: recordingId('c1', attemptId),
      campaignId: 'c1',
      attemptId,
      agentId: 'a1',
      path,
      status: 'done',
      startedAt: Date.now() - daysAgo * DAY,
      durationMs: 1000,
      channels: ['customer', 'agent'],
    };
  };
  const fresh = rec('att-fresh', 29);
  const old = rec('att-old', 31);
  await saveRecording(app.redis, fresh);
  await saveRecording(app.redis, old);

  for (const who of ['supervisor', 'agent'] as const) {
    const list = await app.inject({ url: '/recordings', headers: auth(who) });
    t.equal(list.statusCode, 200, list.body);
    t.same(
      (list.json() as { id: string }[]).map((r) => r.id),
      [fresh.id],
      `${who}: only the recording inside retention is listed`,
    );
  }
  const meta = await app.inject({ url: `/recordings/${encodeURIComponent(old.id)}`, headers: auth('supervisor') });
  t.equal(meta.statusCode, 404);
  t.match(meta.json(), { message: /past its retention period \(30 days\)/ }, 'the reason is given');
  const audio = await app.inject({ url: `/recordings/${encodeURIComponent(old.id)}/audio`, headers: auth('agent') });
  t.equal(audio.statusCode, 404, 'its audio is not served');
  t.ok(existsSync(old.path), 'although the sweep has not deleted the file yet');

  const ok = await app.inject({ url: `/recordings/${encodeURIComponent(fresh.id)}/audio`, headers: auth('agent') });
  t.equal(ok.statusCode, 200, 'a recording inside retention is served');
  t.equal(ok.headers['content-type'], 'audio/wav');
  t.equal((await app.inject({ url: `/recordings/${encodeURIComponent(fresh.id)}`, headers: auth('agent2') })).statusCode, 403);
});

t.test('retentionDays 0 keeps recordings for ever', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-rec-retention-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { app } = await build(t, { dialer: { agents: { recording: { dir, retentionDays: 0 } } } });
  const path = join(dir, 'a.wav');
  writeFileSync(path, Buffer.from('RIFF....WAVE'));
  const r: RecordingMeta = {
    id: recordingId('c1', 'att-ancient'),
    campaignId: 'c1',
    attemptId: 'att-ancient',
    agentId: 'a1',
    path,
    status: 'done',
    startedAt: Date.now() - 5000 * DAY,
    channels: ['customer', 'agent'],
  };
  await saveRecording(app.redis, r);
  t.equal((await app.inject({ url: `/recordings/${encodeURIComponent(r.id)}/audio`, headers: auth('supervisor') })).statusCode, 200);
});
