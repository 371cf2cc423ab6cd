/**
 * Reports agree with the history they are computed from: a history written
 * through the real close path (DialQueue enqueue/claim/begin/close, Lua on a
 * real Redis) from a plan whose expected numbers the test works out itself.
 */
import t from 'tap';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import type { Redis } from 'ioredis';
import { DialQueue } from '../../../lib/store/dial-queue';
import { saveDisposition } from '../../../lib/store/agent-dispositions';
import { appendRecordingToHistory, recordingId, saveRecording, type RecordingMeta } from '../../../lib/store/recordings';
import { agentLogKey } from '../../../lib/reports';
import { auth, build } from '../../helpers/app';

const DAY = 86_400_000;
const NOW = Date.now();

interface Planned {
  contact: string;
  code: number;
  /** Days before now the attempt closed. */
  daysAgo: number;
  agent?: string;
  talkSec?: number;
  wrapSec?: number;
  disposition?: string;
  verdict?: 'human' | 'machine';
  trunk?: string;
}

// A deterministic plan: codes chosen to exercise every report column.
const PLAN: Planned[] = [];
const codes = [20, 20, 14, 2, 3, 4, 20, 9, 1, 14, 10, 20, 31, 6, 20, 14, 7, 20, 2, 20];
codes.forEach((code, i) => {
  const p: Planned = { contact: `k${i}`, code, daysAgo: i % 4 === 0 ? 10 : i % 7 === 0 ? 40 : 0.1 + i / 100 };
  if (code === 20) {
    p.agent = i % 2 === 0 ? 'a1' : 'a2';
    p.talkSec = 30 + i;
    p.wrapSec = 5 + (i % 3);
    // One bridged "person" was really a voicemail: the agent says so.
    p.disposition = i === 6 ? 'voicemail' : i % 3 === 0 ? 'callback' : 'sale';
    p.verdict = 'human';
    p.trunk = i < 10 ? 'carrierA' : 'carrierB';
  }
  if (code === 4) p.verdict = 'machine';
  PLAN.push(p);
});

async function writeHistory(redis: Redis, campaignId: string): Promise<Map<string, string>> {
  const q = new DialQueue(redis, campaignId);
  await q.enqueue(
    'L1',
    PLAN.map((p, i) => ({
      contactId: p.contact,
      phone: `+81312340${String(i).padStart(3, '0')}`,
      phoneType: 'landline',
      timeZone: '',
      score: i,
    })),
  );
  const claims = await q.claim({
    now: NOW - 50 * DAY,
    n: PLAN.length,
    leaseMs: 60 * DAY,
    owner: 'test',
    lists: ['L1'],
    filters: { maxAttempts: 3 },
  });
  const attemptOf = new Map<string, string>();
  for (const c of claims) {
    const p = PLAN.find((x) => `L1:${x.contact}` === c.ref)!;
    attemptOf.set(p.contact, c.attemptId);
    const end = NOW - p.daysAgo * DAY;
    const skipped = p.code === 10 || p.code === 31;
    if (!skipped) await q.begin(c.attemptId, 'test', end - 60_000, 60 * DAY);
    const bridgedAt = p.talkSec !== undefined ? end - p.talkSec * 1000 : undefined;
    const ok = await q.close({
      attemptId: c.attemptId,
      code: p.code,
      now: end,
      final: true,
      nextAt: 0,
      live: [1, 9, 14, 20].includes(p.code),
      abandoned: p.code === 14,
      agentId: p.agent,
      talkMs: (p.talkSec ?? 0) * 1000,
      data: skipped
        ? { skipped: p.code === 10 ? 'do-not-call' : 'no number', phone: c.phone }
        : {
            startedAt: end - 60_000,
            bridgedAt,
            endedAt: end,
            phone: c.phone,
            trunk: p.trunk,
            verdicts: p.verdict ? [{ kind: p.verdict, atMs: 1200, reason: 'test' }] : [],
          },
    });
    if (!ok) throw new Error('close refused');
    if (p.disposition) {
      await saveDisposition(redis, {
        campaignId,
        attemptId: c.attemptId,
        agentId: p.agent!,
        disposition: p.disposition,
        by: p.agent!,
        at: end + p.wrapSec! * 1000,
        note: i18nNote(p.contact),
      });
    }
  }
  return attemptOf;
}
const i18nNote = (c: string) => `折り返し希望 ${c}`;

