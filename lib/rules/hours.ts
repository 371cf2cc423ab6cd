/**
 * Business hours and run period (seed 000 "run period", seed 001 "business
 * hours 09:00–17:00", per weekday in an IANA time zone). Pure: `now` is always
 * passed in. Hours are wall-clock times in the zone, so a DST change moves the
 * instant, never the local opening time.
 */
import { DateTime, IANAZone } from 'luxon';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A window inside one local day: `from` inclusive, `to` exclusive; `to` may be "24:00". */
export interface TimeRange {
  from: string;
  to: string;
}

export interface BusinessHours {
  timeZone: string;
  /** Missing or empty day = closed that day. */
  days: Partial<Record<Weekday, TimeRange[]>>;
}

export interface RunPeriod {
  /** ISO 8601 instant; dialing is allowed from here (inclusive). */
  start?: string | null;
  /** ISO 8601 instant; dialing stops here (exclusive). */
  end?: string | null;
}

export type DialWindow = { ok: true } | { ok: false; reason: 'before-period' | 'after-period' | 'outside-hours'; nextAt: Date | null };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** Minutes since local midnight of "HH:MM" ("24:00" = 1440). */
export function minutesOf(hhmm: string): number {
  if (!HHMM.test(hhmm)) throw new Error(`"${hhmm}" is not a time HH:MM (00:00–24:00)`);
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Every problem with a business-hours definition, as sentences; empty when valid. */
export function validateHours(hours: BusinessHours): string[] {
  const errors: string[] = [];
  if (!IANAZone.isValidZone(hours.timeZone)) errors.push(`hours.timeZone "${hours.timeZone}" is not an IANA time zone`);
  for (const [day, ranges] of Object.entries(hours.days ?? {})) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      errors.push(`hours.days.${day} is not a weekday (use ${WEEKDAYS.join(', ')})`);
      continue;
    }
    const spans: [number, number][] = [];
    (ranges ?? []).forEach((r, i) => {
      const where = `hours.days.${day}[${i}]`;
      if (!HHMM.test(r.from) || r.from === '24:00') return void errors.push(`${where}.from "${r.from}" is not a time HH:MM`);
      if (!HHMM.test(r.to)) return void errors.push(`${where}.to "${r.to}" is not a time HH:MM (24:00 allowed)`);
      const a = minutesOf(r.from);
      const b = minutesOf(r.to);
      if (b <= a) return void errors.push(`${where} ends (${r.to}) before it starts (${r.from}); split overnight hours over two days`);
      spans.push([a, b]);
    });
    spans.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i]![0] < spans[i - 1]![1]) errors.push(`hours.days.${day} has overlapping ranges`);
    }
  }
  return errors;
}

/** Every problem with a run period; empty when valid. */
export function validatePeriod(p: RunPeriod): string[] {
  const errors: string[] = [];
  const s = p.start ? DateTime.fromISO(p.start, { setZone: true }) : null;
  const e = p.end ? DateTime.fromISO(p.end, { setZone: true }) : null;
  if (s && !s.isValid) errors.push(`period.start "${p.start}" is not an ISO 8601 date-time`);
  if (e && !e.isValid) errors.push(`period.end "${p.end}" is not an ISO 8601 date-time`);
  if (s?.isValid && e?.isValid && e.toMillis() <= s.toMillis()) errors.push('period.end must be after period.start');
  return errors;
}

const toMillis = (now: Date | number) => (typeof now === 'number' ? now : now.getTime());

function local(now: Date | number, zone: string): DateTime {
  return DateTime.fromMillis(toMillis(now), { zone });
}

function rangesOn(hours: BusinessHours, dt: DateTime): TimeRange[] {
  return hours.days[WEEKDAYS[dt.weekday - 1]!] ?? [];
}

/**
 * Whether `now` falls inside the hours. `zone` overrides the hours' own time
 * zone (a contact's zone: "inside hours in the contact's time zone").
 */
