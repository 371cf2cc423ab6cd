/**
 * The production path end to end: a progressive campaign through the
 * freeswitch driver (live drachtio-server + FreeSWITCH from freeswitch-conf/,
 * stream detection) with SIPp agent phones and the SIPp carrier simulator.
 * Every number ends with its documented code (a person is bridged to an
 * agent: 20), and what the agent hears — FreeSWITCH's write stream on the
 * agent's leg, recorded there — is hold music, then the 200 ms beep, then
 * the customer, checked with lib/media. Frames FreeSWITCH's recorder makes
 * up (not sent: test/helpers/fs-recording.ts) are left out first.
 */
import t from 'tap';
import { join } from 'node:path';
import { DIGIT_CODES, makeList, numbersFor, runCampaign } from '../../helpers/campaign-env';
import { getCampaign } from '../../../lib/store/campaigns';
import { DialQueue } from '../../../lib/store/dial-queue';
import { readAudioFile } from '../../../lib/media/audio-file';
import { createCallAnalyzer } from '../../../lib/media/analyzer';
import { startLiveEnv } from '../../helpers/live-freeswitch';
import { liveServersMissing } from '../../helpers/live-servers';
import { sleep } from '../../helpers/wait';
import { findTone, frameRms, sentFrames, toneShare } from '../../helpers/fs-recording';

const missing = liveServersMissing();
/** How long the agent talks: the customer's "Hello?", a pause, more words (uas-person's audio). */
const TALK_MS = 4500;

t.test(
  'progressive campaign through drachtio + FreeSWITCH: every code, and the agent hears hold music, beep, customer',
  { skip: missing ?? false, timeout: 180000 },
  async (t) => {
    const { live, redis, peers, config, startServices } = await startLiveEnv(t, { name: 'e2e-fs', agents: 2, agentGroup: 'sales' });
    const services = await startServices();
    const { driver } = services;
    t.equal(driver.name, 'freeswitch', 'the services run the freeswitch driver');
    const desk = services.desk;

    // Record what FreeSWITCH sends to the first agent (its write stream) from login to the end.
    const recAgent = peers.agents[0]!.id;
    const recFile = join(live.dir, 'agent-hears.wav');
    let recUuid: string | undefined;
    desk.on('state', (e) => {
      if (e.agentId === recAgent && e.to === 'ready' && !recUuid) {
        void (async () => {
          const leg = (await desk.status(recAgent))?.leg;
          recUuid = leg ? driver.mediaUuid(leg) : undefined;
          if (!recUuid) return;
          await live.api(`uuid_setvar_multi ${recUuid} RECORD_WRITE_ONLY=true`);
          await live.api(`uuid_record ${recUuid} start ${recFile}`);
        })();
      }
    });
    // Act as the agents: talk a moment (the customer's "Hello?"), hang up, finish wrap-up.
    desk.on('screen-pop', (e) => {
      void sleep(TALK_MS).then(() => desk.hangupCustomer(e.agentId).catch(() => undefined));
    });
    desk.on('state', (e) => {
      if (e.to === 'wrap_up') setTimeout(() => void desk.finishWrapUp(e.agentId, 'continue').catch(() => undefined), 200);
    });
    for (const a of peers.agents) await desk.login(a.id);
    for (const until = Date.now() + 15000; (await desk.readyCount(['sales'])) < peers.agents.length;) {
      if (Date.now() > until) throw new Error('agents not ready');
      await sleep(100);
    }
    // Hold music for a while before the first customer.
    await sleep(1500);

    const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0];
    await makeList(redis, 'L1', numbersFor(digits));
    // The ring timeout is past the carrier's 404 for digit 5 (4 s after its 183), so the far end decides that code:
    // recognising its SIT through FreeSWITCH takes 1.2-1.35 s at load 20-26 (test/e2e/freeswitch/pool.test.ts prints
    // it), and a 2 s timeout's CANCEL there makes the call a 2. Only the digit-4 call (ring until CANCEL) waits it out.
    await runCampaign(redis, 'camp1', 'L1', { mode: 'progressive', ringTimeoutSec: 7, maxAttempts: 1, agentGroups: ['sales'] });
    for (const end = Date.now() + 120000; (await getCampaign(redis, 'camp1'))!.state !== 'completed';) {
      if (Date.now() > end) break;
      await sleep(250);
    }
    t.equal((await getCampaign(redis, 'camp1'))!.state, 'completed', 'the campaign completes');

    const history = await new DialQueue(redis, 'camp1').history();
    const got: Record<string, number> = {};
    for (const h of history) got[h.fields.ref!.split(':')[1]!] = Number(h.fields.code);
    const want: Record<string, number> = {};
    digits.forEach((d, i) => (want[`c${i}`] = DIGIT_CODES[d]!));
    t.same(got, want, 'every number has its expected result code (person → bridged to an agent, 20)');

    t.ok(recUuid, 'the agent leg was recorded');
    if (recUuid) await live.api(`uuid_record ${recUuid} stop ${recFile}`).catch(() => undefined);
    await sleep(300);
    // What FreeSWITCH sent: the recording without the frames its recorder made up when a read ping found nothing
    // written (a playback on the timer writes from another thread than the one reading: test/helpers/fs-recording.ts).
    const { frames, fill } = sentFrames(readAudioFile(recFile));
    t.comment(`agent recording: ${frames.length} frames sent, ${fill} made up by the recorder`);
    // The beep: 1 kHz dominating ≥ 160 ms (tone_stream://%(200,0,1000)).
    const beepAt = findTone(frames, 1000);
    t.ok(beepAt > 0, `the agent heard the 1 kHz beep (frame ${beepAt} of ${frames.length})`);
    // Hold music before the beep (when no beep was found, over the whole recording: the message says which).
    const before = frames.slice(0, beepAt > 0 ? beepAt : frames.length);
    const music = before.filter((f) => frameRms(f) > 200 && toneShare(f, 1000) < 0.3).length;
    t.ok(
      music * 20 >= 1000,
      `hold music ${beepAt > 0 ? 'before the beep' : 'in the whole recording (no beep)'}: ${music * 20} ms of sound`,
    );
    // After the beep, while bridged: the customer ("Hello?" … ), which lib/media's analyser calls a person.
    const analyzer = createCallAnalyzer({ config: config.media, phase: 'answered' });
    const verdicts = [];
    for (const f of frames.slice(beepAt + 12, beepAt + 12 + TALK_MS / 20)) {
      verdicts.push(...analyzer.push(f));
      if (analyzer.done) break;
    }
    t.match(
      verdicts.map((v) => v.kind),
      ['human'],
      `lib/media hears the customer after the beep (${JSON.stringify(verdicts.map((v) => v.kind))})`,
    );
  },
);
