/**
 * A disk that fills during a recording on the freeswitch driver, live
 * (drachtio-server + FreeSWITCH 1.11): the recording ends as an error naming
 * the file, the call goes on (both parties still hear each other), and a later
 * recording on the same call works once there is room again (issue 17:
 * "Disk full or write errors end the recording, never the call, and are
 * reported"). The full disk is a small tmpfs the test mounts (root only) and
 * removes. What FreeSWITCH signals was found here: with its writer thread a
 * failed write is only logged ("Error writing"); written from the media bug
 * (RECORD_USE_THREAD=false) it ends the recording with RECORD_STOP
 * Record-Completion-Cause uri-failure (supervision.ts).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RtpProbe } from '../../../lib/telephony/testing/rtp-probe';
import type { RecordingResult } from '../../../lib/telephony/contract';
import { holdUntilHeard, probePhone, startLiveDriver, watchLegs } from '../../helpers/live-freeswitch';
import { liveServersMissing, startLiveServers } from '../../helpers/live-servers';
import { until as untilIn } from '../../helpers/wait';

const AGENT = 600;
const CUSTOMER = 1100;

/** A tmpfs of `kb` KiB, or why one cannot be mounted here. */
function mountTmpfs(kb: number): { dir: string; unmount: () => void } | string {
  const dir = mkdtempSync(join(tmpdir(), 'fs-diskfull-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k,mode=0777`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a small tmpfs to fill (needs root): ${(err as Error).message.split('\n')[0]}`;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const until = (cond: () => boolean, what: string, ms: number) => untilIn(cond, what, ms, 20);

/** The share of `hz` in what `probe` received during the next second (at least 25 frames). */
async function hears(probe: RtpProbe, hz: number): Promise<number> {
  const from = Date.now();
  await until(() => probe.frames.filter((f) => f.at >= from).length >= 50, 'a second of audio', 15000);
  const h = probe.heard([hz], from);
  return h.shares[hz]!;
}

const missing = liveServersMissing();
const probeMount = missing ? undefined : mountTmpfs(256);
const cannotMount = typeof probeMount === 'string' ? probeMount : undefined;
if (probeMount && typeof probeMount !== 'string') probeMount.unmount();

t.test(
  'freeswitch driver: a disk that fills ends the recording as an error, never the call, live',
  { skip: missing ?? cannotMount ?? false, timeout: 120000 },
  async (t) => {
    const live = await startLiveServers(t);
    const agent = await probePhone(t, { toneHz: AGENT });
    const customer = await probePhone(t, { toneHz: CUSTOMER });
    // 256 KiB with 160 KiB taken: room for the first 64 KiB block FreeSWITCH writes (2 s of 8 kHz stereo), not the second.
    const disk = mountTmpfs(256);
    if (typeof disk === 'string') throw new Error(disk);
    t.teardown(() => disk.unmount());
    const driver = await startLiveDriver(t, live, { trunk: customer.sipp.address });
    const filler = join(disk.dir, 'filler');
    writeFileSync(filler, Buffer.alloc(160 * 1024));

    const { events, answered } = watchLegs(driver, 15000);
    const hold = (leg: string, probe: RtpProbe) => holdUntilHeard(driver, leg, probe, 15000);
    const a = await driver.originate({ to: `sip:agent@${agent.sipp.address}`, ringTimeoutMs: 10000 });
    const c = await driver.originate({ to: '0312345670', ringTimeoutMs: 10000 });
    await Promise.all([answered(a), answered(c)]);
    await Promise.all([hold(a, agent.probe), hold(c, customer.probe)]);
    await driver.bridge(a, c);

    const ended: RecordingResult[] = [];
    const path = join(disk.dir, 'call.wav');
    const startedAt = Date.now();
    const id = await driver.startRecording({ customerLeg: c, agentLeg: a, path, onEnd: (r) => ended.push(r) });
    // FreeSWITCH fails on its second 64 KiB write (about 4 s of audio); bounded generously for a loaded host.
    await until(() => ended.length > 0, 'the recording to end on the full disk', 60000).catch(async (err: Error) => {
      // What CI prints is the failure's line: say there what FreeSWITCH had written and whether audio still flowed.
      const size = (f: string) => (existsSync(f) ? statSync(f).size : 'none');
      const recent = (probe: RtpProbe) => probe.frames.filter((f) => f.at >= Date.now() - 5000).length;
      throw new Error(
        `${err.message}: file ${size(path)} bytes, filler ${size(filler)}, frames in the last 5 s agent ${recent(agent.probe)} customer ${recent(customer.probe)}, ` +
          `leg events ${events.map((e) => e.type).join(',') || 'none'}, channels ${(await live.api('show channels count')).trim()}`,
      );
    });
    const r = ended[0]!;
    t.equal(r.id, id);
    t.equal(r.endedBy, 'error', 'ended as an error');
    t.match(r.error, new RegExp(`could not write ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*uri-failure`), `reported: ${r.error}`);
    t.ok(r.bytes > 44 && r.bytes <= 96 * 1024, `the short file's size is reported (${r.bytes} bytes)`);
    t.ok(r.durationMs > 0 && r.durationMs < Date.now() - startedAt, `and the audio it holds (${r.durationMs} ms)`);
    await t.rejects(driver.stopRecording(id), { code: 'UNKNOWN_LEG' }, 'the recording is over');

    // The call goes on: no leg ended, both parties still hear each other.
    t.notOk(
      events.some((e) => e.type === 'end'),
      'no leg ended',
    );
    t.ok((await hears(agent.probe, CUSTOMER)) > 0.5, 'the agent still hears the customer');
    t.ok((await hears(customer.probe, AGENT)) > 0.5, 'the customer still hears the agent');

    // Room again: a new recording on the same call works.
    unlinkSync(filler);
    const again = await driver.startRecording({ customerLeg: c, agentLeg: a, path: join(disk.dir, 'again.wav') });
    await hears(agent.probe, CUSTOMER);
    await hears(agent.probe, CUSTOMER);
    const ok = await driver.stopRecording(again);
    t.equal(ok.endedBy, 'stop', 'the next recording ends normally');
    t.ok(ok.durationMs >= 1500, `and holds the audio (${ok.durationMs} ms)`);
    t.equal(ended.length, 1, 'the failed recording reported once');
  },
);
