/** The runner's per-attempt decisions, tested without Redis: dial-time checks and closing. */
import t from 'tap';
import { decideDialTime, zoneTable, NO_OPENING_RECHECK_MS } from '../../../lib/dialer/steps/dial-time';
import { decideClose } from '../../../lib/dialer/steps/close';
import { RUNNER_CODES, codeNamed } from '../../../lib/dialer/steps/codes';
import type { BusinessHours } from '../../../lib/rules/hours';

const nineToFive: BusinessHours = {
  timeZone: 'Asia/Tokyo',
  days: {
    mon: [{ from: '09:00', to: '17:00' }],
    tue: [{ from: '09:00', to: '17:00' }],
    wed: [{ from: '09:00', to: '17:00' }],
    thu: [{ from: '09:00', to: '17:00' }],
    fri: [{ from: '09:00', to: '17:00' }],
  },
};
// Monday 2026-12-07 03:00 UTC = 12:00 in Tokyo, 03:00 in London, 22:00 Sunday in New York.
const monNoonTokyo = Date.parse('2026-12-07T03:00:00Z');

t.test('runner codes come from the one table by name', async (t) => {
  t.same(RUNNER_CODES, { noNumber: 31, doNotCall: 10, dncCheckFailed: 19, dialError: 13, systemAbandon: 14 });
  t.throws(() => codeNamed('nope' as never), /no result code named nope/);
});

t.test('dial-time checks, in order', async (t) => {
  const ok = { phone: '+81312345678', timeZone: '', hours: nineToFive, dnc: { listed: false } as const, now: monNoonTokyo };
  t.same(decideDialTime(ok), { action: 'dial' });
  t.match(decideDialTime({ ...ok, phone: '' }), { action: 'skip', code: 31 });
  t.match(decideDialTime({ ...ok, dnc: 'failed' }), { action: 'skip', code: 19 });
  t.match(decideDialTime({ ...ok, dnc: { listed: true, scope: 'campaign' } }), {
    action: 'skip',
    code: 10,
    reason: 'on the campaign do-not-call list',
  });
  t.match(decideDialTime({ ...ok, phone: '', dnc: { listed: true, scope: 'global' } }), { code: 31 }, 'no number wins over DNC');
  t.same(decideDialTime({ ...ok, timeZone: 'Asia/Tokyo' }), { action: 'dial' }, "inside the contact's hours");
  const london = decideDialTime({ ...ok, timeZone: 'Europe/London' });
  t.same(
    london,
    { action: 'later', at: Date.parse('2026-12-07T09:00:00Z'), reason: 'outside calling hours in Europe/London' },
    'given back until 09:00 London',
  );
  t.match(
    decideDialTime({ ...ok, timeZone: 'Europe/London', dnc: { listed: true, scope: 'global' } }),
    { action: 'skip', code: 10 },
    'DNC is recorded even outside hours',
  );
});

t.test('the hours rule per zone for the claim script, and the re-check only when the minute moved on', async (t) => {
  t.same(
    zoneTable(nineToFive, ['', 'Asia/Tokyo', 'Europe/London', 'Mars/Olympus'], monNoonTokyo),
    { 'Asia/Tokyo': 0, 'Europe/London': Date.parse('2026-12-07T09:00:00Z'), 'Mars/Olympus': monNoonTokyo + NO_OPENING_RECHECK_MS },
    "open = 0, closed = the opening (an hour on when none), the campaign's own zone left to the tick",
  );
  const london = { phone: '+442071234567', timeZone: 'Europe/London', hours: nineToFive, dnc: { listed: false } as const };
  t.same(
    decideDialTime({ ...london, now: monNoonTokyo + 59_999, hoursCheckedAt: monNoonTokyo }),
    { action: 'dial' },
    'the claim applied the hours in this minute: not checked twice',
  );
  // Tokyo closes at 17:00 (08:00Z): claimed at 16:59:59.5, dialled 1 s later, after the closing.
  const closing = Date.parse('2026-12-07T08:00:00Z');
  t.match(
    decideDialTime({ ...london, timeZone: 'Asia/Tokyo', now: closing + 500, hoursCheckedAt: closing - 500 }),
    { action: 'later', at: Date.parse('2026-12-08T00:00:00Z') }, // Tuesday 09:00 Tokyo
    'a claim dialled in a later minute is checked again',
  );
});

t.test('closing: retries by the rules, counters, callbacks', async (t) => {
  const policy = { maxAttempts: 3, retryIntervalSec: 600, perCode: { 3: { retry: true, afterSec: 60 } } };
  const now = 1_000_000;
  t.match(decideClose({ code: 3, attemptNo: 1, isCallback: false, policy, now }), {
    final: false,
    nextAt: now + 60_000,
    counters: { live: false, abandoned: false },
    callback: null,
    recordOnContact: true,
  });
  t.match(decideClose({ code: 2, attemptNo: 1, isCallback: false, policy, now }), { final: false, nextAt: now + 600_000 });
  t.match(decideClose({ code: 2, attemptNo: 3, isCallback: false, policy, now }), { final: true, nextAt: 0 }, 'out of attempts');
  t.match(decideClose({ code: 14, attemptNo: 1, isCallback: false, policy, now }), { counters: { live: true, abandoned: true } });
  t.match(decideClose({ code: 20, attemptNo: 1, isCallback: false, policy, now }), {
    final: true,
    counters: { live: true, abandoned: false },
  });
  t.match(
    decideClose({ code: 2, attemptNo: 1, isCallback: true, policy, now }),
    { final: true, callback: 'done', retryReason: 'callback' },
    'a callback is one promised call',
  );
  t.match(decideClose({ code: 10, attemptNo: 1, isCallback: false, policy, now }), { final: true, recordOnContact: true });
  t.match(
    decideClose({ code: 19, attemptNo: 1, isCallback: false, policy, now }),
    { recordOnContact: false },
    "a store failure is not the contact's result",
  );
});