t.test('campaign, code and agent reports match the history', async (t) => {
  const { app } = await build(t);
  // What each report handler returned, before its response schema serialized it (checked at the end).
  const handed = new Map<string, unknown>();
  app.addHook('preSerialization', async (req, _reply, payload) => {
    if (req.url.startsWith('/reports/')) handed.set(req.url, JSON.parse(JSON.stringify(payload)));
    return payload;
  });
  const attemptOf = await writeHistory(app.redis, 'rep1');
  // Agent a1: ready 10 min, break 5 min, then ready until now.
  const t0 = NOW - 20 * 60_000;
  for (const [from, to, at] of [
    ['logged_out', 'ready', t0],
    ['ready', 'break', t0 + 600_000],
    ['break', 'ready', t0 + 900_000],
  ] as const) {
    await app.redis.xadd(agentLogKey, '*', 'agentId', 'a1', 'from', from, 'to', to, 'at', String(at));
  }

  const res = await app.inject({ url: '/reports/campaigns/rep1', headers: auth('supervisor') });
  t.equal(res.statusCode, 200, res.body);
  const r = res.json();
  const n = (f: (p: Planned) => boolean) => PLAN.filter(f).length;
  t.equal(r.attempts, PLAN.length);
  t.equal(r.contacts, PLAN.length);
  t.equal(
    r.skipped,
    n((p) => p.code === 10 || p.code === 31),
    'do-not-call and no-number are attempts never dialled',
  );
  t.equal(r.dialed, PLAN.length - r.skipped);
  t.equal(
    r.connects,
    n((p) => p.code === 20),
  );
  t.equal(
    r.liveAnswers,
    n((p) => [1, 9, 14, 20].includes(p.code)),
  );
  for (const code of new Set(PLAN.map((p) => p.code)))
    t.equal(
      r.byCode[code],
      n((p) => p.code === code),
      `code ${code} count`,
    );

  const win = (days: number) => {
    const inWin = PLAN.filter((p) => p.daysAgo < days);
    const live = inWin.filter((p) => [1, 9, 14, 20].includes(p.code)).length;
    const ab = inWin.filter((p) => p.code === 14).length;
    return { abandoned: ab, live, rate: live ? ab / live : 0 };
  };
  t.same(r.abandon.last24h, win(1), '24 h window');
  t.same(r.abandon.last30d, win(30), '30 day window');
  t.not(r.abandon.last24h.live, r.abandon.last30d.live, 'the windows really differ in this plan');

  const talks = PLAN.filter((p) => p.talkSec !== undefined).map((p) => p.talkSec!);
  t.equal(r.avgTalkSec, Math.round((talks.reduce((a, b) => a + b, 0) / talks.length) * 1000) / 1000);
  const wraps = PLAN.filter((p) => p.wrapSec !== undefined).map((p) => p.wrapSec!);
  t.equal(r.avgWrapUpSec, Math.round((wraps.reduce((a, b) => a + b, 0) / wraps.length) * 1000) / 1000);
  t.same(r.dispositions, {
    voicemail: n((p) => p.disposition === 'voicemail'),
    callback: n((p) => p.disposition === 'callback'),
    sale: n((p) => p.disposition === 'sale'),
  });

  // AMD: every bridged call was judged "human"; one of them was a voicemail per its agent.
  t.equal(
    r.amd.overall.judged,
    n((p) => p.disposition !== undefined),
  );
  t.equal(r.amd.overall.matrix.human.machine, 1, 'a machine taken for a person');
  t.equal(r.amd.overall.matrix.human.human, n((p) => p.disposition !== undefined) - 1);
  t.same(Object.keys(r.amd.byTrunk), ['carrierA', 'carrierB']);
  t.equal(r.amd.byTrunk.carrierA.matrix.human.machine, 1);

  // A reviewer listened to the machine-detected call's recording: it was a person.
  const machine = PLAN.find((p) => p.code === 4)!;
  const label = await app.inject({
    method: 'PUT',
    url: `/reports/campaigns/rep1/amd-labels/${attemptOf.get(machine.contact)}`,
    headers: auth('supervisor'),
    payload: { truth: 'human' },
  });
  t.equal(label.statusCode, 204, label.body);
  const amd = (await app.inject({ url: '/reports/campaigns/rep1/amd', headers: auth('supervisor') })).json();
  t.equal(amd.overall.matrix.machine.human, 1, 'the review label counts');
  t.equal(amd.overall.humanAsMachineRate, Math.round((1 / (r.amd.overall.matrix.human.human + 1)) * 10000) / 10000);

  // Time range: only today's attempts.
  const today = (
    await app.inject({
      url: `/reports/campaigns/rep1?from=${NOW - DAY}&to=${new Date(NOW + 1000).toISOString()}`,
      headers: auth('supervisor'),
    })
  ).json();
  t.equal(
    today.attempts,
    n((p) => p.daysAgo < 1),
  );

  const codesRes = (await app.inject({ url: '/reports/campaigns/rep1/codes', headers: auth('supervisor') })).json();
  t.same(
    codesRes.codes.map((c: { code: number }) => c.code),
    [...new Set(PLAN.map((p) => p.code))].sort((a, b) => a - b),
  );
  t.equal(
    codesRes.codes.reduce((s: number, c: { attempts: number }) => s + c.attempts, 0),
    PLAN.length,
  );

  const agents = (await app.inject({ url: '/reports/agents?campaign=rep1', headers: auth('supervisor') })).json().agents;
  for (const id of ['a1', 'a2']) {
    const row = agents.find((a: { agentId: string }) => a.agentId === id);
    const mine = PLAN.filter((p) => p.agent === id);
    t.equal(row.calls, mine.length, `${id} calls`);
    t.equal(
      row.talkSec,
      mine.reduce((s, p) => s + p.talkSec!, 0),
      `${id} talk`,
    );
    t.equal(
      row.wrapUpSec,
      mine.reduce((s, p) => s + p.wrapSec!, 0),
      `${id} wrap-up`,
    );
  }
  const a1 = agents.find((a: { agentId: string }) => a.agentId === 'a1');
  t.equal(a1.stateSec.break, 300, 'five minutes on break');
  t.ok(a1.stateSec.ready >= 1200 - 300 - 1, 'ready before and after the break');

  // The report bodies are described field by field (lib/api/routes/reports.ts): serializing through those
  // schemas drops, renames or rounds nothing the handlers return (fast-json-stringify drops undeclared fields).
  for (const url of [
    '/reports/campaigns/rep1',
    '/reports/campaigns/rep1/codes',
    '/reports/campaigns/rep1/amd',
    '/reports/agents?campaign=rep1',
  ]) {
    const sent = await app.inject({ url, headers: auth('supervisor') });
    t.equal(sent.statusCode, 200, url);
    t.ok(handed.has(url), `${url}: the handler's value was seen`);
    t.strictSame(sent.json(), handed.get(url), `${url}: the answer is exactly what the handler returned`);
  }

  const bad = await app.inject({ url: '/reports/campaigns/rep1?from=yesterday', headers: auth('supervisor') });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().message, /from/);
  t.equal((await app.inject({ url: '/reports/campaigns/none', headers: auth('supervisor') })).statusCode, 404);
  t.equal((await app.inject({ url: '/reports/campaigns/rep1', headers: auth('agent') })).statusCode, 403);
});

