/**
 * A media server that stops answering while the dialer places calls: one of
 * two FreeSWITCH is SIGSTOPped (a hung process; its sockets stay open, so
 * nothing tells the dialer) after the other has taken a call, so the pool's
 * next pick is the stopped one. The call placed on it must not wait for the
 * SIP transaction's Timer B (32 s: the INVITE that creates the endpoint is
 * never answered) while the runner's tick, which awaits each originate, holds
 * every campaign's calls: after `mediaServerStallMs` it is refused
 * (NO_CAPACITY, nothing went to the far end, the contact goes back uncounted),
 * and the server gets no new call until that creation is answered, however
 * long that takes (past `mediaServerBackoffMs`) and however loaded the other
 * is. SIGCONT: the late endpoint is hung up (no channel left), and the server
 * takes calls again. Live drachtio-server, two FreeSWITCH, the SIPp carrier
 * simulator; waits are on conditions, bounded.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackPeers } from '../../../lib/demo/loopback';
import { startLiveDriver, untilNoted } from '../../helpers/live-driver';
import { liveServersMissing, startLiveServers, type LiveFreeswitch } from '../../helpers/live-servers';

const missing = liveServersMissing();

t.test(
  'a stopped FreeSWITCH: the call placed on it is refused after mediaServerStallMs, the next go to the other until it answers',
  { skip: missing ?? false, timeout: 240000 },
  async (t) => {
    const live = await startLiveServers(t, { freeswitches: 2 });
    const [fs1, fs2] = live.freeswitches as [LiveFreeswitch, LiveFreeswitch];
    const dir = mkdtempSync(join(tmpdir(), 'dialer-e2e-fs-stalled-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const peers = await startLoopbackPeers({ agents: 0, dir });
    t.teardown(() => peers.stop());
    // Every timer at its default: the stall bound (10 s) is under Timer B (32 s), the backoff (5 s) under both.
    const { driver, config } = await startLiveDriver(t, live, peers.carrier.address);
    const fsConfig = config.telephony.freeswitch;
    t.ok(fsConfig.mediaServerStallMs < 32000 && fsConfig.mediaServerBackoffMs < fsConfig.mediaServerStallMs, 'defaults as described');
    const byName = { fs1, fs2 };

    // Last digit 0: a person who talks until our BYE.
    const first = await driver.originate({ to: '031200000', ringTimeoutMs: 120000 });
    const busy = driver.mediaServerOf(first) as 'fs1' | 'fs2';
    const other = busy === 'fs1' ? 'fs2' : 'fs1';
    const stopped = byName[other];
    t.teardown(() => stopped.resume());
    stopped.pause();

    const begin = Date.now();
    await t.rejects(
      driver.originate({ to: '031200010', ringTimeoutMs: 120000 }),
      { code: 'NO_CAPACITY', message: new RegExp(`${other}.*did not answer.*within ${fsConfig.mediaServerStallMs} ms`) },
      `the call placed on ${other} (the least loaded) is refused`,
    );
    t.comment(`refused ${Date.now() - begin} ms after the originate`);
    t.match(driver.health(), { ok: true, detail: new RegExp(`${other} stalled`) }, 'health names the stalled server');

    // Past the backoff: a server that merely failed would be offered calls again by now.
    await new Promise((r) => setTimeout(r, fsConfig.mediaServerBackoffMs + 1000));
    const placed: string[] = [];
    for (let i = 0; i < 2; i++) {
      const id = await driver.originate({ to: `03120002${i}0`, ringTimeoutMs: 120000 });
      placed.push(driver.mediaServerOf(id)!);
    }
    t.same(placed, [busy, busy], `new calls go to ${busy} while ${other}'s creation is unanswered, though ${busy} is more loaded`);

    stopped.resume();
    await untilNoted(t, `${other} no longer stalled`, () => !/stalled/.test(driver.health().detail), 45000);
    // The endpoint FreeSWITCH created late, for a call that was given back, is hung up.
    await untilNoted(t, `no channel left on ${other}`, async () => /^\s*0 total/m.test(await stopped.api('show channels count')), 30000);
    const sessions = Number(/(\d+) session\(s\) since startup/.exec(await stopped.api('status'))?.[1]);
    t.equal(sessions, 1, `${other} did create that endpoint once it ran again (its one session since startup)`);
    const back = await driver.originate({ to: '031200030', ringTimeoutMs: 120000 });
    t.equal(driver.mediaServerOf(back), other, `${other} takes calls again (the least loaded)`);
  },
);
