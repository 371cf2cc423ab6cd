import t from 'tap';
import { cyclingDigits, dncIndexes, lastDigit, numbersFor, DIGIT_CODES } from '../../../lib/demo/numbers';
import { formatCall, formatSummary, summarize } from '../../../lib/demo/report';
import { parseDemoArgs } from '../../../app/commands/demo';
import { missingTools } from '../../../lib/demo/tools';
import { normalizePhone } from '../../../lib/domain/phone';

t.test('sample numbers: valid Japanese landlines whose last digit is the behaviour', async (t) => {
  const digits = cyclingDigits(25);
  t.same(digits.slice(0, 12), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  const numbers = numbersFor(digits);
  t.equal(new Set(numbers).size, 25, 'all different');
  numbers.forEach((n, i) => {
    t.equal(lastDigit(n), digits[i]);
  });
  t.match(numbers[3], /^03-\d{4}-\d{4}$/);
  t.equal(normalizePhone(numbers[3]!, 'JP').ok, true, 'normalises in region JP');
  t.same(Object.keys(DIGIT_CODES).map(Number), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'every digit has a code');
});

t.test('do-not-call picks: two distinct contacts once the list covers every digit', async (t) => {
  t.same(dncIndexes(9), []);
  t.same(dncIndexes(10), [3, 7]);
  t.same(dncIndexes(30), [10, 21]);
  for (let n = 10; n < 200; n++) {
    const d = dncIndexes(n);
    t.equal(new Set(d).size, 2, `n=${n}`);
    t.ok(d.every((i) => i < n));
  }
});

t.test('summary from history: codes, finished contacts, agent talk time', async (t) => {
  const row = (ref: string, code: number, final: boolean, agent = '', data: Record<string, unknown> = {}) => ({
    fields: { type: 'attempt', ref, code: String(code), final: final ? '1' : '0', agent, data: JSON.stringify(data) },
  });
  const s = summarize(
    [
      row('L:c0', 20, true, 'ag1', { bridgedAt: 1000, endedAt: 3500 }),
      row('L:c1', 4, false),
      row('L:c1', 4, true),
      row('L:c2', 10, true),
      row('L:c3', 9, true, 'ag2', {}), // reserved, never bridged: not a call for the agent
      { fields: { type: 'other', ref: 'L:c9', code: '1' } },
    ],
    5,
    ['ag1', 'ag2', 'ag3'],
  );
  t.equal(s.attempts, 5);
  t.equal(s.finished, 4);
  t.same(s.codes, [
    { code: 4, name: 'answering_machine', count: 2 },
    { code: 9, name: 'customer_hung_up', count: 1 },
    { code: 10, name: 'excluded', count: 1 },
    { code: 20, name: 'connected', count: 1 },
  ]);
  t.same(s.agents, [
    { agentId: 'ag1', calls: 1, talkSec: 2.5 },
    { agentId: 'ag2', calls: 0, talkSec: 0 },
    { agentId: 'ag3', calls: 0, talkSec: 0 },
  ]);
  const text = formatSummary(s).join('\n');
  t.match(text, /20 {2}connected {11}\s+1/);
  t.match(text, /total\s+5 {3}\(5 contacts, 4 finished\)/);
  t.match(
    formatCall({ contactId: 'c0', phone: '03-1200-0000', code: 20, name: 'connected', agentId: 'ag1', final: true }, 1, 30),
    /^\[ 1\/30\] c0 .* 20 connected +agent ag1$/,
  );
  t.match(
    formatCall({ contactId: 'c1', phone: '03-1200-0011', code: 4, name: 'answering_machine', final: false }, 2, 30),
    /\(will retry\)$/,
  );
});

t.test('demo arguments: defaults, values, clear errors', async (t) => {
  const d = parseDemoArgs([]);
  t.equal(d.contacts, 30);
  t.equal(d.agents, 3);
  t.equal(d.json, false);
  const o = parseDemoArgs(['--contacts', '12', '--agents', '2', '--talk-sec', '0.5', '--json', '--timeout', '90', '--log-level', 'warn']);
  t.match(o, { contacts: 12, agents: 2, talkMs: 500, json: true, timeoutSec: 90, logLevel: 'warn' });
  t.throws(() => parseDemoArgs(['--contacts', '0']), /--contacts must be a number from 1 to 10000, got "0"/);
  t.throws(() => parseDemoArgs(['--agents']), /--agents needs a value/);
  t.throws(() => parseDemoArgs(['--agents', '--json']), /--agents needs a value/);
  t.throws(() => parseDemoArgs(['--log-level', 'loud']), /--log-level must be one of/);
  t.throws(() => parseDemoArgs(['extra']), /unexpected argument "extra"\nusage: dialer demo/);
});

t.test('tool check: names the programs that cannot be started', async (t) => {
  t.same(missingTools({ 'no-such-program-dialer-demo': ['x', '--version'], sh: ['dash', '-c'] }), ['no-such-program-dialer-demo']);
  t.same(missingTools(), [], 'this machine has what the demo needs (scripts/setup.sh ran)');
});
