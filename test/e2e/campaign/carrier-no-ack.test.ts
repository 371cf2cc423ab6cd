/**
 * The test carrier (sipp-scenarios/carrier-simulator.xml) ends an answered call
 * whose ACK never comes, as RFC 3261 §13.3.1.4 has a UAS do: it retransmits its
 * 2xx for 64·T1 and then sends BYE. This is the far end's part in the one crash
 * window the dialog journal cannot close (a process dies with the 2xx in hand,
 * before its ACK and its "confirmed" journal entry): the crash test relies on
 * it, so it is checked here on its own, with and without the claimer's CANCEL
 * (which has no effect after the 2xx, §9.2, but must be answered 200), and with
 * that CANCEL retransmitted: the claimer never sees the answers, which go to the
 * dead process's socket, and SIPp 3.6.1 once aborted the call on the second
 * CANCEL, leaving it up for good (a crash-test failure, seed 20261121).
 * Callers are SIPp UACs that never ACK (uac-no-ack*.xml).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { workDir } from '../../helpers/work-dir';

/** SIPp's 2xx retransmissions (T1 500 ms doubling to T2 4 s, 9 of them) end 31.5 s after the first 2xx: 64·T1 is 32 s. */
const NO_ACK_BYE_AFTER_MS = 31000;

t.test('an answered call never ACKed gets the carrier BYE after 64·T1, CANCELled or not', { timeout: 150000 }, async (t) => {
  const dir = workDir(t, 'dialer-noack-');
  const trace = join(dir, 'carrier.log');
  const carrier = await startSipp({
    scenario: 'carrier-simulator',
    calls: 3,
    timeoutS: 120,
    args: ['-trace_msg', '-message_file', trace],
  });
  t.teardown(() => carrier.stop());
  const run = async (scenario: string, service: string, extra: string[] = []) => {
    const started = Date.now();
    // -nr: SIPp alone would resend its CANCEL on every 2xx retransmission (it pairs each with what it sent next);
    // the dialer's claimer sends one CANCEL in a non-INVITE transaction, retransmitted only until answered.
    const uac = await startSipp({ scenario, remote: carrier.address, timeoutS: 100, args: ['-s', service, '-nr', ...extra] });
    t.teardown(() => uac.stop());
    const r = await uac.done;
    return { ...r, ms: Date.now() - started };
  };
  // Digit 0: the carrier's person (answers at once). Both callers at once: the carrier keeps each call on its own.
  const [plain, cancelled, retransmitted] = await Promise.all([
    run('uac-no-ack', '0312340010'),
    run('uac-no-ack-cancel', '0312340020'),
    // The claimer never sees the answers to its CANCELs; this caller counts them only to pace its repeats.
    run('uac-no-ack-cancel-retrans', '0312340030'),
  ]);
  for (const [name, r] of [
    ['no ACK', plain],
    ['no ACK, CANCEL after the 2xx', cancelled],
    ['no ACK, CANCEL after the 2xx retransmitted 3 times', retransmitted],
  ] as const) {
    t.equal(r.code, 0, `${name}: the caller got its BYE (SIPp exit 0): ${r.stderr.slice(-500)}`);
    t.ok(r.ms >= NO_ACK_BYE_AFTER_MS, `${name}: the BYE came after the 2xx's 64·T1 of retransmissions (${r.ms} ms)`);
  }
  const text = readFileSync(trace, 'utf8');
  const sent = (re: RegExp) => text.split(/^-{40,}.*$/m).filter((b) => /UDP message sent/.test(b) && re.test(b)).length;
  t.equal(sent(/^BYE sip:/m), 3, 'the carrier sent one BYE per unACKed call');
  const cancelOk = (service: string) =>
    new RegExp(`^SIP/2\\.0 200[^\\n]*\\n(?:[^\\n]*\\n)*?To: <sip:${service}@[^\\n]*\\n(?:[^\\n]*\\n)*?CSeq:\\s*1 CANCEL`, 'm');
  t.ok(sent(cancelOk('0312340020')) >= 1, 'the CANCEL after the 2xx was answered 200 (§9.2)');
  // The scenario's own 200 (no Contact); SIPp's answer to a CANCEL it does not expect, as it aborts the call, has one.
  t.equal(sent(cancelOk('0312340030')), 4, 'each of the 4 CANCELs was answered 200');
  t.equal(
    text.split(/^-{40,}.*$/m).filter((b) => /UDP message sent/.test(b) && /CSeq:\s*1 CANCEL/.test(b) && /^Contact:/m.test(b)).length,
    0,
    'no CANCEL was answered by SIPp aborting its call (unexpected-CANCEL default answer)',
  );
});
