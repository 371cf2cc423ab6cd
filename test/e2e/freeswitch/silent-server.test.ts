/**
 * A media server that falls silent without closing its sockets (issue 19):
 * fs2 is SIGSTOPped (a hung process; to the dialer the same as a partition
 * TCP has not noticed) while it carries an answered and a ringing call. With
 * `mediaServerSilenceMs` at 15 s (3 HEARTBEAT intervals of freeswitch-conf's
 * 5 s), the driver takes it for down: its calls end once (`by: "error"`,
 * "silent"), the carrier gets a BYE for the answered one and a CANCEL for the
 * ringing one, new calls go to fs1. SIGCONT: its next HEARTBEAT brings it
 * back, it takes calls again, and the hangups it was sent while stopped leave
 * no channel on it. Live drachtio-server, two FreeSWITCH, the SIPp carrier
 * simulator; waits are on conditions, bounded.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackPeers } from '../../../lib/demo/loopback';
import type { EndCause, LegEvent } from '../../../lib/telephony/contract';
import { startLiveDriver, untilNoted } from '../../helpers/live-driver';
import { liveServersMissing, startLiveServers, type LiveFreeswitch } from '../../helpers/live-servers';

const missing = liveServersMissing();
const SILENCE_MS = 15000;

/** Requests of `method` the carrier (SIPp) received, from its -trace_msg file. */
const received = (trace: string, method: string) =>
  (readFileSync(trace, 'utf8').match(new RegExp(`message received[^\\n]*\\n\\s*\\n${method} sip:`, 'g')) ?? []).length;

t.test(
  'a silent FreeSWITCH is taken for down, its calls end once, and it comes back when heard',
  { skip: missing ?? false, timeout: 240000 },
  async (t) => {
    const live = await startLiveServers(t, { freeswitches: 2 });
    const [, fs2] = live.freeswitches as [LiveFreeswitch, LiveFreeswitch];
    const dir = mkdtempSync(join(tmpdir(), 'dialer-e2e-fs-silent-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const peers = await startLoopbackPeers({ agents: 0, dir });
    t.teardown(() => peers.stop());
    const { driver } = await startLiveDriver(t, live, peers.carrier.address, { mediaServerSilenceMs: SILENCE_MS });
    t.teardown(() => fs2.resume());
    const answered = new Set<string>();
    const ends = new Map<string, EndCause[]>();
    driver.onEvent((e: LegEvent) => {
      if (e.type === 'answer') answered.add(e.legId);
      if (e.type === 'end') ends.set(e.legId, [...(ends.get(e.legId) ?? []), e.cause]);
    });
    const on = (name: string) => driver.mediaServers().find((s) => s.name === name)!;

    // Last digit 0: a person who talks until our BYE; 4: rings until our CANCEL (carrier-simulator).
    // Placement is the pool's (least loaded by our legs or FreeSWITCH's HEARTBEAT session count, which
    // counts a detection sink too and lags up to 5 s), so the test does not assume where a call lands:
    // persons until each server carries one (bounded), then each ringing call beside one of them (nearLeg).
    const legs: Array<{ id: string; server: string; ringing: boolean }> = [];
    const place = async (digit: 0 | 4, nearLeg?: string) => {
      const id = await driver.originate({ to: `0312000${legs.length}0${digit}`, ringTimeoutMs: 120000, nearLeg });
      const leg = { id, server: driver.mediaServerOf(id)!, ringing: digit === 4 };
      legs.push(leg);
      return leg;
    };
    const personOn = (server: string) => legs.find((l) => !l.ringing && l.server === server);
    while (!(personOn('fs1') && personOn('fs2')) && legs.length < 6) await place(0);
    for (const server of ['fs1', 'fs2']) if (personOn(server)) await place(4, personOn(server)!.id);
    await untilNoted(t, 'the person calls answered', () => legs.filter((l) => !l.ringing).every((l) => answered.has(l.id)), 60000);
    const onFs2 = legs.filter((l) => l.server === 'fs2');
    t.ok(
      onFs2.some((l) => !l.ringing) && onFs2.some((l) => l.ringing) && legs.some((l) => l.server === 'fs1'),
      `each server carries calls, fs2 an answered and a ringing one (${JSON.stringify(legs.map((l) => [l.server, l.ringing ? 'ringing' : 'answered']))})`,
    );
    const byes = received(peers.carrierTrace, 'BYE');
    const cancels = received(peers.carrierTrace, 'CANCEL');

    fs2.pause();
    const pausedAt = Date.now();
    await untilNoted(t, 'fs2 taken for silent', () => /fs2 silent/.test(driver.health().detail), SILENCE_MS + 45000);
    // Silence counts from its last HEARTBEAT, up to one 5 s interval before the pause (the unit tests check the bound).
    t.comment(`taken for silent ${Date.now() - pausedAt} ms after the SIGSTOP`);
    await untilNoted(t, 'its calls ended', () => onFs2.every((l) => ends.has(l.id)), 30000);
    for (const l of onFs2) {
      t.equal(ends.get(l.id)!.length, 1, `its ${l.ringing ? 'ringing' : 'answered'} call ended once`);
      t.match(ends.get(l.id)![0], { by: 'error', answered: !l.ringing, detail: /fs2.*silent/ });
    }
    t.same(
      legs.filter((l) => l.server === 'fs1').filter((l) => ends.has(l.id)),
      [],
      'fs1’s calls go on',
    );
    await untilNoted(
      t,
      'the carrier got a BYE per answered call and a CANCEL per ringing call of fs2',
      () =>
        received(peers.carrierTrace, 'BYE') - byes >= onFs2.filter((l) => !l.ringing).length &&
        received(peers.carrierTrace, 'CANCEL') - cancels >= onFs2.filter((l) => l.ringing).length,
      30000,
    );
    t.match(on('fs2'), { state: 'active', connected: false });
    const next = await driver.originate({ to: '031200090', ringTimeoutMs: 120000 });
    t.equal(driver.mediaServerOf(next), 'fs1', 'a new call goes to fs1');

    fs2.resume();
    await untilNoted(t, 'fs2 heard again', () => driver.health().detail === 'drachtio connected; media servers 2/2 connected', 30000);
    // The hangups it was sent while stopped are carried out now; at the latest the driver stops counting them after 32 s.
    // Its load is also its last HEARTBEAT's session count (every 5 s): the one after the hangups says 0.
    await untilNoted(t, 'fs2 counts no leg', () => on('fs2').legs === 0 && on('fs2').sessions === 0, 45000);
    await untilNoted(t, 'no channel left on fs2', async () => /^\s*0 total/m.test(await fs2.api('show channels count')), 30000);
    const back = await driver.originate({ to: '031200190', ringTimeoutMs: 120000 });
    t.equal(driver.mediaServerOf(back), 'fs2', 'it takes calls again (the least loaded)');
    t.equal(ends.size, onFs2.length, 'nothing else ended');
  },
);
