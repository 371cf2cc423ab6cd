import t from 'tap';
import { decideResult, resultFromSipStatus, RESULT_CODES, LIVE_ANSWER_CODES, type AttemptOutcome } from '../../../lib/results';
import type { EndCause } from '../../../lib/telephony/contract';
import type { Verdict } from '../../../lib/media/types';

t.test('SIP final status → result code, per result-codes.md', async (t) => {
  const table: [number, number][] = [
    [404, 6],
    [410, 6],
    [484, 6],
    [604, 6],
    [486, 3],
    [600, 3],
    [603, 8],
    [480, 17],
    [403, 21],
    [408, 2],
    [487, 2],
    [400, 13],
    [500, 13],
    [503, 13],
    [488, 13],
    [699, 13],
  ];
  for (const [status, code] of table) t.equal(resultFromSipStatus(status), code, `${status} → ${code}`);
});

t.test('the SIP table is configurable: exact entries beat class defaults', async (t) => {
  const carrier = { '503': 17 as const, '4xx': 2 as const };
  t.equal(resultFromSipStatus(503, carrier), 17);
  t.equal(resultFromSipStatus(499, carrier), 2);
  t.equal(resultFromSipStatus(502, carrier), 13, 'no class entry falls back to dial error');
});

const ended = (e: Partial<EndCause>): EndCause => ({ by: 'remote', answered: false, ...e });
const at = 100;
const v = {
  human: { kind: 'human', atMs: at, reason: 'short greeting' },
  machine: { kind: 'machine', atMs: at, reason: 'long greeting' },
  beep: { kind: 'beep', atMs: at, freqHz: 1000, durationMs: 400 },
  fax: { kind: 'fax', atMs: at, tone: 'CED' },
  sitVC: { kind: 'sit', atMs: at, code: 'VC', freqsHz: [985.2, 1370.6, 1776.7] },
  sitNC: { kind: 'sit', atMs: at, code: 'NC', freqsHz: [985.2, 1428.5, 1776.7] },
  busy: { kind: 'busy', atMs: at, region: 'NA', pattern: 'busy' },
  reorder: { kind: 'busy', atMs: at, region: 'NA', pattern: 'reorder' },
  silence: { kind: 'silence', atMs: at, durationMs: 5000 },
  ann17: { kind: 'announcement', atMs: at, class: 17, reference: 'phone-off', confidence: 0.9 },
} satisfies Record<string, Verdict>;

t.test('decideResult: one code per ending, in call order', async (t) => {
  const cases: [string, AttemptOutcome, number][] = [
    ['bridged', { end: ended({ answered: true, sipStatus: 200 }), verdicts: [v.human], connected: true }, 20],
    ['system abandon', { end: ended({ answered: true, by: 'local' }), verdicts: [v.human], connected: false, systemAbandoned: true }, 14],
    ['ring timeout', { end: ended({ by: 'timeout', sipStatus: 487 }), verdicts: [], connected: false }, 2],
    ['busy 486', { end: ended({ sipStatus: 486 }), verdicts: [], connected: false }, 3],
    ['busy tone in early media then 480', { end: ended({ sipStatus: 480 }), verdicts: [v.busy], connected: false }, 3],
    ['reorder tone', { end: ended({ sipStatus: 503 }), verdicts: [v.reorder], connected: false }, 13],
    ['SIT VC then 404', { end: ended({ sipStatus: 404 }), verdicts: [v.sitVC], connected: false }, 6],
    ['SIT NC then 503', { end: ended({ sipStatus: 503 }), verdicts: [v.sitNC], connected: false }, 13],
    ['announcement beats the status', { end: ended({ sipStatus: 404 }), verdicts: [v.ann17], connected: false }, 17],
    ['fax after answer', { end: ended({ answered: true, by: 'local' }), verdicts: [v.fax], connected: false }, 5],
    ['machine', { end: ended({ answered: true, by: 'local' }), verdicts: [v.machine], connected: false }, 4],
    ['beep alone', { end: ended({ answered: true, by: 'local' }), verdicts: [v.beep], connected: false }, 4],
    ['silence', { end: ended({ answered: true, by: 'local' }), verdicts: [v.silence], connected: false }, 7],
    ['customer hung up during analysis', { end: ended({ answered: true, by: 'remote' }), verdicts: [], connected: false }, 9],
    ['customer hung up waiting for an agent', { end: ended({ answered: true, by: 'remote' }), verdicts: [v.human], connected: false }, 9],
    [
      'message delivered',
      { end: ended({ answered: true, by: 'local' }), verdicts: [v.human], connected: false, messageDelivered: true },
      1,
    ],
    ['transport error', { end: ended({ by: 'error' }), verdicts: [], connected: false }, 13],
    [
      'media server lost after answer, no decision yet',
      { end: ended({ answered: true, by: 'error' }), verdicts: [], connected: false },
      13,
    ],
    [
      'media server lost after a silence verdict',
      { end: ended({ answered: true, by: 'error' }), verdicts: [v.silence], connected: false },
      7,
    ],
    ['603 decline', { end: ended({ sipStatus: 603 }), verdicts: [], connected: false }, 8],
    // A graceful stop hung it up (CallSession.abort): interrupted, as a reaped attempt is; not silence, not no answer.
    ['stopped while analysing', { end: ended({ answered: true, by: 'local' }), verdicts: [], connected: false, interrupted: true }, 13],
    ['stopped while ringing', { end: ended({ by: 'local' }), verdicts: [], connected: false, interrupted: true }, 13],
    [
      'stopped while a person waits for an agent',
      { end: ended({ answered: true, by: 'local' }), verdicts: [v.human], connected: false, interrupted: true },
      13,
    ],
    [
      'stopped after a machine verdict: still 4',
      { end: ended({ answered: true, by: 'local' }), verdicts: [v.machine], connected: false, interrupted: true },
      4,
    ],
    [
      'stopped after the message was delivered: still 1',
      { end: ended({ answered: true, by: 'local' }), verdicts: [v.human], connected: false, messageDelivered: true, interrupted: true },
      1,
    ],
    [
      'stopped after a silence verdict (its hang-up crossed the stop): still 7',
      { end: ended({ answered: true, by: 'local' }), verdicts: [v.silence], connected: false, interrupted: true },
      7,
    ],
    [
      'the customer hung up first: still 9',
      { end: ended({ answered: true, by: 'remote' }), verdicts: [], connected: false, interrupted: true },
      9,
    ],
  ];
  for (const [name, outcome, code] of cases) t.equal(decideResult(outcome), code, `${name} → ${code}`);
  const stopped = { end: ended({ answered: true, by: 'local' }), verdicts: [], connected: false, interrupted: true };
  t.equal(decideResult(stopped, { interruptedCode: 19 }), 19, 'the interrupted code is the configured one');
});

t.test('the code table matches the seed', async (t) => {
  t.same(Object.keys(RESULT_CODES).map(Number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 16, 17, 18, 19, 20, 21, 22, 31]);
  t.same(LIVE_ANSWER_CODES, [1, 9, 14, 20]);
  t.equal(RESULT_CODES[10].dialed, false);
});
