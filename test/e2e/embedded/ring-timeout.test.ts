/**
 * Real time, real SIPp: a far end that rings 45 s, dialled by `dialer call`
 * with the default 40 s ring timeout. The dialer must CANCEL at 40 s (not end
 * at Timer B's 32 s, not ring on), get 487 and record 2; SIPp's own run must
 * pass (it fails the call if no CANCEL comes within 45 s).
 */
import t from 'tap';
import { callMain } from '../../../app/commands/call';
import { startSipp } from '../../../lib/telephony/testing/sipp';

t.test('dialer call against a 45 s ringing far end: CANCEL at 40 s, 487, result 2', async (t) => {
  const far = await startSipp({ scenario: 'uas-ring-45s', timeoutS: 90 });
  t.teardown(() => far.stop());
  const lines: string[] = [];
  const rc = await callMain(['0312345678', '--trunk', far.address, '--json'], (l) => lines.push(l), { log: { level: 'silent' } });
  t.equal(rc, 0);
  const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const end = objs.find((o) => o.event === 'end') as { t: number; sipStatus: number; by: string } | undefined;
  t.match(end, { sipStatus: 487, by: 'timeout', answered: false }, '487 after our CANCEL');
  // The CANCEL goes at 40 s; SIPp (timeout 45 s on the CANCEL) fails the call if it comes later.
  t.ok(end && end.t >= 40_000, `ended no earlier than the 40 s ring timeout (t=${end?.t})`);
  t.match(objs.at(-1), {
    event: 'summary',
    resultCode: 2,
    resultName: /no.?answer/i,
    answered: false,
    sipStatus: 487,
    hangupBy: 'timeout',
  });
  const sipp = await far.done;
  t.equal(sipp.code, 0, `SIPp's own run passed${sipp.code ? `: ${sipp.stderr.slice(-400)}` : ''}`);
});
