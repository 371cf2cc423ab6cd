/**
 * `dialer call` decides as a campaign does (lib/dialer/call-flow): a busy tone
 * in early media is read with the number's region's tone plan and CANCELled;
 * `--stay` listens on. Real SIPp far ends, real tones.
 */
import t from 'tap';
import { callMain } from '../../../app/commands/call';
import { startSipp } from '../../../lib/telephony/testing/sipp';

async function call(t: { teardown(fn: () => unknown): void }, scenario: string, argv: string[]) {
  const far = await startSipp({ scenario, timeoutS: 40 });
  t.teardown(() => far.stop());
  const lines: string[] = [];
  await callMain([...argv, '--trunk', far.address, '--json'], (l) => lines.push(l), { log: { level: 'silent' } });
  const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { objs, summary: objs.at(-1)!, sipp: await far.done };
}

t.test('a Japanese busy tone in early media, Japanese number, no --region: CANCEL, result 3', async (t) => {
  const r = await call(t, 'uas-183-busy-jp', ['0312345678']);
  t.ok(
    r.objs.some((o) => o.event === 'verdict' && (o.verdict as { kind: string }).kind === 'busy'),
    'busy verdict in early media with the JP plan',
  );
  t.match(r.summary, { event: 'summary', resultCode: 3, answered: false, sipStatus: 487 });
  t.equal(r.sipp.code, 0, 'SIPp saw the CANCEL');
});

t.test("a North American busy tone on a +1 number: the number's region picks the NA plan", async (t) => {
  const r = await call(t, 'uas-183-busy-na', ['+12125550123']);
  t.match(r.summary, { event: 'summary', resultCode: 3, sipStatus: 487 });
  t.equal(r.sipp.code, 0);
});

t.test('--trunk with a host name: localhost:<port> resolves (RFC 3263 §4.2: a port means A only, via the system resolver)', async (t) => {
  const far = await startSipp({ scenario: 'uas-busy-486', timeoutS: 40 });
  t.teardown(() => far.stop());
  const lines: string[] = [];
  await callMain(['0312345678', '--trunk', `localhost:${far.port}`, '--json'], (l) => lines.push(l), { log: { level: 'silent' } });
  t.match(JSON.parse(lines.at(-1)!), { event: 'summary', resultCode: 3, sipStatus: 486 });
  t.equal((await far.done).code, 0, 'SIPp got the INVITE and the ACK');
});