t.test('attempts CSV opens in Excel: UTF-8 with BOM or Shift_JIS, every attempt incl. do-not-call', async (t) => {
  const { app } = await build(t);
  const attempts = await writeHistory(app.redis, 'rep2');
  // Recordings as lib/agents/recordings.ts ends them on a real call: the row links the WAV from the
  // attempt history's own `recording` entry, not from the recordings store.
  const agentCalls = PLAN.filter((p) => p.agent).map((p) => ({ p, attemptId: attempts.get(p.contact)! }));
  const rec = (attemptId: string, over: Partial<RecordingMeta>): RecordingMeta => ({
    id: recordingId('rep2', attemptId),
    campaignId: 'rep2',
    attemptId,
    agentId: '',
    path: '/nonexistent.wav',
    status: 'done',
    startedAt: NOW - DAY,
    channels: ['customer', 'agent'],
    ...over,
  });
  const recAttempt = agentCalls[0]!.attemptId;
  await appendRecordingToHistory(app.redis, rec(recAttempt, { agentId: agentCalls[0]!.p.agent! }), NOW - DAY + 60_000);
  // A failed recording has nothing to download.
  await appendRecordingToHistory(app.redis, rec(agentCalls[1]!.attemptId, { status: 'failed', error: 'ENOSPC' }), NOW - DAY);
  // Past the retention period (90 days by default) the sweep has deleted it.
  await appendRecordingToHistory(app.redis, rec(agentCalls[2]!.attemptId, { startedAt: NOW - 91 * DAY }), NOW - 91 * DAY);
  // In the store but not in the history: not linked (the history is the source).
  await saveRecording(app.redis, rec(agentCalls[3]!.attemptId, { agentId: agentCalls[3]!.p.agent! }));
  // Recorded from the answer, no agent took the call (abandoned, 14): linked too.
  const abandoned = attempts.get(PLAN.find((p) => p.code === 14)!.contact)!;
  await appendRecordingToHistory(app.redis, rec(abandoned, { from: 'answer' }), NOW - DAY);
  const utf = await app.inject({
    url: '/reports/campaigns/rep2/attempts.csv',
    headers: { authorization: 'Bearer test-supervisor-key-00001' },
  });
  t.equal(utf.statusCode, 200, utf.body);
  t.match(utf.headers['content-type'], /text\/csv; charset=utf-8/);
  t.match(utf.headers['content-disposition'], /attachment; filename="attempts-rep2.csv"/);
  const bytes = utf.rawPayload;
  t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
  t.ok(bytes.includes(Buffer.from('\r\n')), 'CRLF line ends');
  const rows = parse(bytes.subarray(3).toString('utf8'), { columns: true }) as Record<string, string>[];
  t.equal(rows.length, PLAN.length);
  t.same(Object.keys(rows[0]!).slice(0, 8), [
    'campaign_id',
    'attempt_id',
    'list_id',
    'contact_id',
    'phone',
    'attempt_no',
    'result_code',
    'result_name',
  ]);
  const dnc = rows.find((r) => r.result_code === '10')!;
  t.equal(dnc.skipped_reason, 'do-not-call');
  t.equal(
    rows.find((r) => r.attempt_id === recAttempt)!.recording,
    `/recordings/${encodeURIComponent(recordingId('rep2', recAttempt))}/audio`,
    'the recorded call links its recording',
  );
  t.equal(
    rows.find((r) => r.attempt_id === abandoned)!.recording,
    `/recordings/${encodeURIComponent(recordingId('rep2', abandoned))}/audio`,
    'a call recorded from the answer that no agent took links its recording',
  );
  t.equal(rows.filter((r) => r.recording).length, 2, 'no other row (failed, past retention, not in the history) has a recording');
  t.equal(dnc.result_name, 'excluded');
  t.ok(
    rows.some((r) => r.note === i18nNote(r.contact_id)),
    'Japanese text survives',
  );

  const sj = await app.inject({ url: '/reports/campaigns/rep2/attempts.csv?encoding=shift_jis', headers: auth('supervisor') });
  t.match(sj.headers['content-type'], /charset=Shift_JIS/);
  t.not(sj.rawPayload[0], 0xef, 'no BOM in Shift_JIS');
  t.notOk(sj.rawPayload.toString('utf8').includes('折り返し'), 'not UTF-8 bytes');
  const sjRows = parse(iconv.decode(sj.rawPayload, 'Shift_JIS'), { columns: true }) as Record<string, string>[];
  t.same(sjRows, rows, 'same content once decoded as Shift_JIS');

  const codesCsv = await app.inject({ url: '/reports/campaigns/rep2/codes?format=csv', headers: auth('supervisor') });
  const codeRows = parse(codesCsv.rawPayload.subarray(3).toString('utf8'), { columns: true }) as Record<string, string>[];
  t.equal(
    codeRows.reduce((s, r) => s + Number(r.attempts), 0),
    PLAN.length,
  );
});
