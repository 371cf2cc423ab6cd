/**
 * The agent desktop on the freeswitch driver, live (drachtio-server +
 * FreeSWITCH): the agent signs in on the page in headless Chromium, logs in
 * (FreeSWITCH calls their SIPp phone), takes a SIPp customer, sees the screen
 * pop, is listened to, whispered to and barged in on by a supervisor through the API (the
 * supervisor's SIPp phone called through the agent's FreeSWITCH, checked by
 * the tones each phone receives), hangs the customer up from the page and
 * saves a disposition with the next state; the recording FreeSWITCH wrote
 * holds the customer and the agent on their own channels. The embedded
 * driver's version is test/e2e/agents/desktop.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { startServices } from '../../../app/services';
import { buildApp } from '../../../lib/api/app';
import { validateConfig } from '../../../lib/config';
import { goertzelShare } from '../../../lib/media/features';
import { freePort } from '../../../lib/store';
import { getDisposition } from '../../../lib/store/agent-dispositions';
import { getAgentLive } from '../../../lib/store/agent-live';
import type { LegEvent } from '../../../lib/telephony/contract';
import { startProbePhone, type RtpProbe } from '../../../lib/telephony/testing/rtp-probe';
import { chromiumMissing, openPage } from '../../helpers/chromium';
import { liveServersMissing, startLiveServers } from '../../helpers/live-servers';
import { seedDesktopCampaign } from '../../helpers/desktop-campaign';
import { startTestRedis } from '../../helpers/redis';
import { AGENT, CUSTOMER, expectHears, SUPERVISOR, whatEachHears } from '../../helpers/party-tones';
import { untilWithin } from '../../helpers/wait';

const SUP_KEY = 'e2e-fsdesk-supervisor-001';
const AG1_KEY = 'e2e-fsdesk-agent-ag1-0001';
const until = untilWithin(20000);
/** Whose tones each phone heard over a second of audio (500 ms after a change, for it to settle). */
const heard = (probes: Record<string, RtpProbe>) => whatEachHears(probes, { settleMs: 500 });

