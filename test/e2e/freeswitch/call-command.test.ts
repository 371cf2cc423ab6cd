/** `dialer call --driver freeswitch`: the engineers' first tool on the production path, live. */
import t from 'tap';
import { callMain, parseCallArgs } from '../../../app/commands/call';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { liveServersMissing, startLiveServers } from '../../helpers/live-servers';

const missing = liveServersMissing();

t.test('dialer call --driver freeswitch: a person through drachtio + FreeSWITCH → code 1', { skip: missing ?? false }, async (t) => {
  const live = await startLiveServers(t);
  const far = await startSipp({ scenario: 'uas-person' });
  t.teardown(() => far.stop());
  const lines: string[] = [];
  const overrides = { log: { level: 'silent' }, telephony: { freeswitch: live.configSection('stream') } };
  const rc = await callMain(
    ['0312345670', '--trunk', far.address, '--ring-timeout', '5', '--driver', 'freeswitch', '--json'],
    (l) => lines.push(l),
    overrides,
  );
  t.equal(rc, 0);
  const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.same(objs.map((o) => o.event).slice(-2), ['end', 'summary']);
  t.match(objs.at(-1), { event: 'summary', trunk: far.address, resultCode: 1, answered: true, hangupBy: 'local', verdicts: ['human'] });
});

t.test('--driver is checked', async (t) => {
  t.throws(() => parseCallArgs(['123', '--driver', 'asterisk']), /--driver must be embedded or freeswitch/);
  t.match(parseCallArgs(['123', '--driver', 'freeswitch']), { driver: 'freeswitch' });
});
