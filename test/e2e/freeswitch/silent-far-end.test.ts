/**
 * Audio to a far end that sends no RTP at all (a muted phone, silence
 * suppression, a carrier that sends nothing until it hears something), live
 * through drachtio-server and FreeSWITCH.
 *
 * Found live: FreeSWITCH paces playback on a channel without a timer by the
 * RTP it reads from it, so a message to such a far end stopped after a few
 * packets and never ended, and hold music to an agent whose phone sends
 * nothing stalled the same way. The far ends here are SIPp phones whose media
 * is a probe that sends nothing and keeps every frame it receives: the whole
 * message must arrive (and end: `playback-done`), and hold music must keep
 * coming.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../../lib/config';
import { createFreeswitchDriver } from '../../../lib/telephony/drivers/freeswitch';
import type { LegEvent } from '../../../lib/telephony/contract';
import { startProbePhone } from '../../../lib/telephony/testing/rtp-probe';
import { liveServersMissing, startLiveServers } from '../../helpers/live-servers';

const MESSAGE_HZ = 1000;
const MESSAGE_S = 3;
/** 20 ms frames. */
const MESSAGE_FRAMES = (MESSAGE_S * 1000) / 20;
const HOLD_FRAMES = 250;

async function until(cond: () => boolean, what: () => string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test(
  'freeswitch driver: a message and hold music reach a far end that sends no RTP',
  { skip: liveServersMissing() ?? false },
  async (t) => {
    const live = await startLiveServers(t);
    const message = join(t.testdir(), 'message.wav');
    execFileSync('sox', [
      '-n',
      '-r',
      '8000',
      '-c',
      '1',
      '-b',
      '16',
      message,
      'synth',
      String(MESSAGE_S),
      'sine',
      String(MESSAGE_HZ),
      'vol',
      '0.5',
    ]);
    const customer = await startProbePhone({ toneHz: 0, silent: true, timeoutS: 120 });
    t.teardown(() => customer.stop());
    const agent = await startProbePhone({ toneHz: 0, silent: true, timeoutS: 120 });
    t.teardown(() => agent.stop());
    const config = loadConfig({
      env: {},
      overrides: {
        telephony: {
          driver: 'freeswitch',
          freeswitch: live.configSection('stream'),
          trunks: [{ name: 'carrier', address: customer.sipp.address }],
        },
      },
    });
    const driver = createFreeswitchDriver({ config, logger: pino({ level: process.env.DIALER_LOG__LEVEL ?? 'silent' }) });
    await driver.start();
    t.teardown(() => driver.stop());
    const events: LegEvent[] = [];
    driver.onEvent((e) => events.push(e));
    const answered = (leg: string) =>
      until(
        () => events.some((e) => e.type === 'answer' && e.legId === leg),
        () => `leg ${leg} to answer`,
        20_000,
      );

    t.test('a message to a customer (outgoing leg through the trunk, not analysed) plays to its end', async (tt) => {
      const c = await driver.originate({ to: '0312345678', ringTimeoutMs: 10_000 });
      await answered(c);
      const startedAt = Date.now();
      const id = await driver.play(c, { kind: 'file', path: message });
      const done = () => events.some((e) => e.type === 'playback-done' && e.legId === c && e.id === id);
      // A bound, not a speed: a 3 s message on a loaded machine, plus the stall it must not have.
      await until(done, () => `playback-done (the far end has ${customer.probe.frames.length} frames)`, 30_000).catch((err: Error) =>
        tt.fail(err.message),
      );
      tt.ok(done(), 'the message ended (playback-done)');
      // The last packets may still be on their way when FreeSWITCH reports the end.
      await until(
        () => customer.probe.heard([MESSAGE_HZ], startedAt).frames >= MESSAGE_FRAMES * 0.95,
        () => `the whole message (${customer.probe.frames.length} frames)`,
        5000,
      ).catch(() => undefined);
      const heard = customer.probe.heard([MESSAGE_HZ], startedAt);
      tt.ok(
        heard.frames >= MESSAGE_FRAMES * 0.95,
        `the far end received the whole message: ${heard.frames} of ${MESSAGE_FRAMES} frames (it stalled after a few before)`,
      );
      tt.ok(heard.shares[MESSAGE_HZ]! > 0.8, `and it is the message (${MESSAGE_HZ} Hz share ${heard.shares[MESSAGE_HZ]!.toFixed(2)})`);
      await driver.hangup(c);
    });

    t.test('hold music to an agent (SIP URI leg) keeps coming', async (tt) => {
      const a = await driver.originate({ to: `sip:agent@${agent.sipp.address}`, ringTimeoutMs: 10_000 });
      await answered(a);
      const startedAt = Date.now();
      await driver.play(a, { kind: 'hold' });
      // Waited for and asserted by the same count (heard(): whole frames received before the call), so a frame
      // arriving in the very millisecond the wait ends is not counted by one and not the other (249 of 250, once).
      await until(
        () => agent.probe.heard([], startedAt).frames >= HOLD_FRAMES,
        () => `${HOLD_FRAMES} frames of hold music (the agent has ${agent.probe.heard([], startedAt).frames})`,
        30_000,
      ).catch((err: Error) => tt.fail(err.message));
      const heard = agent.probe.heard([], startedAt);
      tt.ok(
        heard.frames >= HOLD_FRAMES,
        `the agent received ${heard.frames} frames (${HOLD_FRAMES} wanted; it stalled after a few before)`,
      );
      tt.ok(heard.meanAbs > 100, `and they are music, not silence (mean level ${heard.meanAbs.toFixed(0)})`);
      await driver.hangup(a);
    });
  },
);
