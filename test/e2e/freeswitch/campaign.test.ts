/**
 * The production path end to end: a progressive campaign through the
 * freeswitch driver (live drachtio-server + FreeSWITCH from freeswitch-conf/,
 * stream detection) with the SIPp carrier simulator and two agent phones.
 * Every number ends with its documented code (a person is bridged to an
 * agent: 20), and what the agent bridged to the first person hears is hold
 * music, then the 200 ms beep, then the customer, checked with lib/media.
 *
 * "What the agent hears" is what their phone received: each agent phone is a
 * SIPp phone whose media is an RTP probe that keeps every frame FreeSWITCH
 * sends it (lib/telephony/testing/rtp-probe.ts). It was a recording of the
 * agent leg's write stream (uuid_record), which is not a faithful witness on a
 * loaded host: FreeSWITCH writes such a recording at the leg's read pings,
 * makes up a frame when nothing was written since (test/helpers/fs-recording.ts),
 * and drops one when more than two are waiting (switch_core_media_bug_read:
 * `do_write > record_frame_size * 2` → switch_buffer_toss). A failure of round
 * twenty-one was that: the recording kept 6 of the beep's 10 frames.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DIGIT_CODES, makeList, numbersFor, runCampaign } from '../../helpers/campaign-env';
import { makeAgents } from '../../../lib/demo/store-setup';
import { getCampaign } from '../../../lib/store/campaigns';
import { DialQueue } from '../../../lib/store/dial-queue';
import { createCallAnalyzer } from '../../../lib/media/analyzer';
import { FRAME_SAMPLES } from '../../../lib/media/types';
import type { LegId } from '../../../lib/telephony/contract';
import { probePhone, startLiveEnv } from '../../helpers/live-freeswitch';
import { liveServersMissing } from '../../helpers/live-servers';
import { AGENT } from '../../helpers/party-tones';
import { sleep, until } from '../../helpers/wait';
import { findTone, frameRms, toneShare } from '../../helpers/fs-recording';
import { describeHeard } from '../../helpers/heard-audio';

const missing = liveServersMissing();
/**
 * How long the agent talks before hanging up: one whole turn of the customer's words (uas-person: 300 ms, "Hello?",
 * 2.5 s, "Hello, who is this?", 3 s; 7.7 s in all) wherever the bridge falls in it. It was 4.5 s, and the analyser
 * called the person 3.6-3.7 s after the beep (the pause after "who is this?"): a FreeSWITCH held up for 2 s on a
 * loaded host ("Task was executed late by 2 seconds" in its log) took the rest of that margin, the agent's hang-up
 * came in as it resumed, and the pause after the customer's words never reached the agent (round twenty-two's
 * CI failure, "lib/media hears the customer after the beep ([])"; a kept run showed the words cut short, then
 * hold music). The assertion is the same: lib/media must call what the agent heard a person.
 */
const TALK_MS = 8000;
/** After the beep's 200 ms (10 frames) and 40 ms for its tail: what follows is the bridge. */
const AFTER_BEEP_FRAMES = 12;

