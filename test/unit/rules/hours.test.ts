import t from 'tap';
import {
  closingAt,
  dialWindow,
  isWithinHours,
  nextOpening,
  validateHours,
  validatePeriod,
  type BusinessHours,
} from '../../../lib/rules/hours';

const weekdays9to17 = (timeZone: string): BusinessHours => ({
  timeZone,
  days: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ from: '09:00', to: '17:00' }]])),
});

t.test('isWithinHours: zones and weekday edges', async (t) => {
  const tokyo = weekdays9to17('Asia/Tokyo');
  const ny = weekdays9to17('America/New_York');
  const cases: [BusinessHours, string, boolean, string][] = [
    // 2024-06-03 is a Monday.
    [tokyo, '2024-06-03T00:00:00Z', true, '09:00 JST Monday: opening minute is inside'],
    [tokyo, '2024-06-02T23:59:59Z', false, '08:59:59 JST Monday'],
    [tokyo, '2024-06-03T07:59:59Z', true, '16:59:59 JST'],
    [tokyo, '2024-06-03T08:00:00Z', false, '17:00 JST: closing minute is outside'],
    [tokyo, '2024-06-07T07:30:00Z', true, 'Friday 16:30 JST'],
    [tokyo, '2024-06-08T01:00:00Z', false, 'Saturday 10:00 JST'],
    [tokyo, '2024-06-02T01:00:00Z', false, 'Sunday 10:00 JST'],
    [tokyo, '2024-06-09T23:30:00Z', false, 'Sunday 23:30 UTC is Monday 08:30 JST'],
    [tokyo, '2024-06-10T00:30:00Z', true, 'Monday 09:30 JST while it is still... Monday UTC'],
    [ny, '2024-06-03T13:00:00Z', true, '09:00 EDT (UTC-4)'],
    [ny, '2024-06-03T12:59:00Z', false, '08:59 EDT'],
    [ny, '2024-01-08T13:30:00Z', false, '08:30 EST (UTC-5) in winter'],
    [ny, '2024-01-08T14:00:00Z', true, '09:00 EST'],
    [ny, '2024-06-07T21:30:00Z', false, 'Friday 17:30 EDT'],
    [ny, '2024-06-08T02:00:00Z', false, 'Friday 22:00 EDT = Saturday UTC'],
  ];
  for (const [h, iso, want, why] of cases) t.equal(isWithinHours(h, new Date(iso)), want, why);
});

t.test('DST: wall-clock hours stay wall-clock across the change', async (t) => {
  // US spring forward 2024-03-10 02:00 EST → 03:00 EDT; fall back 2024-11-03 02:00 EDT → 01:00 EST.
  const night: BusinessHours = { timeZone: 'America/New_York', days: { sun: [{ from: '01:00', to: '03:00' }] } };
  const cases: [string, boolean, string][] = [
    ['2024-03-10T06:30:00Z', true, '01:30 EST before the gap'],
    ['2024-03-10T07:00:00Z', false, 'instant after 01:59:59 EST is 03:00 EDT: closed'],
    ['2024-11-03T05:30:00Z', true, 'first 01:30 (EDT)'],
    ['2024-11-03T06:30:00Z', true, 'second 01:30 (EST)'],
    ['2024-11-03T07:30:00Z', true, '02:30 EST'],
    ['2024-11-03T08:00:00Z', false, '03:00 EST'],
  ];
  for (const [iso, want, why] of cases) t.equal(isWithinHours(night, new Date(iso)), want, why);

  const europe = weekdays9to17('Europe/Berlin');
  // Berlin switches on 2024-03-31 (Sunday); Monday 09:00 is 07:00Z after, 08:00Z the Monday before.
  t.equal(isWithinHours(europe, new Date('2024-03-25T07:30:00Z')), false, '08:30 CET');
  t.equal(isWithinHours(europe, new Date('2024-04-01T07:30:00Z')), true, '09:30 CEST');
  t.equal(nextOpening(europe, new Date('2024-03-30T12:00:00Z'))!.toISOString(), '2024-04-01T07:00:00.000Z', 'Saturday → Monday 09:00 CEST');
});

