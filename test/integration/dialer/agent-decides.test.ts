/**
 * notSure policy "agent-decides": the agent's disposition becomes the
 * attempt's one result and drives its retry. Through the real runner, desk,
 * API and Lua close path (dial-close.lua, then dial-recode.lua) on a real
 * redis-server; the driver is the desk tests' recording driver, which lets the
 * test deliver the answer, a not-sure verdict and the customer's hang-up.
 */
import t, { type Test } from 'tap';
import pino from 'pino';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { startServices } from '../../../app/services';
import { buildApp } from '../../../lib/api/app';
import { validateConfig } from '../../../lib/config';
import { applyAgentDecision } from '../../../lib/dialer/agent-decision';
import { makeAgents, makeList, runCampaign } from '../../../lib/demo/store-setup';
import { runnerConfig } from '../../../lib/demo/loopback';
import type { Verdict } from '../../../lib/media/types';
import { readAttempts } from '../../../lib/reports/source';
import { saveDisposition } from '../../../lib/store/agent-dispositions';
import { createCampaign, getCampaign } from '../../../lib/store/campaigns';
import { getAgentLive } from '../../../lib/store/agent-live';
import { DialQueue, dialBase } from '../../../lib/store/dial-queue';
import { keys } from '../../../lib/store/keys';
import { freePort } from '../../../lib/store';
import { createSubscription } from '../../../lib/notify/webhooks';
import { startTestRedis } from '../../helpers/redis';
import { RecordingDriver } from '../agent-desk/recording-driver';

const AG_KEY = 'test-agent-key-ag1-000001';
const SUP_KEY = 'test-supervisor-key-00001';
const notsure: Verdict = { kind: 'notsure', atMs: 4000, reason: 'test: evidence unclear', confidence: 0.55, lean: 'machine' };

/** Waits for a condition driven by events (bounded, generous for a loaded host). */
async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const attemptHash = (redis: Redis, campaignId: string, attemptId: string) => redis.hgetall(`${dialBase(campaignId)}at:${attemptId}`);
const contactHash = (redis: Redis, campaignId: string, ref: string) => redis.hgetall(`${dialBase(campaignId)}ct:${ref}`);
const counters = async (redis: Redis, campaignId: string) => redis.hgetall(`${dialBase(campaignId)}counters`);

