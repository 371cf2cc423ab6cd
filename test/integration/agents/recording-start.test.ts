/**
 * A recording from the answer starts when the dialer handles the answer (settings read, metadata written, the
 * driver's record command); the consent announcement waits for it (`CallRecordings.started`), so the recording
 * holds the announcement from its first word. On FreeSWITCH at load the recording once began inside the
 * announcement (CI: test/e2e/freeswitch/recording-consent.test.ts). Real Redis; the driver is the desk tests'
 * recording driver with a record command the test answers when it chooses.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t, { type Test } from 'tap';
import { CallRecordings } from '../../../lib/agents/recordings';
import type { LiveAgentDesk } from '../../../lib/agents/desk';
import { DialerEvents } from '../../../lib/dialer/events';
import { getRecording, recordingId, setRecordingSettings } from '../../../lib/store/recordings';
import type { RecordRequest } from '../../../lib/telephony/contract';
import { RecordingDriver } from '../agent-desk/recording-driver';
import { startTestRedis } from '../../helpers/redis';

/** The recording driver, with a record command that returns when the test says so. */
class SlowRecorder extends RecordingDriver {
  readonly asked: RecordRequest[] = [];
  private replies: (() => void)[] = [];
  async startRecording(req: RecordRequest): Promise<string> {
    this.asked.push(req);
    await new Promise<void>((r) => this.replies.push(r));
    return `rec-${this.asked.length}`;
  }
  async recordingAgent(): Promise<void> {}
  reply(): void {
    this.replies.shift()?.();
  }
}

async function world(t: Test) {
  const { redis } = await startTestRedis(t);
  const dir = mkdtempSync(join(tmpdir(), 'dialer-rec-start-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const driver = new SlowRecorder();
  const recordings = new CallRecordings({
    redis,
    driver,
    // The desk is only listened to by start() (screen pops), which these cases do not need.
    desk: new EventEmitter() as unknown as LiveAgentDesk,
    log: pino({ level: 'silent' }),
    config: { dir, retentionDays: 0, sweepIntervalSec: 3600 },
  });
  const events = new DialerEvents();
  recordings.attachDialer(events);
  t.teardown(() => recordings.stop());
  /** The runner's events for one call: placed, then answered (the analysing phase). */
  const answered = (campaignId: string, attemptId: string) => {
    events.emitEvent({ type: 'call.started', at: Date.now(), campaignId, attemptId, legId: `leg-${attemptId}`, ref: 'L:c1', attemptNo: 1 });
    events.emitEvent({ type: 'call.phase', at: Date.now(), campaignId, attemptId, phase: 'analysing' });
  };
  return { redis, driver, recordings, answered };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('the consent waits for the record command: not before its reply, at once after it', async (t) => {
  const w = await world(t);
  await setRecordingSettings(w.redis, 'c', { enabled: true, from: 'answer', consentPrompt: '/prompts/consent.wav' });
  w.answered('c', 'A-1');
  let ready: boolean | undefined;
  const waiting = w.recordings.started('A-1', 60_000).then((v) => (ready = v));
  for (let i = 0; w.driver.asked.length === 0; i++) {
    if (i > 500) throw new Error('no record command');
    await settle(10);
  }
  await settle(100);
  t.equal(ready, undefined, 'still waiting while the driver has not answered the record command');
  t.equal(w.driver.asked[0]!.customerLeg, 'leg-A-1', "the customer's leg is recorded");
  w.driver.reply();
  t.equal(await waiting, true, 'ready once the recording runs');
  t.match(await getRecording(w.redis, recordingId('c', 'A-1')), { status: 'recording', from: 'answer' });
  t.equal(await w.recordings.started('A-1', 60_000), true, 'asked again: nothing left to wait for');
});

t.test('a record command that does not answer holds the consent for the bound only', async (t) => {
  const w = await world(t);
  await setRecordingSettings(w.redis, 'c', { enabled: true, from: 'answer' });
  w.answered('c', 'A-2');
  t.equal(await w.recordings.started('A-2', 200), false, 'given up after the bound: the announcement plays');
  w.driver.reply();
});

t.test('nothing to wait for: no recording, a recording from the bridge, an unknown attempt', async (t) => {
  const w = await world(t);
  await setRecordingSettings(w.redis, 'bridge', { enabled: true, from: 'bridge' });
  w.answered('none', 'A-3');
  w.answered('bridge', 'A-4');
  t.equal(await w.recordings.started('A-3', 60_000), true, 'a campaign that does not record');
  t.equal(await w.recordings.started('A-4', 60_000), true, 'a campaign that records from the agent');
  t.equal(await w.recordings.started('A-5', 60_000), true, 'an attempt never answered');
  t.same(w.driver.asked, [], 'no record command for any of them');
});