t.test(
  'progressive campaign through drachtio + FreeSWITCH: every code, and the agent hears hold music, beep, customer',
  { skip: missing ?? false, timeout: 180000 },
  async (t) => {
    const { live, redis, config, startServices } = await startLiveEnv(t, { name: 'e2e-fs', agents: 0 });
    // The phones live as long as the test may (SIPp's -timeout would otherwise end them at 60 s under load).
    const phones = {
      ag1: await probePhone(t, { toneHz: AGENT, timeoutS: 170 }),
      ag2: await probePhone(t, { toneHz: AGENT, timeoutS: 170 }),
    };
    const ids = Object.keys(phones) as (keyof typeof phones)[];
    await makeAgents(
      redis,
      'sales',
      ids.map((id) => ({ id, address: phones[id].sipp.address })),
    );
    const services = await startServices();
    const { driver, desk } = services;
    t.equal(driver.name, 'freeswitch', 'the services run the freeswitch driver');

    // The agent the first person is bridged to (the longest-waiting ready one: either agent), and how many frames
    // their phone had received when that bridge ended (the driver's unbridge event): what follows is hold music again.
    let first: { agentId: keyof typeof phones; leg?: LegId; talkMs?: number; bridgeEnd?: number; unbridged?: boolean } | undefined;
    const unbridged = new Set<LegId>();
    driver.onEvent((e) => {
      if (e.type === 'unbridged') unbridged.add(e.legId);
    });
    // Act as the agents: talk (hear the customer), hang up, finish wrap-up.
    desk.on('screen-pop', (e) => {
      const popAt = Date.now();
      first ??= { agentId: e.agentId as keyof typeof phones };
      void sleep(TALK_MS).then(async () => {
        if (first?.agentId === e.agentId && first.talkMs === undefined) first.talkMs = Date.now() - popAt;
        await desk.hangupCustomer(e.agentId).catch(() => undefined);
      });
    });
    desk.on('state', (e) => {
      if (e.to !== 'wrap_up') return;
      void (async () => {
        if (e.agentId === first?.agentId && first.bridgeEnd === undefined) {
          const f = first;
          const leg = (await desk.status(e.agentId))?.leg;
          f.leg = leg;
          f.unbridged = await until(() => !!leg && unbridged.has(leg), 'the agent leg unbridged', 15000).then(
            () => true,
            () => false,
          );
          // Frames already on their way when FreeSWITCH unbridged.
          await sleep(300);
          f.bridgeEnd = phones[f.agentId].probe.frames.length;
        }
        await sleep(200);
        await desk.finishWrapUp(e.agentId, 'continue').catch(() => undefined);
      })();
    });
    for (const id of ids) await desk.login(id);
    await until(async () => (await desk.readyCount(['sales'])) >= ids.length, 'both agents ready', 15000, 100);
    // Hold music for a while before the first customer, heard by both phones.
    await until(() => ids.every((id) => phones[id].probe.frames.length >= 50), 'hold music at both phones', 15000);
    await sleep(500);

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
    // A wrong code says how that attempt ended (its history record: endedBy, sipStatus, endDetail, error), so a run
    // that fails once on a loaded host tells the next reader why (round twenty-six saw digit 3, a clean 486, end 13).
    const wrong = history.filter((h) => Number(h.fields.code) !== want[h.fields.ref!.split(':')[1]!]);
    t.same(
      got,
      want,
      `every number has its expected result code (person → bridged to an agent, 20)${
        wrong.length ? `; wrong: ${wrong.map((h) => JSON.stringify(h.fields)).join(' | ')}` : ''
      }`,
    );

    await until(() => first?.bridgeEnd !== undefined, "the first person's bridge to end", 15000).catch(() => undefined);
    if (!first || first.bridgeEnd === undefined) {
      t.fail(`a person was bridged to an agent and that bridge ended (${JSON.stringify(first)})`);
      return;
    }
    t.ok(first.unbridged, `the driver reported the end of ${first.agentId}'s bridge`);
    const heard = phones[first.agentId].probe.frames.slice(0, first.bridgeEnd).filter((f) => f.pcm.length === FRAME_SAMPLES);
    const frames = heard.map((f) => f.pcm);
    t.comment(`${first.agentId} talked ${first.talkMs} ms; their phone received ${frames.length} frames up to the end of that bridge`);
    // The beep: 1 kHz dominating ≥ 160 ms (tone_stream://%(200,0,1000)).
    const beepAt = findTone(frames, 1000);
    t.ok(beepAt > 0, `the agent heard the 1 kHz beep (frame ${beepAt} of ${frames.length})`);
    // Hold music before the beep (when no beep was found, over the whole bridge's audio: the message says which).
    const before = frames.slice(0, beepAt > 0 ? beepAt : frames.length);
    const music = before.filter((f) => frameRms(f) > 200 && toneShare(f, 1000) < 0.3).length;
    t.ok(
      music * 20 >= 1000,
      `hold music ${beepAt > 0 ? 'before the beep' : 'in the whole recording (no beep)'}: ${music * 20} ms of sound`,
    );
    // The beep was written over the hold music (uuid_displace), not played as a playback of its own once the music
    // had stopped: that order can leave the playback's service thread on the agent's leg, taking the bridge's reads
    // (lib/agents/state.ts connect; lib/telephony/drivers/freeswitch/detect.ts BEEP_POLL_MS).
    const uuid = first.leg ? driver.mediaUuid(first.leg) : undefined;
    const fsLog = readFileSync(join(live.dir, 'log', 'freeswitch.log'), 'utf8').split('\n');
    const ownBeeps = fsLog.filter((l) => !!uuid && l.startsWith(uuid) && l.includes('playback(tone_stream://'));
    t.ok(uuid, `the agent leg's FreeSWITCH uuid (${uuid})`);
    t.same(ownBeeps, [], "the beep was written over the hold music: no tone playback of its own on the agent's leg");
    // After the beep, while bridged: the customer ("Hello, who is this?" …), which lib/media's analyser calls a person.
    const after = heard.slice(beepAt + AFTER_BEEP_FRAMES);
    const analyzer = createCallAnalyzer({ config: config.media, phase: 'answered' });
    const verdicts = [];
    for (const f of after) {
      verdicts.push(...analyzer.push(f.pcm));
      if (analyzer.done) break;
    }
    const kinds = verdicts.map((v) => v.kind);
    t.comment(`after the beep: ${verdicts.map((v) => `${v.kind} at ${v.atMs} ms`).join(', ') || 'no verdict'} of ${after.length * 20} ms`);
    t.match(
      kinds,
      ['human'],
      `lib/media hears the customer after the beep (${JSON.stringify(kinds)})` +
        (kinds[0] === 'human' ? '' : `; the agent's phone got, after the beep: ${describeHeard(after)}`),
    );
  },
);
