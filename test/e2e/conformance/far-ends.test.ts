/**
 * Far-end conformance: one real SIPp far end per behaviour carriers show
 * (sipp-scenarios/, named by behaviour), each dialled by the embedded driver
 * deciding as a campaign does (lib/dialer/call-flow). Each case names the
 * result code a correct dialer records and the SIP it must send; the SIPp
 * scenario enforces that SIP (a missing CANCEL, PRACK, ACK or BYE, or a wrong
 * answer to a re-INVITE/UPDATE, fails SIPp's own run). Real durations: the
 * ringing cases ring past Timer B's 32 s.
 */
import t from 'tap';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import { testCall, type TestCallResult } from '../../../lib/telephony/test-call';
import { toneRegionForNumber } from '../../../lib/media/region';

interface Case {
  scenario: string;
  /** What the dialer must send (enforced by the scenario). */
  sends: string;
  code: number;
  number?: string;
  ringTimeoutS?: number;
  tcp?: boolean;
  creds?: boolean;
}

const CASES: Case[] = [
  { scenario: 'uas-ring-45s', sends: 'CANCEL at the default 40 s ring timeout, ACK for the 487', code: 2 },
  { scenario: 'uas-answer-35s', sends: 'nothing until the 200 at 35 s (no Timer B end), ACK, BYE after the person verdict', code: 1 },
  { scenario: 'uas-no-answer', sends: 'CANCEL at the ring timeout (20 s), ACK for the 487', code: 2, ringTimeoutS: 20 },
  { scenario: 'uas-200-after-cancel', sends: 'CANCEL at 20 s, then ACK and BYE for the 200 that crossed it', code: 2, ringTimeoutS: 20 },
  { scenario: 'uas-183-100rel', sends: 'Supported: 100rel, PRACK with RAck "1 <cseq> INVITE", ACK, BYE', code: 1 },
  { scenario: 'uas-reinvite-hold', sends: '200 to the sendonly re-INVITE with a=recvonly, the same o= session id and version + 1, BYE', code: 1 },
  {
    scenario: 'uas-update-session-timer',
    sends: '200 to the UPDATE with Session-Expires 1800;refresher=uas and Require: timer, BYE',
    code: 1,
  },
  { scenario: 'uas-180-486', sends: 'ACK for the 486', code: 3 },
  { scenario: 'uas-busy-486', sends: 'ACK for the 486', code: 3 },
  { scenario: 'uas-183-busy-jp', sends: "CANCEL on the Japanese busy tone in early media (tone plan from the number's region)", code: 3 },
  {
    scenario: 'uas-183-busy-na',
    sends: 'CANCEL on the North American busy tone in early media (+1 number)',
    code: 3,
    number: '+12125550123',
  },
  { scenario: 'uas-183-sit-then-404', sends: 'CANCEL on the SIT (or ACK for the 404)', code: 6 },
  { scenario: 'uas-302-redirect', sends: 'ACK for the 302 (redirects are not followed)', code: 13 },
  { scenario: 'uas-503', sends: 'ACK for the 503', code: 13 },
  { scenario: 'uas-digest-auth', sends: 'ACK for the 401, INVITE with Authorization (digest, qop auth), ACK, BYE', code: 1, creds: true },
  { scenario: 'uas-proxy-auth-407', sends: 'ACK for the 407, INVITE with Proxy-Authorization, ACK, BYE', code: 1, creds: true },
  { scenario: 'uas-callee-hangup', sends: "200 to the far end's BYE during analysis", code: 9 },
  { scenario: 'uas-person', sends: 'ACK, BYE after the person verdict', code: 1 },
  { scenario: 'uas-person', sends: 'everything over TCP (TCP-only trunk)', code: 1, tcp: true },
  { scenario: 'uas-machine', sends: 'ACK, BYE after the machine verdict', code: 4 },
  { scenario: 'uas-fax', sends: 'ACK, BYE on the fax tone', code: 5 },
  { scenario: 'uas-silence', sends: 'ACK, BYE on silence', code: 7 },
];

async function run(c: Case): Promise<{ r: TestCallResult; sippCode: number | null; sippErr: string }> {
  const far = await startSipp({ scenario: c.scenario, timeoutS: 90, args: c.tcp ? ['-t', 't1'] : [] });
  const driver = await startTestDriver({
    trunks: [
      {
        name: 'far',
        address: far.address,
        ...(c.tcp ? { transport: 'tcp' as const } : {}),
        ...(c.creds ? { username: 'dialer', password: 'secret' } : {}),
      },
    ],
  });
  try {
    const r = await testCall(
      driver,
      // The region as the campaign runner passes it: the number's own country, else phone.defaultRegion (JP).
      {
        to: c.number ?? '0312345678',
        ringTimeoutMs: (c.ringTimeoutS ?? 40) * 1000,
        analysis: { early: true, answered: true, region: toneRegionForNumber(c.number ?? '0312345678', 'JP') },
      },
      { flow: true, hangupOnVerdict: true, maxMs: 120_000 },
    );
    const s = await Promise.race([far.done, new Promise<null>((res) => setTimeout(() => res(null), 15_000))]);
    return { r, sippCode: s ? s.code : null, sippErr: s ? s.stderr.slice(-400) : 'SIPp did not finish' };
  } finally {
    await driver.stop();
    await far.stop();
  }
}

/** Runs the cases a few at a time: the machine is shared, and analysis runs in real time. */
async function pool<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!).then(
          (value) => ({ status: 'fulfilled' as const, value }),
          (reason: unknown) => ({ status: 'rejected' as const, reason }),
        );
      }
    }),
  );
  return out;
}

t.test('far-end conformance', async (t) => {
  t.ok(new Set(CASES.map((c) => c.scenario)).size >= 20, 'at least 20 far-end behaviours');
  const results = await pool(CASES, 3, run);
  CASES.forEach((c, i) => {
    const res = results[i]!;
    t.test(`${c.scenario}${c.tcp ? ' (TCP)' : ''} → ${c.code}; sends ${c.sends}`, async (tt) => {
      if (res.status === 'rejected') return void tt.fail(`did not run: ${(res.reason as Error).stack ?? String(res.reason)}`);
      const { r, sippCode, sippErr } = res.value;
      tt.equal(r.resultCode, c.code, `result ${c.code} (got ${r.resultCode} ${r.resultName}; end ${JSON.stringify(r.end)})`);
      tt.equal(sippCode, 0, `SIPp's own run passed${sippCode === 0 ? '' : `: ${sippErr}`}`);
    });
  });
});