/** A loopback webhook receiver: the JSON bodies it was sent, in arrival order. */
async function webhookReceiver(t: Test): Promise<{ url: string; got: { type: string; data: Record<string, unknown> }[] }> {
  const got: { type: string; data: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push(JSON.parse(body) as { type: string; data: Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  const port = await freePort();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${port}/hook`, got };
}

t.test('a not-sure call the agent calls a voicemail: recorded as 4, retried by the rules for 4, audited', async (t) => {
  const { redis } = await startTestRedis(t);
  const config = validateConfig({
    log: { level: 'silent' },
    dialer: { runner: runnerConfig() },
    api: {
      keys: [
        { key: AG_KEY, role: 'agent', agentId: 'ag1' },
        { key: SUP_KEY, role: 'supervisor', name: 'sv' },
      ],
    },
  });
  const driver = new RecordingDriver();
  const services = await startServices({ config, redis, log: pino({ level: 'silent' }) }, { driver });
  t.teardown(() => services.stop());
  const app = await buildApp({ config, redis, logger: false, runtime: services.runtime });
  t.teardown(() => app.close());
  // Ready before any call: the monitor then records the runner's events (webhook log, metrics).
  await app.ready();
  const hook = await webhookReceiver(t);
  await createSubscription(redis, { url: hook.url, events: ['attempt.', 'call.ended'], campaigns: ['c1'] });

  await makeAgents(redis, 'sales', [{ id: 'ag1', address: '127.0.0.1:5999' }]);
  await services.desk.login('ag1');
  const agentLeg = (await getAgentLive(redis, 'ag1'))!.leg!;
  driver.answer(agentLeg);
  await until(async () => (await getAgentLive(redis, 'ag1'))?.state === 'ready', 'agent ready');

  const phones = await makeList(redis, 'l1', ['03-1200-0000']);
  const phone = phones.get('c0')!;
  await runCampaign(redis, 'c1', 'l1', {
    mode: 'progressive',
    agentGroups: ['sales'],
    notSure: 'agent-decides',
    maxAttempts: 3,
    retryIntervalSec: 7200,
    dispositions: [
      { code: 'sale', label: 'Sale' },
      { code: 'voicemail', label: 'Voicemail' },
    ],
  });

  await until(() => driver.calls.some((c) => c.op === 'originate' && (c.args as { to?: string }).to === phone), 'the customer dialled');
  const cust = driver.calls.find((c) => c.op === 'originate' && (c.args as { to?: string }).to === phone)!.leg!;
  driver.emit({ type: 'answer', legId: cust, at: Date.now() });
  driver.emit({ type: 'verdict', legId: cust, at: Date.now(), phase: 'answered', verdict: notsure });
  await until(() => driver.calls.some((c) => c.op === 'bridge' && (c.leg === cust || c.args === cust)), 'agent bridged');
  driver.end(cust);
  await until(async () => (await getAgentLive(redis, 'ag1'))?.state === 'wrap_up', 'agent in wrap-up');
  const attemptId = (await getAgentLive(redis, 'ag1'))!.attemptId!;
  await until(async () => (await attemptHash(redis, 'c1', attemptId)).phase === 'closed', 'attempt closed');

  const closed = await attemptHash(redis, 'c1', attemptId);
  t.equal(closed.code, '20', 'closed as a connect before the agent decides');
  t.equal(closed.agentDecides, '1', 'marked: the agent decides');
  const before = await counters(redis, 'c1');
  t.equal(before['code:20'], '1');
  t.equal(before.live, '1', 'counted as a live answer so far');
  t.equal((await contactHash(redis, 'c1', 'l1:c0')).state, 'done', '20 is not retried');

  const res = await app.inject({
    method: 'POST',
    url: '/agents/ag1/disposition',
    headers: { authorization: `Bearer ${AG_KEY}` },
    payload: { attemptId, disposition: 'voicemail', next: 'continue' },
  });
  t.equal(res.statusCode, 200, res.body);

  const at = await attemptHash(redis, 'c1', attemptId);
  t.equal(at.code, '4', "the attempt's recorded code is the agent's: answering machine");
  t.equal(at.closedCode, '20', 'the code it closed with is kept');
  t.equal(at.recodedBy, 'agent:ag1', 'who changed it (the API caller)');
  const after = await counters(redis, 'c1');
  t.equal(after['code:20'], '0');
  t.equal(after['code:4'], '1');
  t.equal(after.attempts, '1', 'still one attempt: one result');
  t.equal(after.live, '0', 'a machine is not a live answer (the abandon rate denominator)');
  const ct = await contactHash(redis, 'c1', 'l1:c0');
  t.equal(ct.state, 'queued', 'answering machine (4) is retried by default');
  t.equal(ct.lastCode, '4');
  t.ok(Number(ct.score) >= Number(at.recodedAt) + 7200_000 - 1, "at the campaign's retry interval");
  t.equal(Number(await redis.zscore(`${dialBase('c1')}queue:l1`, 'c0')), Number(ct.score), 'back in the list queue');

  const hist = (await redis.xrange(keys.campaign('c1', 'history'), '-', '+')).map(([, kv]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i < kv.length; i += 2) f[kv[i]!] = kv[i + 1]!;
    return f;
  });
  const recode = hist.filter((f) => f.type === 'recode');
  t.equal(recode.length, 1, 'one audit entry');
  t.match(recode[0], { attemptId, from: '20', code: '4', by: 'agent:ag1', agent: 'ag1', final: '0', contact: 'queued' });
  t.match(JSON.parse(recode[0]!.data!), { disposition: 'voicemail', retry: 'result 4: retry in 7200 s' });

  const records = await readAttempts(redis, 'c1');
  t.equal(records.length, 1, 'one record per attempt');
  t.match(records[0], { attemptId, code: 4, codeName: 'answering_machine', closedCode: 20, recodedBy: 'agent:ag1', final: false });
  const report = await app.inject({ method: 'GET', url: '/reports/campaigns/c1', headers: { authorization: `Bearer ${SUP_KEY}` } });
  t.equal(report.statusCode, 200, report.body);
  t.match(report.json(), { byCode: { '4': 1 }, connects: 0, liveAnswers: 0 }, 'the report counts a machine, not a connect');
  t.notOk('20' in (report.json() as { byCode: Record<string, number> }).byCode);

  // The re-coding after the close is announced: a webhook after call.ended (which carried 20), and the metrics.
  await until(() => hook.got.some((e) => e.type === 'attempt.recoded'), 'the attempt.recoded webhook');
  t.same(
    hook.got.map((e) => e.type),
    ['call.ended', 'attempt.recoded'],
    'delivered in order: the close, then the re-coding',
  );
  t.match(hook.got[0]!.data, { attemptId, code: 20 }, 'call.ended carried the code at the close');
  t.match(
    hook.got[1],
    { type: 'attempt.recoded', campaignId: 'c1', agentId: 'ag1' },
    'a campaign and agent event, like the other attempt events',
  );
  t.match(hook.got[1]!.data, { attemptId, ref: 'l1:c0', attemptNo: 1, from: 20, to: 4, by: 'agent:ag1', contact: 'queued' });
  const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${SUP_KEY}` } });
  t.equal(metrics.statusCode, 200, 'metrics served');
  t.match(metrics.body, /^dialer_calls_ended_total\{campaign="c1",code="20",result="connected"\} 1$/m, 'call.ended counted 20');
  t.match(metrics.body, /^dialer_calls_recoded_total\{campaign="c1",from="20",to="4"\} 1$/m, 'the re-coding 20 → 4 is counted');
  // The same disposition again (the store path every route uses) changes nothing and announces nothing.
  const disp = { campaignId: 'c1', attemptId, agentId: 'ag1', by: 'sv', at: Date.now() };
  t.match(await app.store.dispositions.save({ ...disp, disposition: 'voicemail' }), { applied: false, why: 'unchanged' });
  // A supervisor's correction back to a person: announced again, 4 → 20.
  t.match(await app.store.dispositions.save({ ...disp, disposition: 'sale' }), { applied: true, from: 4, to: 20 });
  await until(() => hook.got.length >= 3, 'the second attempt.recoded webhook');
  t.same(
    hook.got.map((e) => e.type),
    ['call.ended', 'attempt.recoded', 'attempt.recoded'],
    'the repeat sent nothing',
  );
  t.match(hook.got[2]!.data, { attemptId, from: 4, to: 20, by: 'sv', contact: 'final' });
  const m2 = (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${SUP_KEY}` } })).body;
  t.match(m2, /^dialer_calls_recoded_total\{campaign="c1",from="20",to="4"\} 1$/m, 'the repeat is not counted');
  t.match(m2, /^dialer_calls_recoded_total\{campaign="c1",from="4",to="20"\} 1$/m, 'the correction is');
  // Result 20 now = ended{20} + recoded{to=20} - recoded{from=20} = 1 + 1 - 1 (README "Metrics").
  t.equal((await attemptHash(redis, 'c1', attemptId)).code, '20');
  const t0 = Date.now();
  await app.close();
  await services.stop();
  t.comment(`stopped in ${Date.now() - t0} ms`);
});

t.test('store level: disposition before the close, a correction back to a person, a later attempt', async (t) => {
  const { redis } = await startTestRedis(t);
  await createCampaign(
    redis,
    {
      id: 'c2',
      name: 'c2',
      maxAttempts: 3,
      retryIntervalSec: 600,
      notSure: 'agent-decides',
      dispositions: [
        { code: 'sale', label: 'Sale' },
        { code: 'fax', label: 'Fax' },
        { code: 'voicemail', label: 'Voicemail' },
      ],
    },
    { region: 'JP' },
  );
  const campaign = (await getCampaign(redis, 'c2'))!;
  const q = new DialQueue(redis, 'c2');
  await q.enqueue('l1', [{ contactId: 'k1', phone: '+81312000001', phoneType: 'landline', timeZone: 'Asia/Tokyo', score: 0 }]);
  const now = 1_700_000_000_000;
  const claimOne = async (at = now) => {
    const [c] = await q.claim({ now: at, n: 1, leaseMs: 60_000, owner: 'o', lists: ['l1'], filters: { maxAttempts: 3 } });
    t.ok(c, 'claimed');
    t.ok(await q.begin(c!.attemptId, 'o', at, 60_000));
    return c!;
  };
  const close = (attemptId: string, agentDecides: boolean) =>
    q.close({ attemptId, code: 20, now, final: true, nextAt: 0, live: true, abandoned: false, agentId: 'ag1', data: {}, agentDecides });

  // The agent was quicker than the close: nothing to re-code yet; the close applies it.
  const a1 = await claimOne();
  await saveDisposition(redis, { campaignId: 'c2', attemptId: a1.attemptId, agentId: 'ag1', disposition: 'fax', by: 'ag1', at: now });
  t.match(await applyAgentDecision(redis, campaign, a1.attemptId, now), { applied: false, why: 'not-closed' });
  t.ok(await close(a1.attemptId, true));
  t.match(await applyAgentDecision(redis, campaign, a1.attemptId, now), { applied: true, from: 20, to: 5, contact: 'final' });
  t.match(await applyAgentDecision(redis, campaign, a1.attemptId, now), { applied: false, why: 'unchanged' }, 'a repeat changes nothing');
  t.equal((await contactHash(redis, 'c2', 'l1:k1')).finalCode, '5', 'fax: not retried');

  // A same-day correction to a person: back to 20, still final, audited again.
  await saveDisposition(redis, { campaignId: 'c2', attemptId: a1.attemptId, agentId: 'ag1', disposition: 'sale', by: 'sv', at: now + 1 });
  t.match(await applyAgentDecision(redis, campaign, a1.attemptId, now + 1), { applied: true, from: 5, to: 20, by: 'sv' });
  const at1 = await attemptHash(redis, 'c2', a1.attemptId);
  t.match(at1, { code: '20', closedCode: '20', recodedBy: 'sv' });
  t.match(await counters(redis, 'c2'), { 'code:20': '1', 'code:5': '0', live: '1', attempts: '1' });

  // Voicemail: retried; a later attempt then exists, so a late correction of the first leaves the contact alone.
  await saveDisposition(redis, {
    campaignId: 'c2',
    attemptId: a1.attemptId,
    agentId: 'ag1',
    disposition: 'voicemail',
    by: 'sv',
    at: now + 2,
  });
  t.match(await applyAgentDecision(redis, campaign, a1.attemptId, now + 2), { applied: true, to: 4, contact: 'queued' });
  const a2 = await claimOne(now + 2 + 600_000);
  t.equal(a2.attemptNo, 2, 'the retry was dialled');
  await saveDisposition(redis, { campaignId: 'c2', attemptId: a1.attemptId, agentId: 'ag1', disposition: 'sale', by: 'sv', at: now + 3 });
  t.match(await applyAgentDecision(redis, campaign, a1.attemptId, now + 3), { applied: true, to: 20, contact: 'unchanged' });
  t.equal((await contactHash(redis, 'c2', 'l1:k1')).state, 'inflight', 'the contact follows its later attempt');

  // An attempt closed without the flag (a person verdict) is never re-coded.
  t.ok(await close(a2.attemptId, false));
  await saveDisposition(redis, { campaignId: 'c2', attemptId: a2.attemptId, agentId: 'ag1', disposition: 'voicemail', by: 'ag1', at: now });
  t.match(await applyAgentDecision(redis, campaign, a2.attemptId, now), { applied: false, why: 'not-agent-decided' });
  t.equal((await attemptHash(redis, 'c2', a2.attemptId)).code, '20');
});
