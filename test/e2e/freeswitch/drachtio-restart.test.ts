/**
 * drachtio-server dies and is restarted while the dialer runs. Found with a
 * SIGKILL under the live campaign test: a call whose endpoint was made just
 * before drachtio died was refused by drachtio-srf ("assert(typeSocket(socket))")
 * and the runner closed it 13 (dial error, its contact's last attempt) though
 * nothing had gone out. Now such a call goes back uncounted (NO_CAPACITY), as
 * does every call offered while drachtio is down (no endpoint made for it);
 * srf reconnects by itself once drachtio is back, its retry delay capped (it
 * grew without bound: 43 s after a 30 s outage), and calls are placed again.
 * A call answered before the loss keeps its media (FreeSWITCH carries it);
 * hung up by the dialer, it ends once. Live drachtio-server and FreeSWITCH,
 * the SIPp carrier simulator; waits are on conditions, bounded.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackPeers } from '../../../lib/demo/loopback';
import type { EndCause, LegEvent } from '../../../lib/telephony/contract';
import { startLiveDriver, untilNoted } from '../../helpers/live-driver';
import { liveServersMissing, startLiveServers } from '../../helpers/live-servers';

const missing = liveServersMissing();

t.test(
  'drachtio-server dies and restarts: nothing unsent is counted, calls are placed again once it is back',
  { skip: missing ?? false, timeout: 240000 },
  async (t) => {
    const live = await startLiveServers(t);
    const dir = mkdtempSync(join(tmpdir(), 'dialer-e2e-drachtio-restart-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const peers = await startLoopbackPeers({ agents: 0, dir });
    t.teardown(() => peers.stop());
    const { driver } = await startLiveDriver(t, live, peers.carrier.address);
    const answered = new Set<string>();
    const ends = new Map<string, EndCause[]>();
    driver.onEvent((e: LegEvent) => {
      if (e.type === 'answer') answered.add(e.legId);
      if (e.type === 'end') ends.set(e.legId, [...(ends.get(e.legId) ?? []), e.cause]);
    });

    // Last digit 0: a person who talks until our BYE.
    const before = await driver.originate({ to: '031200000', ringTimeoutMs: 120000 });
    await untilNoted(t, 'the first call answered', () => answered.has(before), 30000);

    // drachtio dies after this call's endpoint and detection are made, just before its INVITE (beforeSend).
    await t.rejects(
      driver.originate({
        to: '031200010',
        ringTimeoutMs: 120000,
        beforeSend: async () => {
          await live.killDrachtio();
          await untilNoted(t, 'the driver sees drachtio-server lost', () => /drachtio down/.test(driver.health().detail), 10000);
          return true;
        },
      }),
      { code: 'NO_CAPACITY', message: /drachtio-server was lost before the INVITE was sent; nothing went out/ },
      'the call caught in between goes back uncounted',
    );
    await t.rejects(
      driver.originate({ to: '031200020', ringTimeoutMs: 120000 }),
      { code: 'NO_CAPACITY', message: 'drachtio-server is not connected; nothing went out' },
      'so does a call offered while it is down',
    );
    t.notOk(ends.has(before), 'the answered call is not ended by the loss (FreeSWITCH carries its media)');

    // Down for 30 s (an operator's restart, a crash and its supervisor): drachtio-srf's own retry delay, uncapped, would
    // have grown to 43 s after the loss by then, so the dialer would stay deaf 13 s after drachtio-server is back;
    // capped (DRACHTIO_RETRY_MAX_MS, 2 s), it reconnects within the cap of the restart (the bound leaves room for a loaded host).
    await new Promise((r) => setTimeout(r, 30000));
    t.match(driver.health(), { ok: false, detail: /^drachtio down/ }, 'health says drachtio is down meanwhile');
    await live.restartDrachtio();
    await untilNoted(t, 'srf connected again', () => /^drachtio connected/.test(driver.health().detail), 10000);
    const after = await driver.originate({ to: '031200030', ringTimeoutMs: 120000 });
    await untilNoted(t, 'a call placed after the restart is answered', () => answered.has(after), 30000);

    await driver.hangup(before);
    await driver.hangup(after);
    t.equal(ends.get(before)?.length, 1, 'the call answered before the loss, hung up now, ends once');
    t.match(ends.get(after), [{ by: 'local', answered: true }], 'and the new one');
    t.equal(ends.size, 2, 'nothing else ended');
  },
);
