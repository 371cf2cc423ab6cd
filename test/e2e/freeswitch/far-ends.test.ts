/**
 * Far-end parity through the freeswitch driver, live: the embedded driver's
 * far-end conformance cases (test/e2e/conformance/far-ends.test.ts) that are
 * about SIP and early media, dialled through a real drachtio-server and
 * FreeSWITCH (test/helpers/live-servers.ts) to the same SIPp far ends, decided
 * as a campaign does (lib/dialer/call-flow). Each SIPp scenario enforces the
 * SIP the dialer must send (a missing CANCEL, PRACK, ACK or BYE, or a wrong
 * answer to the re-INVITE, fails SIPp's own run). Real durations: the ringing
 * case rings past Timer B's 32 s to the default 40 s ring timeout; it runs
 * alongside the others, so the file takes about as long as that one call.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../../lib/config';
import { createFreeswitchDriver } from '../../../lib/telephony/drivers/freeswitch';
import { sippFailure, startSipp } from '../../../lib/telephony/testing/sipp';
import { testCall, type TestCallResult } from '../../../lib/telephony/test-call';
import { toneRegionForNumber } from '../../../lib/media/region';
import { liveServersMissing, startLiveServers, type LiveServers } from '../../helpers/live-servers';

interface Case {
  scenario: string;
  /** What the dialer must send (enforced by the scenario). */
  sends: string;
  code: number;
  mode: 'stream' | 'native';
  number?: string;
  /** Verdict kinds the call must have produced (`sit:VC`: with that SIT code). */
  verdicts?: string[];
}

const CASES: Case[] = [
  { scenario: 'uas-ring-45s', sends: 'CANCEL at the default 40 s ring timeout, ACK for the 487', code: 2, mode: 'stream' },
  {
    scenario: 'uas-183-100rel',
    sends: 'Supported: 100rel, PRACK with RAck "1 <cseq> INVITE", ACK, BYE',
    code: 1,
    mode: 'stream',
    verdicts: ['human'],
  },
  {
    scenario: 'uas-reinvite-hold',
    sends: '200 to the sendonly re-INVITE with a=recvonly and the same o= session id, version + 1, BYE',
    code: 1,
    mode: 'stream',
    verdicts: ['human'],
  },
  {
    scenario: 'uas-183-busy-jp',
    sends: 'CANCEL on the Japanese busy tone in early media (stream: lib/media)',
    code: 3,
    mode: 'stream',
    verdicts: ['busy'],
  },
  {
    scenario: 'uas-183-busy-jp',
    sends: 'CANCEL on the Japanese busy tone in early media (native: spandsp)',
    code: 3,
    mode: 'native',
    verdicts: ['busy'],
  },
  // Native Bell SIT in early media: the North American early-media descriptor has no 1 kHz beep to mask 985 Hz.
  {
    scenario: 'uas-183-sit-then-404',
    sends: 'CANCEL on the Bell SIT in early media (native: spandsp, +1 number)',
    code: 6,
    mode: 'native',
    number: '+12125550123',
    verdicts: ['sit:VC'],
  },
  // Every SIT family in every region's descriptors (spandsp.conf.xml): the ITU-T E.180 SIT on a +1 number and on
  // a Japanese one, and the Bell SIT after answer on a +1 number, where the 1 kHz beep descriptor used to mask it.
  {
    scenario: 'uas-183-sit-itu-then-404',
    sends: 'CANCEL on the ITU-T E.180 SIT in early media (native: spandsp, +1 number)',
    code: 6,
    mode: 'native',
    number: '+12125550124',
    verdicts: ['sit:ITU'],
  },
  {
    scenario: 'uas-183-sit-itu-then-404',
    sends: 'CANCEL on the ITU-T E.180 SIT in early media (native: spandsp, Japanese number)',
    code: 6,
    mode: 'native',
    verdicts: ['sit:ITU'],
  },
  {
    scenario: 'uas-answer-sit',
    sends: 'BYE on the Bell SIT after answer (native: spandsp with the beep in the descriptor, +1 number)',
    code: 6,
    mode: 'native',
    number: '+12125550125',
    verdicts: ['sit:VC'],
  },
];

const JP_NUMBER = '0312345678';

