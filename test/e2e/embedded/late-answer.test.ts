/**
 * A 2xx that arrives after the leg has ended (RFC 3261 §13.2.2.4, §15): the
 * far end answered a call we had given up — here, no final response for
 * 64·T1 after our CANCEL. Our ACK sets the dialog up at the far end, so it
 * must be followed by a BYE, or the far end keeps the call (and its
 * charges) up. Real SIPp far end (sipp-scenarios/uas-200-after-cancel-guard.xml):
 * it exits 0 only once the ACK and the BYE came. Real durations (the 32 s
 * guard runs in full).
 */
import t from 'tap';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import type { LegEvent } from '../../../lib/telephony/contract';

t.test('a 200 OK after the leg ended unanswered is ACKed and BYEd', { timeout: 150000 }, async (t) => {
  const sipp = await startSipp({ scenario: 'uas-200-after-cancel-guard', calls: 1, timeoutS: 120 });
  t.teardown(() => sipp.stop());
  const driver = await startTestDriver({ trunks: [{ name: 'carrier', address: sipp.address }] });
  t.teardown(() => driver.stop());
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const leg = await driver.originate({ to: '0312000021', ringTimeoutMs: 2000 });
  const r = await sipp.done;
  t.equal(r.code, 0, `SIPp got the ACK and the BYE for its late 200 (${r.stderr.slice(-300)})`);
  const mine = events.filter((e) => e.legId === leg);
  const end = mine.find((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end');
  t.ok(end, 'the leg had ended');
  t.equal(end?.cause.answered, false, 'unanswered, as far as the call is concerned');
  t.notOk(
    mine.some((e) => e.type === 'answer'),
    'the late 200 is not reported as an answer',
  );
  t.equal(mine.filter((e) => e.type === 'end').length, 1, 'and the leg ended once');
});
