/**
 * The README's demo transcript is checked against the demo's own printer (issue 13: "the README's examples are
 * generated from or tested against the real responses"): each line of the README block is rebuilt from the
 * values it shows with `textLines` (app/commands/demo.ts, what `dialer demo` prints) and must come out the same,
 * and each call line's result code must be what its number's last digit makes the carrier do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { textLines } from '../../../app/commands/demo';
import { DIGIT_CODES, lastDigit } from '../../../lib/demo/numbers';
import { codeName, type CodeCount, type AgentFigures } from '../../../lib/demo/report';

const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
const start = readme.indexOf('Trimmed output of a real run:');
const open = readme.indexOf('```\n', start) + 4;
const block = readme.slice(open, readme.indexOf('\n```', open)).split('\n');
/** README lines that stand for lines left out. */
const elided = (l: string) => /^\s*…$/.test(l);

const m = (re: RegExp, what: string): RegExpMatchArray => {
  const line = block.find((l) => re.test(l));
  if (!line) throw new Error(`README demo transcript: no ${what} line`);
  return line.match(re)!;
};

t.test('the README demo transcript is what the demo prints', async (t) => {
  t.ok(block.length > 30, `${block.length} lines in the README's transcript`);

  const [, redis, dir] = m(/^ {2}redis-server {3}(\S+) \(data in (\S+),/, 'redis-server');
  const [, carrier] = m(/^ {2}carrier {8}SIPp carrier simulator at (\S+)$/, 'carrier');
  const [, phones] = m(/^ {2}agent phones {3}(.*) \(SIPp\)$/, 'agent phones');
  const [, dashboard] = m(/^ {2}dashboard {6}(\S+)/, 'dashboard');
  const [, apiKey] = m(/^ {2}admin key {6}(\S+)/, 'admin key');
  const [, docs] = m(/^ {2}API docs {7}(\S+)/, 'API docs');
  const agentPhones = phones!.split(', ').map((p) => {
    const [id, address] = p.split(' ');
    return { id: id!, address: address! };
  });
  const header = textLines({
    event: 'started',
    redis: redis!,
    dir: dir!,
    carrier: carrier!,
    agentPhones,
    dashboard: dashboard!,
    apiKey: apiKey!,
    docs: docs!,
  });
  const headerEnd = block.indexOf('');
  const shown = block.slice(0, headerEnd).filter((l) => !elided(l));
  // In order, with the README's "…" standing for left-out digit lines.
  let at = 0;
  for (const l of shown) {
    const i = header.indexOf(l, at);
    t.ok(i >= 0, `header line printed by the demo: ${l}`);
    if (i >= 0) at = i + 1;
  }

  const [readyLine, agents, contacts, ring, dnc] = m(
    /^(\d+) agents ready on hold music; dialling (\d+) contacts \(progressive, ring timeout (\d+) s; (.*) on the do-not-call list\)…$/,
    'ready',
  );
  t.same(
    textLines({ event: 'ready', agents: Number(agents), contacts: Number(contacts), ringTimeoutSec: Number(ring), dnc: dnc!.split(', ') }),
    [readyLine],
  );

  const callRe = /^\[\s*(\d+)\/(\d+)\] (\S+)\s+(\S+)\s+(\d+) (\S+)\s*(?:agent (\S+)|\(not dialled: (.*)\))?$/;
  const calls = block.filter((l) => callRe.test(l));
  t.ok(calls.length >= 5, `${calls.length} call lines`);
  for (const l of calls) {
    const [, done, total, contactId, phone, code, name, agentId, skipped] = l.match(callRe)!;
    const printed = textLines({
      event: 'call',
      done: Number(done),
      total: Number(total),
      contactId: contactId!,
      phone: phone!,
      code: Number(code),
      name: name!,
      final: true,
      ...(agentId ? { agentId } : {}),
      ...(skipped ? { skipped } : {}),
    });
    t.same(printed, [l], `call line printed as shown: ${l}`);
    t.equal(name, codeName(Number(code)), `${code} is named ${name}`);
    if (!skipped) t.equal(Number(code), DIGIT_CODES[lastDigit(phone!)!], `${phone}: the carrier's behaviour for its last digit`);
  }

  const progRe = /^-- (\d+)\/(\d+) dialled, (\d+) finished, (\d+) in flight; agents: (\d+) ready, (\d+) talking, (\d+) in wrap-up$/;
  const progress = block.filter((l) => progRe.test(l));
  t.ok(progress.length >= 1, 'a progress line');
  for (const l of progress) {
    const [, dialled, total, finished, inFlight, ready, talking, wrapUp] = l.match(progRe)!.map(Number);
    const p = {
      dialled: dialled!,
      total: total!,
      finished: finished!,
      inFlight: inFlight!,
      agents: { ready: ready!, talking: talking!, wrapUp: wrapUp! },
    };
    t.same(textLines({ event: 'progress', ...p }), [l]);
  }

  const from = block.indexOf('result codes') - 1;
  t.ok(from > 0, 'a result-code table');
  const summaryLines = block.slice(from);
  const codes: CodeCount[] = [];
  const agentRows: AgentFigures[] = [];
  for (const l of summaryLines) {
    const c = l.match(/^ {2}\s*(\d+) {2}(\S+)\s+(\d+)$/);
    if (c) codes.push({ code: Number(c[1]), name: c[2]!, count: Number(c[3]) });
    const a = l.match(/^ {2}(\S+)\s+(\d+)\s+(\d+\.\d)$/);
    if (a) agentRows.push({ agentId: a[1]!, calls: Number(a[2]), talkSec: Number(a[3]) });
  }
  const [, attempts, sContacts, finished] = m(/^ {8}total\s+(\d+) {3}\((\d+) contacts, (\d+) finished\)$/, 'total');
  t.equal(
    codes.reduce((n, c) => n + c.count, 0),
    Number(attempts),
    'the code counts add up to the total',
  );
  const [, durationSec] = m(/^campaign completed in ([\d.]+) s$/, 'completed');
  const printed = textLines({
    event: 'summary',
    completed: true,
    interrupted: false,
    durationSec: Number(durationSec),
    contacts: Number(sContacts),
    attempts: Number(attempts),
    finished: Number(finished),
    codes,
    agents: agentRows,
  });
  t.same(summaryLines, printed, 'the summary and the closing line, as printed');
});
