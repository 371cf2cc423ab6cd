/**
 * Requests from addresses that are neither trunks nor agent phones (issue 14):
 * one 403 per request however often it is retransmitted — no Timer G repeats
 * towards a source that may be spoofed — or, configured, no answer at all.
 */
import t from 'tap';
import { startRawPeer } from './raw-peer';
import { startTestDriver } from '../../../lib/telephony/testing/driver';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const invite = (addr: string, branch: string) =>
  `INVITE sip:dialer@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP ${addr};branch=${branch}\r\nFrom: <sip:x@y>;tag=a\r\nTo: <sip:d@e>\r\nCall-ID: ${branch}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;

for (const mode of ['reject', 'drop'] as const) {
  t.test(`unknown source, unknownSources=${mode}`, async (t) => {
    const stranger = await startRawPeer('127.0.0.2');
    const driver = await startTestDriver({
      trunks: [{ name: 'p', address: '127.0.0.1:9' }],
      embedded: { sip: { host: '127.0.0.1', port: 0, unknownSources: mode } },
    });
    t.teardown(async () => {
      await driver.stop();
      stranger.close();
    });
    stranger.sendRaw(invite(stranger.address, 'z9hG4bKs1'), driver.sipEndpoint);
    await sleep(200);
    stranger.sendRaw(invite(stranger.address, 'z9hG4bKs1'), driver.sipEndpoint); // its retransmission
    stranger.sendRaw(invite(stranger.address, 'z9hG4bKs2'), driver.sipEndpoint); // another request
    // Past Timer G's first two retransmissions (T1 = 500 ms, then 1 s) of a stateful 403.
    await sleep(1800);
    const answers = stranger.received.map((m) =>
      m.kind === 'response' ? `${m.status} ${m.headers.find((h) => h.name.toLowerCase() === 'via')?.value.split('branch=')[1]}` : m.kind,
    );
    t.same(
      answers,
      mode === 'reject' ? ['403 z9hG4bKs1', '403 z9hG4bKs2'] : [],
      mode === 'reject' ? 'one 403 per request, none repeated' : 'nothing sent',
    );
    t.equal(driver.stats().sip.refused, 3, 'every datagram counted');
  });
}