t.test(
  'agent desktop on the freeswitch driver: pop, listen, whisper and barge, hang up from the page, disposition, recording',
  {
    skip: liveServersMissing() ?? chromiumMissing() ?? false,
    timeout: 180000,
  },
  async (t) => {
    const live = await startLiveServers(t);
    const { redis } = await startTestRedis(t, 'e2e-fsdesk:');
    // The phones live as long as the test may (SIPp's -timeout would otherwise end them at 60 s under load).
    const agentPhone = await startProbePhone({ toneHz: AGENT, timeoutS: 170 });
    const customer = await startProbePhone({ toneHz: CUSTOMER, timeoutS: 170 });
    const supPhone = await startProbePhone({ toneHz: SUPERVISOR, law: 'alaw', timeoutS: 170 });
    t.teardown(() => Promise.all([agentPhone.stop(), customer.stop(), supPhone.stop()]));
    const recDir = mkdtempSync(join(tmpdir(), 'dialer-fsdesk-rec-'));
    t.teardown(() => rmSync(recDir, { recursive: true, force: true }));
    const config = validateConfig({
      log: { level: 'silent' },
      telephony: {
        driver: 'freeswitch',
        freeswitch: live.configSection('stream'),
        trunks: [{ name: 'carrier', address: customer.sipp.address, callsPerSecond: 1000, maxChannels: 1000 }],
      },
      dialer: { agents: { recording: { dir: recDir } } },
      api: {
        keys: [
          { key: SUP_KEY, role: 'supervisor', name: 'sv' },
          { key: AG1_KEY, role: 'agent', agentId: 'ag1' },
        ],
      },
    });
    const services = await startServices({ config, redis, log: pino({ level: process.env.DIALER_LOG__LEVEL ?? 'silent' }) });
    t.teardown(() => services.stop());
    const { driver, desk } = services;
    t.equal(driver.name, 'freeswitch', 'the services run the freeswitch driver');
    const app = await buildApp({ config, redis, logger: false, runtime: services.runtime });
    const port = await freePort();
    await app.listen({ host: '127.0.0.1', port });
    t.teardown(() => app.close());
    const base = `http://127.0.0.1:${port}`;
    const call = async (key: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const type = res.headers.get('content-type') ?? '';
      return { status: res.status, body: type.includes('json') ? ((await res.json()) as unknown) : undefined, res };
    };
    const events: LegEvent[] = [];
    driver.onEvent((e) => events.push(e));

    const seeded = await seedDesktopCampaign(redis, [{ id: 'ag1', name: 'Yamada', sipUri: `sip:ag1@${agentPhone.sipp.address}` }]);
    t.equal(
      (await call(SUP_KEY, 'PUT', '/campaigns/c1/script', { script: 'Hello {{name}}, this is about your {{attr.plan}} plan.' })).status,
      200,
    );
    t.equal((await call(SUP_KEY, 'PUT', '/campaigns/c1/recording', { enabled: true })).status, 200, 'the campaign records');

    const browser = await openPage(`${base}/agent`);
    t.teardown(() => browser.close());
    const page = browser.page;
    await page.fill('#key', AG1_KEY);
    await page.press('#key', 'Enter');
    await page.locator('#who').filter({ hasText: 'Yamada' }).waitFor({ timeout: 30000 });
    await page.click('#login');
    await page.locator('#state.ready').waitFor({ timeout: 30000 });
    t.pass("the page shows the agent ready once FreeSWITCH's call to the phone was answered");

    // The runner's part: the customer answers, the agent is reserved and connected.
    const cust = await driver.originate({ to: '0312345670', ringTimeoutMs: 10000 });
    await until(() => events.some((e) => e.type === 'answer' && e.legId === cust), 'the customer to answer');
    const r = await desk.reserve(['sales'], 'att-1');
    t.equal(r?.agentId, 'ag1');
    await desk.connect(r!, cust, {
      campaignId: 'c1',
      attemptId: 'att-1',
      listId: 'L1',
      contactId: 'c1',
      phone: seeded.phone,
      name: 'Sato Hanako',
      key1: 'K-100',
      attributes: { plan: 'gold' },
      attemptNo: 1,
    });
    await page.locator('#state.talking').waitFor({ timeout: 30000 });
    await page.locator('#contact').filter({ hasText: 'Sato Hanako' }).waitFor({ timeout: 30000 });
    t.equal(
      await page.locator('#script').textContent(),
      'Hello Sato Hanako, this is about your gold plan.',
      'the screen pop with the script',
    );
    let h = await heard({ agent: agentPhone.probe, customer: customer.probe });
    expectHears(t, 'bridged: agent', h.agent!, [CUSTOMER]);
    expectHears(t, 'bridged: customer', h.customer!, [AGENT]);

    // A supervisor listens, then whispers, through the API: their phone is called through the agent's FreeSWITCH.
    const probes = { agent: agentPhone.probe, customer: customer.probe, supervisor: supPhone.probe };
    const monitorStatus = async () => ((await call(SUP_KEY, 'GET', '/monitors')).body as { status: string; mode: string }[])[0];
    t.equal(
      (await call(AG1_KEY, 'POST', '/agents/ag1/monitor', { mode: 'listen', phone: 'sip:x@127.0.0.1' })).status,
      403,
      'an agent key cannot listen in',
    );
    const started = await call(SUP_KEY, 'POST', '/agents/ag1/monitor', { mode: 'listen', phone: `sip:sv@${supPhone.sipp.address}` });
    t.equal(started.status, 202);
    await until(async () => (await monitorStatus())?.status === 'active', 'the supervisor to listen');
    h = await heard(probes);
    expectHears(t, 'listen: supervisor', h.supervisor!, [AGENT, CUSTOMER]);
    expectHears(t, 'listen: agent', h.agent!, [CUSTOMER]);
    expectHears(t, 'listen: customer', h.customer!, [AGENT]);
    t.equal((await call(SUP_KEY, 'PUT', '/agents/ag1/monitor', { mode: 'whisper' })).status, 200);
    await until(async () => (await monitorStatus())?.mode === 'whisper', 'whisper mode');
    h = await heard(probes);
    expectHears(t, 'whisper: agent', h.agent!, [CUSTOMER, SUPERVISOR]);
    expectHears(t, 'whisper: customer', h.customer!, [AGENT]);
    t.equal((await call(SUP_KEY, 'PUT', '/agents/ag1/monitor', { mode: 'barge' })).status, 200);
    await until(async () => (await monitorStatus())?.mode === 'barge', 'barge mode');
    h = await heard(probes);
    expectHears(t, 'barge: agent', h.agent!, [CUSTOMER, SUPERVISOR]);
    expectHears(t, 'barge: customer', h.customer!, [AGENT, SUPERVISOR]);
    expectHears(t, 'barge: supervisor', h.supervisor!, [AGENT, CUSTOMER]);
    t.equal((await call(SUP_KEY, 'DELETE', '/agents/ag1/monitor')).status, 204);
    await until(async () => (await monitorStatus()) === undefined, 'the supervision to end');

    // Hang up the customer from the page, then the wrap-up form.
    await page.click('#hangup');
    await page.locator('#state.wrap_up').waitFor({ timeout: 30000 });
    await until(() => events.some((e) => e.type === 'end' && e.legId === cust), 'the customer leg to end');
    t.pass('the customer was hung up from the page');
    await page.selectOption('#disposition', 'sale');
    await page.fill('#note', 'wants the gold plan');
    await page.selectOption('#next', 'break');
    await page.click('#save');
    await page.locator('#state.break').waitFor({ timeout: 30000 });
    t.match(await getDisposition(redis, 'c1', 'att-1'), { disposition: 'sale', note: 'wants the gold plan', agentId: 'ag1' });
    t.equal((await getAgentLive(redis, 'ag1'))?.state, 'break', 'next state break, from the page');
    // FreeSWITCH once cleared the agent's channel with its uuid_bridge partner (bridge-end.test.ts).
    const agentLeg = (await getAgentLive(redis, 'ag1'))?.leg;
    t.ok(agentLeg, "the agent's phone leg is still the agent's");
    t.notOk(
      events.some((e) => e.type === 'end' && e.legId === agentLeg),
      "the agent's phone stayed up through the customer's hang-up",
    );

    // The recording FreeSWITCH wrote: listed for the agent, downloadable, both channels right.
    let recs: Array<Record<string, unknown>> = [];
    await until(async () => {
      recs = (await call(AG1_KEY, 'GET', '/recordings')).body as Array<Record<string, unknown>>;
      return recs[0]?.status === 'done';
    }, 'the recording to be closed');
    t.match(recs[0], { campaignId: 'c1', attemptId: 'att-1', agentId: 'ag1', channels: ['customer', 'agent'] });
    const dl = await call(AG1_KEY, 'GET', recs[0]!.audioUrl as string);
    t.equal(dl.status, 200);
    const wav = Buffer.from(await dl.res.arrayBuffer());
    t.equal(wav.readUInt16LE(22), 2, 'two channels');
    const dataAt = wav.indexOf('data', 12, 'latin1') + 8;
    const n = Math.floor((wav.length - dataAt) / 4);
    const ch = [new Int16Array(n), new Int16Array(n)];
    for (let i = 0; i < n; i++) {
      ch[0]![i] = wav.readInt16LE(dataAt + i * 4);
      ch[1]![i] = wav.readInt16LE(dataAt + 2 + i * 4);
    }
    const share = (x: Int16Array, hz: number) => {
      let sum = 0;
      let k = 0;
      for (let i = 8000; i + 160 <= x.length - 8000; i += 160, k++) {
        const f = x.subarray(i, i + 160);
        let e = 0;
        for (const s of f) e += s * s;
        sum += goertzelShare(f, hz, e);
      }
      return k ? sum / k : 0;
    };
    t.ok(share(ch[0]!, CUSTOMER) > 0.8 && share(ch[0]!, AGENT) < 0.05, `channel 1: the customer (${share(ch[0]!, CUSTOMER).toFixed(2)})`);
    t.ok(share(ch[1]!, AGENT) > 0.5 && share(ch[1]!, CUSTOMER) < 0.05, `channel 2: the agent (${share(ch[1]!, AGENT).toFixed(2)})`);
    t.same(browser.errors, [], 'no script errors on the page');
    await call(AG1_KEY, 'POST', '/agents/ag1/logout');
  },
);
