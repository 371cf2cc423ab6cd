/**
 * A media server connection given up on (its timeout passed) that succeeds afterwards, against a live FreeSWITCH
 * behind a live drachtio-server through the real adapters. FreeSWITCH is SIGSTOPped first, so the connect (the
 * TCP handshake is the kernel's) waits for its login past the timeout: the race made certain. Once FreeSWITCH runs
 * again the abandoned attempt completes; nobody holds it, so the driver must close it itself, or its event socket
 * (and fsmrf's listener) stays open for ever and keeps the process alive. The open sockets are read from Linux's
 * table (/proc/net/tcp), as the SIPp harness reads /proc/net/udp.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import t from 'tap';
import { DrachtioMrf } from '../../../lib/telephony/drivers/freeswitch/adapters';
import { liveServersMissing, liveSrf, startLiveServers } from '../../helpers/live-servers';

const missing = liveServersMissing();

/** This process's established TCP connections to 127.0.0.1:port. */
function connectionsTo(port: number): number {
  const mine = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      mine.add(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((row) => row.trim().split(/\s+/))
    .filter((f) => f[2] === remote && f[3] === '01' && mine.has(`socket:[${f[9]}]`)).length;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('a media server connect that completes after its timeout is closed', { skip: missing ?? false, timeout: 120000 }, async (t) => {
  const live = await startLiveServers(t);
  const fs = live.freeswitch;
  const srf = await liveSrf(t, live);
  const mrf = new DrachtioMrf(srf);
  const opts = { address: fs.address, port: fs.port, secret: fs.secret, profile: fs.profile, listenAddress: '127.0.0.1' };

  fs.pause();
  t.teardown(() => fs.resume());
  await t.rejects(mrf.connect({ ...opts, timeoutMs: 1000 }), /no answer within/, 'the connect gives up at its timeout');
  t.equal(connectionsTo(fs.port), 1, 'its event socket is open meanwhile (the kernel took the handshake)');
  fs.resume();
  // The abandoned attempt logs in now, then the driver closes it: waited for, bounded.
  for (const until = Date.now() + 20000; connectionsTo(fs.port) > 0 && Date.now() < until;) await settle(100);
  t.equal(connectionsTo(fs.port), 0, 'no event socket left open to FreeSWITCH');

  // The server itself is fine: a connect now works, and is closed by its owner as usual.
  const ms = await mrf.connect({ ...opts, timeoutMs: 30000 });
  t.equal(connectionsTo(fs.port), 1, 'a fresh connect holds one event socket');
  ms.disconnect();
  for (const until = Date.now() + 10000; connectionsTo(fs.port) > 0 && Date.now() < until;) await settle(100);
  t.equal(connectionsTo(fs.port), 0, 'closed by disconnect()');
});