async function run(
  live: LiveServers,
  c: Case,
): Promise<{ r: TestCallResult; sippCode: number | null; sippErr: string; ms: number; uuid?: string }> {
  const far = await startSipp({ scenario: c.scenario, timeoutS: 90 });
  try {
    const config = loadConfig({
      env: {},
      overrides: {
        telephony: { driver: 'freeswitch', freeswitch: live.configSection(c.mode), trunks: [{ name: 'far', address: far.address }] },
      },
    });
    const driver = createFreeswitchDriver({ config, logger: pino({ level: process.env.DIALER_LOG__LEVEL ?? 'silent' }) });
    await driver.start();
    // The leg's FreeSWITCH channel, to find its lines in FreeSWITCH's log when a verdict is missing.
    let uuid: string | undefined;
    driver.onEvent((e) => {
      uuid ??= driver.mediaUuid(e.legId);
    });
    const number = c.number ?? JP_NUMBER;
    const started = Date.now();
    try {
      const r = await testCall(
        driver,
        {
          to: number,
          ringTimeoutMs: 40_000,
          analysis: { early: true, answered: true, region: toneRegionForNumber(number, 'JP') },
        },
        { flow: true, hangupOnVerdict: true, maxMs: 120_000 },
      );
      const ms = Date.now() - started;
      const s = await Promise.race([far.done, new Promise<null>((res) => setTimeout(() => res(null), 15_000))]);
      return { r, sippCode: s ? s.code : null, sippErr: sippFailure(s), ms, ...(uuid ? { uuid } : {}) };
    } finally {
      await driver.stop();
    }
  } finally {
    await far.stop();
  }
}

/**
 * A leg's media lines in FreeSWITCH's log (tone detector, RTP latching, the fork's eavesdrop, detections): a native
 * verdict that never came is FreeSWITCH's to explain, and CI keeps no log folder. Seen once in a fresh clone: the Bell
 * SIT in early media went unnoticed while the four other native detectors of the run fired.
 */
function legLines(live: LiveServers, uuid: string | undefined): string {
  if (!uuid) return '; no media uuid seen';
  const log = readFileSync(join(live.dir, 'log/freeswitch.log'), 'utf8');
  const lines = log.split('\n').filter((l) => l.includes(uuid) && /tone|DETECTED|Auto Changing|eavesdrop|answered|Hangup/i.test(l));
  return `; FreeSWITCH's log for ${uuid}: ${lines.slice(0, 20).join(' | ')}`;
}

const missing = liveServersMissing();

t.test('far-end parity through drachtio + FreeSWITCH', { skip: missing ?? false }, async (t) => {
  const live = await startLiveServers(t);
  // All at once: the 40 s ring dominates; the others are a few seconds each.
  const results = await Promise.allSettled(CASES.map((c) => run(live, c)));
  t.test("FreeSWITCH's log: no deprecation warning from our configuration", async (tt) => {
    const log = readFileSync(join(live.dir, 'log/freeswitch.log'), 'utf8');
    tt.match(log, /New Channel sofia\/drachtio_mrf/, 'the log covers the calls');
    const deprecated = log.split('\n').filter((l) => /deprecat/i.test(l));
    // FreeSWITCH itself sets rtp_timeout_sec=0 and rtp_hold_timeout_sec=0 on a channel whose remote SDP is
    // a=recvonly before its RTP is up (switch_core_media.c), then warns that they are deprecated. drachtio-srf
    // ACKs fsmrf's offerless (3pcc) INVITE with FreeSWITCH's own SDP marked recvonly, so every endpoint logs
    // that pair once at creation. Nothing in freeswitch-conf/ sets them (dialplan/dialer.xml: media_timeout).
    const fromCore = /switch_core_media\.c:\d+ rtp_(hold_)?timeout_sec deprecated/;
    tt.same(
      deprecated.filter((l) => !fromCore.test(l)),
      [],
      'no deprecated parameter or variable of ours (sofia profile, dialplan, modules)',
    );
  });
  CASES.forEach((c, i) => {
    const res = results[i]!;
    t.test(`${c.scenario} (${c.mode}) → ${c.code}; sends ${c.sends}`, async (tt) => {
      if (res.status === 'rejected') return void tt.fail(`did not run: ${(res.reason as Error).stack ?? String(res.reason)}`);
      const { r, sippCode, sippErr, ms, uuid } = res.value;
      tt.equal(r.resultCode, c.code, `result ${c.code} (got ${r.resultCode} ${r.resultName}; end ${JSON.stringify(r.end)})`);
      tt.equal(sippCode, 0, `SIPp's own run passed${sippCode === 0 ? '' : `: ${sippErr}`}`);
      const seen = r.verdicts.map((v) => (v.kind === 'sit' ? `sit:${v.code}` : v.kind));
      for (const kind of c.verdicts ?? [])
        tt.ok(
          seen.some((v) => v === kind || v.startsWith(`${kind}:`)),
          `a ${kind} verdict (got ${seen.join(',') || 'none'})${seen.length ? '' : legLines(live, uuid)}`,
        );
      if (c.scenario === 'uas-ring-45s') {
        // The ring timeout is the dialer's, not Timer B's 32 s: the CANCEL leaves at 40 s.
        tt.ok(ms >= 40_000, `not ended before the 40 s ring timeout (${ms} ms); the scenario fails a CANCEL later than 45 s`);
        tt.equal(r.end.sipStatus, 487, '487 for the CANCEL');
      }
    });
  });
});
