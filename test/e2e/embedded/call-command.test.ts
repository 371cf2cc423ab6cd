/** `dialer call`: JSON lines of every event, then the summary with the result code. */
import t from 'tap';
import { callMain, parseCallArgs } from '../../../app/commands/call';
import { startSipp } from '../../../lib/telephony/testing/sipp';

t.test('calls an answering machine and prints events then a summary with code 4', async (t) => {
  const far = await startSipp({ scenario: 'uas-machine' });
  t.teardown(() => far.stop());
  const lines: string[] = [];
  const rc = await callMain(['0312345671', '--trunk', far.address, '--ring-timeout', '5', '--json'], (l) => lines.push(l), {
    log: { level: 'silent' },
  });
  t.equal(rc, 0);
  const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const kinds = objs.map((o) => o.event);
  t.same(kinds.slice(-2), ['end', 'summary'], 'end then summary last');
  t.ok(kinds.includes('progress') && kinds.includes('answer'), `progress and answer reported (${kinds.join(',')})`);
  const verdict = objs.find((o) => o.event === 'verdict') as { phase: string; verdict: { kind: string } } | undefined;
  t.same([verdict?.phase, verdict?.verdict.kind], ['answered', 'machine']);
  for (const o of objs) t.ok(typeof o.t === 'number' && typeof o.at === 'string', `${o.event} has t and at`);
  const summary = objs[objs.length - 1]!;
  t.match(summary, {
    event: 'summary',
    to: '0312345671',
    trunk: far.address,
    resultCode: 4,
    resultName: 'answering_machine',
    answered: true,
    hangupBy: 'local',
    verdicts: ['machine'],
  });
  t.equal((await far.done).code, 0, 'SIPp saw a complete call');
});

t.test('bad arguments are refused with the usage', async (t) => {
  t.throws(() => parseCallArgs([]), /required/);
  t.throws(() => parseCallArgs(['123', '--ring-timeout', '0']), /--ring-timeout must be a number from 1 to 300/);
  t.throws(() => parseCallArgs(['123', '--trunk', 'a b']), /host:port/);
  t.throws(() => parseCallArgs(['123', '--bogus']), /unexpected argument/);
  t.same(parseCallArgs(['sip:a@127.0.0.1:5070', '--stay', '--hangup-after', '3']), {
    to: 'sip:a@127.0.0.1:5070',
    ringTimeoutS: 40,
    hangupAfterS: 3,
    stay: true,
    analysis: true,
    sipPort: 0,
    json: false,
  });
});