t.test('an opening inside the DST gap moves to the first instant after it', async (t) => {
  const gap: BusinessHours = { timeZone: 'America/New_York', days: { sun: [{ from: '02:30', to: '05:00' }] } };
  t.equal(nextOpening(gap, new Date('2024-03-10T05:00:00Z'))!.toISOString(), '2024-03-10T07:30:00.000Z');
});

t.test('nextOpening', async (t) => {
  const tokyo = weekdays9to17('Asia/Tokyo');
  const cases: [string, string | null, string][] = [
    ['2024-06-03T02:00:00Z', '2024-06-03T02:00:00.000Z', 'open now: now'],
    ['2024-06-02T20:00:00Z', '2024-06-03T00:00:00.000Z', 'Monday 05:00 JST → 09:00'],
    ['2024-06-07T08:00:00Z', '2024-06-10T00:00:00.000Z', 'Friday 17:00 JST → Monday 09:00'],
    ['2024-06-08T03:00:00Z', '2024-06-10T00:00:00.000Z', 'Saturday → Monday'],
  ];
  for (const [iso, want, why] of cases) t.equal(nextOpening(tokyo, new Date(iso))?.toISOString() ?? null, want, why);
  t.equal(nextOpening({ timeZone: 'UTC', days: {} }, new Date('2024-06-03T00:00:00Z')), null, 'never open');
  const split: BusinessHours = {
    timeZone: 'UTC',
    days: {
      wed: [
        { from: '13:00', to: '17:00' },
        { from: '09:00', to: '12:00' },
      ],
    },
  };
  t.equal(nextOpening(split, new Date('2024-06-05T12:30:00Z'))!.toISOString(), '2024-06-05T13:00:00.000Z', 'lunch break');
  t.equal(
    nextOpening(split, new Date('2024-06-05T08:00:00Z'))!.toISOString(),
    '2024-06-05T09:00:00.000Z',
    'earliest range first, whatever the order given',
  );
});

t.test("a contact's zone overrides the campaign's", async (t) => {
  const h = weekdays9to17('Asia/Tokyo');
  const at = new Date('2024-06-03T14:00:00Z'); // 23:00 JST, 10:00 EDT
  t.equal(isWithinHours(h, at), false);
  t.equal(isWithinHours(h, at, 'America/New_York'), true);
});

t.test('24:00 closes at midnight', async (t) => {
  const h: BusinessHours = { timeZone: 'UTC', days: { mon: [{ from: '20:00', to: '24:00' }], tue: [{ from: '00:00', to: '02:00' }] } };
  t.equal(isWithinHours(h, new Date('2024-06-03T23:59:59Z')), true);
  t.equal(isWithinHours(h, new Date('2024-06-04T00:00:00Z')), true, 'overnight as two ranges');
  t.equal(isWithinHours(h, new Date('2024-06-04T02:00:00Z')), false);
});

t.test('validateHours names every problem', async (t) => {
  t.same(validateHours(weekdays9to17('Asia/Tokyo')), []);
  t.same(validateHours({ timeZone: 'Mars/Olympus', days: {} }), ['hours.timeZone "Mars/Olympus" is not an IANA time zone']);
  t.same(validateHours({ timeZone: 'UTC', days: { mon: [{ from: '17:00', to: '09:00' }] } }), [
    'hours.days.mon[0] ends (09:00) before it starts (17:00); split overnight hours over two days',
  ]);
  t.same(validateHours({ timeZone: 'UTC', days: { tue: [{ from: '9:00', to: '25:00' }] } }), [
    'hours.days.tue[0].from "9:00" is not a time HH:MM',
  ]);
  t.same(
    validateHours({
      timeZone: 'UTC',
      days: {
        wed: [
          { from: '09:00', to: '12:00' },
          { from: '11:00', to: '13:00' },
        ],
      },
    }),
    ['hours.days.wed has overlapping ranges'],
  );
  t.same(validateHours({ timeZone: 'UTC', days: { funday: [] } as never }), [
    'hours.days.funday is not a weekday (use mon, tue, wed, thu, fri, sat, sun)',
  ]);
});

