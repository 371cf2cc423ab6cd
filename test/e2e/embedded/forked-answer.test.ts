/**
 * A 2xx after a non-2xx final response (RFC 3261 §13.2.2.4, RFC 6026): a forked
 * INVITE whose first branch said 486 and whose second answered 200 once the 486
 * was ACKed (the leg had ended busy). The INVITE
 * client transaction is in Completed (ACKing the 486) and used to absorb the
 * 200, so that branch got neither ACK nor BYE and stayed up until its own
 * 64·T1. Now the 2xx is passed up: ACKed (To tag of that branch) and, the call
 * having failed with 486, BYEd at once. Real SIPp far end
 * (sipp-scenarios/uas-486-then-200.xml, exit 0 only after both ACKs and the BYE).
 */
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import type { LegEvent } from '../../../lib/telephony/contract';

t.test('a 200 after a 486 (forked INVITE) is ACKed and BYEd; the call stays busy', { timeout: 90000 }, async (t) => {
  const trace = join(mkdtempSync(join(tmpdir(), 'dialer-fork-')), 'sipp.log');
  const sipp = await startSipp({ scenario: 'uas-486-then-200', calls: 1, timeoutS: 60, args: ['-trace_msg', '-message_file', trace] });
  t.teardown(() => sipp.stop());
  const driver = await startTestDriver({ trunks: [{ name: 'carrier', address: sipp.address }] });
  t.teardown(() => driver.stop());
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const leg = await driver.originate({ to: '0312000031', ringTimeoutMs: 20000 });
  const r = await sipp.done;
  t.equal(r.code, 0, `SIPp got both ACKs and the BYE (${r.stderr.slice(-300)})`);

  const received = readFileSync(trace, 'utf8')
    .split(/^-{40,}.*$/m)
    .filter((b) => /UDP message received/.test(b));
  const toTag = (b: string) => /^To:.*;tag=([^;>\s]+)/im.exec(b)?.[1] ?? '';
  const acks = received.filter((b) => /^ACK /m.test(b)).map(toTag);
  t.equal(acks.length, 2, 'two ACKs');
  t.ok(
    acks.some((x) => x.includes('Busy')),
    "the 486's ACK (its transaction)",
  );
  t.ok(
    acks.some((x) => x.includes('Fork2')),
    "the 200's ACK, in that branch's dialog",
  );
  const byes = received.filter((b) => /^BYE /m.test(b));
  t.equal(byes.length, 1, 'one BYE');
  t.match(toTag(byes[0] ?? ''), /Fork2/, "the BYE ends the answering branch's dialog");
  t.match(byes[0] ?? '', /^BYE sip:fork2@/m, "sent to that branch's Contact (its remote target)");

  const mine = events.filter((e) => e.legId === leg);
  const ends = mine.filter((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end');
  t.equal(ends.length, 1, 'the leg ended once');
  t.equal(ends[0]?.cause.sipStatus, 486, 'with the 486: the call is busy');
  t.equal(ends[0]?.cause.answered, false, 'unanswered, as far as the call is concerned');
  t.notOk(
    mine.some((e) => e.type === 'answer'),
    'the forked 200 is not reported as an answer',
  );
});
