/** SIP over TCP (RFC 3261 §18) against SIPp in TCP mode (`-t t1`): a TCP-only trunk. */
import t from 'tap';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import { testCall } from '../../../lib/telephony/test-call';

t.test('a TCP-only trunk: answered call, analysis, our BYE, all over one TCP connection', async (t) => {
  const far = await startSipp({ scenario: 'uas-person', args: ['-t', 't1'] });
  t.teardown(() => far.stop());
  const driver = await startTestDriver({ trunks: [{ name: 'tcp', address: far.address, transport: 'tcp' }] });
  t.teardown(() => driver.stop());
  const r = await testCall(
    driver,
    { to: '0312345670', ringTimeoutMs: 40_000, analysis: { early: true, answered: true } },
    { flow: true, hangupOnVerdict: true, maxMs: 30_000 },
  );
  t.match(r.end, { answered: true, by: 'local' });
  t.equal(r.resultCode, 1, 'a person: 1');
  const sipp = await far.done;
  t.equal(sipp.code, 0, `SIPp (TCP) saw a complete call${sipp.code ? ': ' + sipp.stderr.slice(-300) : ''}`);
});

t.test('a TCP-only trunk that is busy: 486 ACKed over TCP, result 3', async (t) => {
  const far = await startSipp({ scenario: 'uas-busy-486', args: ['-t', 't1'] });
  t.teardown(() => far.stop());
  const driver = await startTestDriver({ trunks: [{ name: 'tcp', address: far.address, transport: 'tcp' }] });
  t.teardown(() => driver.stop());
  const r = await testCall(driver, { to: '0312345673', ringTimeoutMs: 40_000 }, { maxMs: 30_000 });
  t.equal(r.resultCode, 3);
  t.equal((await far.done).code, 0);
});
