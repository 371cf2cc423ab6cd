/**
 * The test carrier (sipp-scenarios/carrier-simulator.xml) answers a CANCEL that
 * comes after its final response instead of aborting the call:
 * - one that crossed its 404 (digit 5: SIT in early media, then 404 after 4 s;
 *   a dialer that recognises the SIT just then CANCELs as the 404 leaves);
 * - one retransmitted after its 200 and 487 (digit 4: rings until CANCEL; the
 *   caller's Timer E fired before the 200 reached it);
 * and absorbs an INVITE retransmitted after its 180 and 200 (digit 0: a person;
 *   the caller's Timer A fired before the 180 reached it; RFC 6026 §8.7), its
 *   200 being retransmitted anyway.
 * SIPp 3.6.1 recognises a retransmitted request only while a single send
 * follows it (src/call.cpp), and a message that arrives when the scenario does
 * not expect it aborts the call with SIPp's default 200: the carrier's run then
 * ends with a failed call (exit 1). Both callers are SIPp UACs
 * (sipp-scenarios/uac-cancel-*.xml, uac-invite-retrans-after-200.xml); the same
 * branches are in the other far ends (sipp-scenarios/README.md, "Between two sends").
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { workDir } from '../../helpers/work-dir';

t.test(
  'a CANCEL after the carrier’s final response is answered 200, an INVITE retransmitted after its 200 is absorbed: no call aborted',
  { timeout: 90000 },
  async (t) => {
    const dir = workDir(t, 'dialer-late-cancel-');
    const trace = join(dir, 'carrier.log');
    const carrier = await startSipp({
      scenario: 'carrier-simulator',
      calls: 3,
      timeoutS: 60,
      args: ['-trace_msg', '-message_file', trace],
    });
    t.teardown(() => carrier.stop());
    // The person far end alone (uas-person.xml; the other answering far ends have the same branch).
    const person = await startSipp({ scenario: 'uas-person', calls: 1, timeoutS: 60 });
    t.teardown(() => person.stop());
    const run = async (scenario: string, service: string, extra: string[] = [], remote = carrier.address) => {
      const uac = await startSipp({ scenario, remote, timeoutS: 40, args: ['-s', service, ...extra] });
      t.teardown(() => uac.stop());
      return uac.done;
    };
    const [crossed, retransmitted, invite, invitePerson] = await Promise.all([
      run('uac-cancel-crossing-404', '0312340045'),
      run('uac-cancel-retrans-after-487', '0312340054'),
      // -nr: SIPp alone pairs the second 200 (the same bytes as the first) with the INVITE it sent after the first,
      // and would resend that INVITE on it for good.
      run('uac-invite-retrans-after-200', '0312340060', ['-nr']),
      run('uac-invite-retrans-after-200', '0312340070', ['-nr'], person.address),
    ]);
    t.equal(crossed.code, 0, `CANCEL crossing the 404: the caller got 200 to its CANCEL (SIPp exit 0): ${crossed.stderr.slice(-500)}`);
    t.equal(
      retransmitted.code,
      0,
      `CANCEL retransmitted after 200 + 487: the caller got 200 to it (SIPp exit 0): ${retransmitted.stderr.slice(-500)}`,
    );
    t.equal(
      invite.code,
      0,
      `INVITE retransmitted after 180 + 200: a 200 (retransmitted) came, then ACK and BYE (SIPp exit 0): ${invite.stderr.slice(-500)}`,
    );
    t.equal(
      invitePerson.code,
      0,
      `uas-person, INVITE retransmitted after 180 + 200: a 200 came, then ACK and BYE (SIPp exit 0): ${invitePerson.stderr.slice(-500)}`,
    );
    t.equal((await person.done).code, 0, 'uas-person ended its call as its scenario has it (SIPp exit 0)');
    const result = await carrier.done;
    t.equal(
      result.code,
      0,
      `the carrier ended the three calls as its scenario has them, none aborted (SIPp exit 0): ${result.stderr.slice(-800)}`,
    );
    const text = readFileSync(trace, 'utf8');
    const blocks = text.split(/^-{40,}.*$/m).filter((b) => /UDP message sent/.test(b));
    // The scenario's own 200 has no Contact; SIPp's default answer to an unexpected CANCEL, as it aborts the call, has one.
    const cancelOks = (service: string, contact: boolean) =>
      blocks.filter(
        (b) => /^SIP\/2\.0 200/m.test(b) && /CSeq:\s*1 CANCEL/.test(b) && b.includes(`sip:${service}@`) && /^Contact:/m.test(b) === contact,
      ).length;
    t.equal(cancelOks('0312340045', false), 1, 'the crossing CANCEL: one 200 from the scenario');
    t.equal(cancelOks('0312340054', false), 2, 'the CANCEL and its retransmission: a 200 from the scenario each');
    t.equal(cancelOks('0312340045', true) + cancelOks('0312340054', true), 0, 'no CANCEL answered by SIPp aborting its call');
  },
);