t.test('run period and dialWindow', async (t) => {
  t.same(validatePeriod({ start: '2024-06-10T00:00:00+09:00', end: '2024-06-01T00:00:00+09:00' }), [
    'period.end must be after period.start',
  ]);
  t.same(validatePeriod({ start: 'yesterday' }), ['period.start "yesterday" is not an ISO 8601 date-time']);
  const rules = { hours: weekdays9to17('Asia/Tokyo'), period: { start: '2024-06-04T00:00:00+09:00', end: '2024-06-06T12:00:00+09:00' } };
  const cases: [string, object][] = [
    ['2024-06-03T02:00:00Z', { ok: false, reason: 'before-period', nextAt: new Date('2024-06-04T00:00:00Z') }],
    ['2024-06-04T02:00:00Z', { ok: true }],
    ['2024-06-04T09:00:00Z', { ok: false, reason: 'outside-hours', nextAt: new Date('2024-06-05T00:00:00Z') }],
    ['2024-06-06T02:59:59Z', { ok: true }],
    ['2024-06-06T03:00:00Z', { ok: false, reason: 'after-period', nextAt: null }],
  ];
  for (const [iso, want] of cases) t.same(dialWindow(rules, new Date(iso)), want, iso);
  t.same(
    dialWindow({ hours: weekdays9to17('Asia/Tokyo'), period: { end: '2024-06-05T12:00:00Z' } }, new Date('2024-06-05T09:00:00Z')),
    {
      ok: false,
      reason: 'outside-hours',
      nextAt: null,
    },
    'next opening after the period end is no opening',
  );
  t.same(dialWindow({}, new Date()), { ok: true }, 'no rules: always');
});

t.test("closingAt: the end of the open stretch that holds now, or the period's end if sooner", async (t) => {
  const at = (h: BusinessHours, iso: string, period?: { end?: string }) => {
    const c = closingAt({ hours: h, period: period ?? null }, new Date(iso));
    return c === null ? null : new Date(c).toISOString();
  };
  const tokyo = weekdays9to17('Asia/Tokyo');
  t.equal(at(tokyo, '2024-06-03T01:00:00Z'), '2024-06-03T08:00:00.000Z', 'Monday 10:00 JST closes at 17:00 JST');
  t.equal(at(tokyo, '2024-06-03T07:59:59Z'), '2024-06-03T08:00:00.000Z', 'a second before the close');
  t.equal(at(tokyo, '2024-06-03T08:00:00Z'), null, 'closed: no close');
  t.equal(at(tokyo, '2024-06-03T01:00:00Z', { end: '2024-06-03T03:00:00Z' }), '2024-06-03T03:00:00.000Z', 'the period ends first');
  t.equal(at(tokyo, '2024-06-03T01:00:00Z', { end: '2024-06-05T03:00:00Z' }), '2024-06-03T08:00:00.000Z', 'the hours end first');
  const split: BusinessHours = {
    timeZone: 'UTC',
    days: {
      mon: [
        { from: '09:00', to: '12:00' },
        { from: '12:00', to: '13:00' },
        { from: '14:00', to: '18:00' },
      ],
    },
  };
  t.equal(at(split, '2024-06-03T10:00:00Z'), '2024-06-03T13:00:00.000Z', 'back-to-back ranges are one stretch; a gap ends it');
  const overnight: BusinessHours = {
    timeZone: 'UTC',
    days: { mon: [{ from: '20:00', to: '24:00' }], tue: [{ from: '00:00', to: '02:00' }] },
  };
  t.equal(at(overnight, '2024-06-03T21:00:00Z'), '2024-06-04T02:00:00.000Z', 'to 24:00 then from 00:00: one stretch over midnight');
  const allWeek: BusinessHours = {
    timeZone: 'UTC',
    days: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ from: '00:00', to: '24:00' }]])),
  };
  t.equal(at(allWeek, '2024-06-03T10:00:00Z'), null, 'open around the clock: no close');
  t.equal(at(allWeek, '2024-06-03T10:00:00Z', { end: '2024-06-03T12:00:00Z' }), '2024-06-03T12:00:00.000Z', 'but a period end is one');
  const ny = weekdays9to17('America/New_York');
  t.equal(at(ny, '2024-03-11T14:00:00Z'), '2024-03-11T21:00:00.000Z', 'wall-clock 17:00 EDT after the spring change');
});