export function isWithinHours(hours: BusinessHours, now: Date | number, zone = hours.timeZone): boolean {
  const dt = local(now, zone);
  const minute = dt.hour * 60 + dt.minute;
  return rangesOn(hours, dt).some((r) => minute >= minutesOf(r.from) && minute < minutesOf(r.to));
}

/**
 * The next instant at or after `now` inside the hours (now itself when open),
 * or null when the hours have no open day. An opening that falls into a DST
 * gap (02:30 on a spring-forward day) is the first instant after the gap.
 */
export function nextOpening(hours: BusinessHours, now: Date | number, zone = hours.timeZone): Date | null {
  if (isWithinHours(hours, now, zone)) return new Date(toMillis(now));
  const start = local(now, zone);
  for (let d = 0; d <= 7; d++) {
    const day = start.plus({ days: d }).startOf('day');
    const opens = rangesOn(hours, day)
      .map((r) => {
        const m = minutesOf(r.from);
        return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(m / 60), minute: m % 60 }, { zone });
      })
      .filter((t) => t.toMillis() > start.toMillis())
      .sort((a, b) => a.toMillis() - b.toMillis());
    if (opens.length) return opens[0]!.toJSDate();
  }
  return null;
}

/** Period and hours together: may the campaign dial at `now` (in `zone`)? */
export function dialWindow(
  rules: { hours?: BusinessHours | null; period?: RunPeriod | null },
  now: Date | number,
  zone?: string,
): DialWindow {
  const t = toMillis(now);
  const p = rules.period ?? {};
  const start = p.start ? DateTime.fromISO(p.start).toMillis() : null;
  const end = p.end ? DateTime.fromISO(p.end).toMillis() : null;
  if (end !== null && t >= end) return { ok: false, reason: 'after-period', nextAt: null };
  if (start !== null && t < start) {
    const at = rules.hours ? nextOpening(rules.hours, start, zone) : new Date(start);
    return { ok: false, reason: 'before-period', nextAt: at && (end === null || at.getTime() < end) ? at : null };
  }
  if (!rules.hours || isWithinHours(rules.hours, t, zone)) return { ok: true };
  const at = nextOpening(rules.hours, t, zone);
  return { ok: false, reason: 'outside-hours', nextAt: at && (end === null || at.getTime() < end) ? at : null };
}

/** How far ahead `closingAt` looks for the end of an open stretch (hours open around the clock never close). */
const CLOSE_SEARCH_DAYS = 8;

/**
 * When today's dialling stops: the end of the open stretch of hours that holds `now` (back-to-back ranges, and a
 * range to 24:00 followed by one from 00:00, count as one stretch), or the period's end if sooner. Null when the
 * window is not open at `now`, or when it stays open for CLOSE_SEARCH_DAYS (hours around the clock, no period end).
 * Pacing reads it as the close of the abandon window's day: answers after it do not dilute today's rate.
 */
export function closingAt(
  rules: { hours?: BusinessHours | null; period?: RunPeriod | null },
  now: Date | number,
  zone?: string,
): number | null {
  const t = toMillis(now);
  if (!dialWindow(rules, t, zone).ok) return null;
  const end = rules.period?.end ? DateTime.fromISO(rules.period.end).toMillis() : null;
  const hours = rules.hours;
  if (!hours) return end;
  const z = zone ?? hours.timeZone;
  const limit = t + CLOSE_SEARCH_DAYS * 86_400_000;
  let at = t;
  // Walk from range end to range end while the next instant is still inside the hours.
  while (at < limit && (end === null || at < end) && isWithinHours(hours, at, z)) {
    const dt = local(at, z);
    const minute = dt.hour * 60 + dt.minute;
    const r = rangesOn(hours, dt).find((x) => minute >= minutesOf(x.from) && minute < minutesOf(x.to))!;
    const m = minutesOf(r.to);
    const day = dt.startOf('day');
    at = (
      m >= 1440
        ? day.plus({ days: 1 })
        : DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(m / 60), minute: m % 60 }, { zone: z })
    ).toMillis();
  }
  if (at >= limit) return end;
  return end === null ? at : Math.min(at, end);
}
