/** When the runner tells the pacing estimator that a call resolved: a person at the verdict, the rest at the close. */
import t from 'tap';
import { closeEvents, verdictEvents } from '../../../lib/dialer/steps/resolution-feed';
import { createEstimator, observe, estimates, type PacingEvent } from '../../../lib/pacing/estimator';

t.test('a person verdict resolves the call live at the verdict, and is its answer', async (t) => {
  t.same(verdictEvents({ startedAt: 10_000, personAt: 32_000 }), [
    { type: 'resolved', at: 32_000, ringMs: 22_000, live: true },
    { type: 'answered', at: 32_000, ringMs: 22_000 },
  ]);
  t.same(verdictEvents({ startedAt: 10_000 }), [], 'no verdict: nothing to tell yet');
});

t.test('at the close', async (t) => {
  const person = { startedAt: 10_000, personAt: 32_000, endedAt: 212_000 };
  t.same(closeEvents(person, 215_000, true, true), [], 'a verdict already told is not told twice');
  t.same(closeEvents(person, 215_000, false, true), verdictEvents(person), 'a verdict the ticks missed is told at its own time');
  // A machine taken for a person and hung up on by its agent, or a stopping dialer's interruption: live, as the
  // simulator counts an AMD false person.
  t.same(closeEvents(person, 215_000, false, false), verdictEvents(person));
  t.same(closeEvents({ startedAt: 10_000, endedAt: 40_000 }, 41_000, false, false), [
    { type: 'resolved', at: 41_000, ringMs: 30_000, live: false },
  ]);
  // Answered and hung up during analysis: live by its code (customer_hung_up), with no verdict.
  t.same(closeEvents({ startedAt: 10_000, endedAt: 14_000 }, 14_500, false, true), [
    { type: 'resolved', at: 14_500, ringMs: 4_000, live: true },
  ]);
  t.same(
    closeEvents({ startedAt: 10_000 }, 9_000, false, false)[0],
    { type: 'resolved', at: 9_000, ringMs: 0, live: false },
    'a clock step back reads 0',
  );
});

t.test('the live rate at a campaign start counts persons still talking', async (t) => {
  // Ten calls placed at 0-9 s: three persons answer at 20-22 s and talk three minutes; seven are machines or no-answers
  // closed at 25-31 s. A minute in, the live rate is 3 of 10 with the persons told at their verdicts; told at their
  // close (the runner before), it read 0 of 7 until the talks ended.
  const calls = Array.from({ length: 10 }, (_, i) =>
    i < 3
      ? { startedAt: i * 1_000, personAt: 20_000 + i * 1_000, endedAt: 200_000 + i * 1_000 }
      : { startedAt: i * 1_000, endedAt: 25_000 + i * 1_000 },
  );
  const feed = (eventsOf: (c: (typeof calls)[number]) => PacingEvent[]) => {
    const evs = calls.flatMap(eventsOf).sort((a, b) => a.at - b.at);
    return evs.filter((e) => e.at <= 60_000).reduce(observe, createEstimator());
  };
  const atVerdict = feed((c) => [...verdictEvents(c), ...closeEvents(c, c.endedAt, c.personAt !== undefined, c.personAt !== undefined)]);
  const atClose = feed((c) => [
    { type: 'resolved', at: c.endedAt, ringMs: (c.personAt ?? c.endedAt) - c.startedAt, live: c.personAt !== undefined },
  ]);
  t.equal(estimates(atVerdict, 60_000).liveRate, 0.3);
  t.equal(estimates(atClose, 60_000).liveRate, 0);
});
