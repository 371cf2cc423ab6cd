/**
 * A campaign that records from the customer's answer, with a consent
 * announcement: the real runner, desk and embedded driver, the SIPp carrier
 * simulator (a person answers) and a SIPp agent phone. The announcement is
 * played to the person before the agent is connected (the attempt keeps when
 * it ended), the recording starts at the answer with the customer alone and
 * the agent joins channel 2 at the connect, and the recording's metadata is
 * an entry of the campaign's attempt history stream, joined to the attempt
 * by the reports.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServices } from '../../../app/services';
import { loopbackConfig, startLoopbackPeers } from '../../../lib/demo/loopback';
import { makeAgents } from '../../../lib/demo/store-setup';
import { agentsTalk, loginReady, makeList, numbersFor, runCampaign } from '../../helpers/campaign-env';
import { startTestRedis } from '../../helpers/redis';
import { getCampaign } from '../../../lib/store/campaigns';
import { getRecording, recordingId, setRecordingSettings } from '../../../lib/store/recordings';
import { readAttempts } from '../../../lib/reports/source';
import { writeWav } from '../../../lib/media/audio-file';
import { keys } from '../../../lib/store/keys';
import { FRAME_MS, firstNonZeroFrame, framesOf, rmsOf, stereoChannels } from '../../helpers/recording-audio';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CONSENT_MS = 2000;

t.test('recording from the answer with a consent announcement before the agent', { timeout: 120000 }, async (t) => {
  const { redis } = await startTestRedis(t, 'e2e-rec:');
  const dir = mkdtempSync(join(tmpdir(), 'dialer-e2e-rec-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const peers = await startLoopbackPeers({ agents: 1, dir });
  t.teardown(() => peers.stop());
  const base = loopbackConfig({ carrierAddress: peers.carrier.address, promptsDir: join(dir, 'prompts') });
  const config = loopbackConfig({
    carrierAddress: peers.carrier.address,
    promptsDir: join(dir, 'prompts'),
    extra: {
      dialer: { ...base.dialer, agents: { ...base.dialer.agents, recording: { ...base.dialer.agents.recording, dir: join(dir, 'rec') } } },
    },
  });
  await makeAgents(redis, 'sales', [{ id: peers.agents[0]!.id, address: peers.agents[0]!.phone.address }]);
  const services = await startServices({ config, redis, log: pino({ level: process.env.DIALER_LOG__LEVEL ?? 'silent' }) });
  t.teardown(() => services.stop());
  const desk = services.desk;

  // A 2 s announcement (a tone stands in for the words).
  const consent = join(dir, 'consent.wav');
  const pcm = new Int16Array((8000 * CONSENT_MS) / 1000);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 700 * i) / 8000));
  writeWav(consent, pcm);

  const pops: { attemptId: string; at: number }[] = [];
  agentsTalk(desk, { talkMs: 2500, wrapMs: 300, onPop: (e) => pops.push({ attemptId: e.pop.attemptId, at: Date.now() }) });
  await loginReady(desk, ['ag1']);
  await setRecordingSettings(redis, 'rec', { enabled: true, from: 'answer', consentPrompt: consent });
  await makeList(redis, 'L', numbersFor([0]));
  await runCampaign(redis, 'rec', 'L', { mode: 'progressive', ringTimeoutSec: 20, maxAttempts: 1, agentGroups: ['sales'] });

  for (let i = 0; (await getCampaign(redis, 'rec'))!.state !== 'completed'; i++) {
    if (i > 300) throw new Error('campaign did not complete');
    await sleep(200);
  }
  const [a] = await readAttempts(redis, 'rec');
  t.ok(a, 'one attempt');
  t.equal(a!.code, 20, 'a person, connected to the agent');
  t.ok(a!.personAt && a!.consentAt && a!.bridgedAt, 'person, consent and bridge times kept in the attempt');
  const heardMs = a!.consentAt! - a!.personAt!;
  t.ok(heardMs >= CONSENT_MS - 100, `the announcement played to its end before the agent (${heardMs} ms)`);
  t.ok(a!.bridgedAt! >= a!.consentAt!, 'the agent was connected after it');
  t.equal(pops.length, 1);

  // The recording: from the answer, with its agent, its entry in the history stream.
  let rec = await getRecording(redis, recordingId('rec', a!.attemptId));
  for (let i = 0; rec?.status === 'recording' && i < 50; i++) {
    await sleep(100);
    rec = await getRecording(redis, recordingId('rec', a!.attemptId));
  }
  t.match(rec, { status: 'done', from: 'answer', agentId: 'ag1', attemptId: a!.attemptId, contactId: a!.contactId });
  const callMs = a!.endedAt! - a!.answeredAt!;
  t.ok(
    rec!.durationMs! >= callMs - 600 && rec!.durationMs! <= callMs + 600,
    // Where a shortfall is, when this fails (once, 5680 ms of 6522, at load 42): the recording's start after the answer.
    `recorded from the answer to the end (${rec!.durationMs} ms of a ${callMs} ms call; started ${rec!.startedAt - a!.answeredAt!} ms after the answer)`,
  );
  // The history stream's own entry, joined to the attempt by the reports.
  t.match(a!.recording, { id: rec!.id, status: 'done', from: 'answer', agentId: 'ag1', durationMs: rec!.durationMs });
  const entries = await redis.xrange(keys.campaign('rec', 'history'), '-', '+');
  t.same(entries.map(([, kv]) => kv[1]).sort(), ['attempt', 'recording'], 'the history stream holds the attempt and its recording');

  // Channel 1: the customer from the answer on; channel 2: silent until the agent was connected. The windows come
  // from the file (test/helpers/recording-audio.ts): the recorder pads channel 2 with zeros until the agent's leg is
  // tapped, so its first non-zero frame is where the agent joined. The wall clock only bounds how long the agent's
  // part may be: from the bridge to the end of the call. A stall of this process can only shorten the file (the
  // pacer drops ticks after 5 late ones), never lengthen it, so the bound holds under load and still fails when
  // channel 2 takes the agent before the bridge.
  const wav = readFileSync(rec!.path);
  t.equal(wav.readUInt16LE(22), 2, 'two channels');
  const [customer, agent] = stereoChannels(wav).map(framesOf) as [Int16Array[], Int16Array[]];
  const joined = firstNonZeroFrame(agent);
  t.ok(joined > 0, `channel 2 starts silent and then holds audio (first sound at frame ${joined} of ${agent.length})`);
  const before = rmsOf(customer, 0, joined);
  t.ok(before > 50, `channel 1 holds the customer before the agent (rms ${before.toFixed(0)})`);
  const agentPartMs = (agent.length - joined) * FRAME_MS;
  const bridgedMs = a!.endedAt! - a!.bridgedAt!;
  t.ok(
    agentPartMs <= bridgedMs + 200,
    `channel 2 is silent before the agent (its part of the file ${agentPartMs} ms, the bridge lasted ${bridgedMs} ms)`,
  );
  const after = rmsOf(agent, joined + 10, agent.length);
  t.ok(after > 50, `channel 2 holds the agent once connected (rms ${after.toFixed(0)})`);
});
