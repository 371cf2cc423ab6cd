/**
 * A SIPp far end is started only when it holds its own SIP port. Test files run side by side each pick ports
 * probed free; when two picked the same one, the SIPp that lost exits on EADDRINUSE, but the start used to wait
 * only for "the port is taken", which the winner's socket satisfied: the far end was taken for started and its
 * calls went to the other file's SIPp (CI: a digest-auth call declined by the other file's carrier simulator's
 * 603). Real SIPp; the other process is a Node child holding the port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import t, { type Test } from 'tap';
import { freeUdpPort, udpPortHolder } from '../../../lib/telephony/testing/ports';
import { startSipp } from '../../../lib/telephony/testing/sipp';

/** A child process holding 127.0.0.1:`port` (UDP) until the test ends. */
async function heldElsewhere(t: Test, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-e', `require('dgram').createSocket('udp4').bind(${port}, '127.0.0.1', () => console.log('bound'))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
  });
  return child;
}

t.test("who holds a loopback UDP port: this process's socket, another's, nobody's", async (t) => {
  const port = await freeUdpPort();
  t.equal(udpPortHolder(process.pid, port), 'free', 'nobody yet');
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(port, '127.0.0.1', r));
  t.equal(udpPortHolder(process.pid, port), 'mine', 'bound here');
  await new Promise<void>((r) => s.close(r));
  const other = await freeUdpPort();
  const child = await heldElsewhere(t, other);
  t.equal(udpPortHolder(process.pid, other), 'other', 'bound by another process');
  t.equal(udpPortHolder(child.pid!, other), 'mine', "and that process's own");
});

t.test('a SIPp whose port another process holds is not taken for started, though the port is taken', async (t) => {
  const port = await freeUdpPort();
  await heldElsewhere(t, port);
  await t.rejects(startSipp({ scenario: 'uas', port, timeoutS: 10 }), /Address already in use|errno = 98|held by another process/);
});

t.test('a SIPp on a free port starts, holding it', async (t) => {
  const sipp = await startSipp({ scenario: 'uas', timeoutS: 10 });
  t.teardown(() => sipp.stop());
  t.equal(udpPortHolder(process.pid, sipp.port), 'other', 'held, by SIPp (not this process)');
});
