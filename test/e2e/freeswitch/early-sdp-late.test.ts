/**
 * A SIT at the very start of early media, with the dialer's handling of the
 * 183 held back, live through drachtio-server and FreeSWITCH.
 *
 * Found under load (README, FreeSWITCH "known problems"): the far end's RTP
 * reached FreeSWITCH 100–460 ms before the endpoint was given the 183's SDP,
 * so anything the driver does to the leg on the 183 happens inside the SIT's
 * 1 s of tones, and the Bell SIT's middle tone allows only ±45 ms. Here the
 * same order is made on purpose, on an idle machine too: every endpoint
 * command that changes its media (`modify`) waits `HOLD_MS` before it goes
 * to FreeSWITCH, so it lands inside the SIT's middle tone (the scenario's
 * audio: 100 ms of silence, 985 Hz 380 ms, 1371 Hz 274 ms, 1777 Hz 380 ms).
 * The SIT must still be reported (native: spandsp on the leg; stream:
 * lib/media on the recording) and the call CANCELled on it (SIPp's scenario
 * fails without a CANCEL within 8 s).
 */
import t from 'tap';
import pino from 'pino';
import { loadConfig } from '../../../lib/config';
import { createCallAnalyzer } from '../../../lib/media/analyzer';
import { FreeswitchDriver } from '../../../lib/telephony/drivers/freeswitch';
import { DrachtioMrf, DrachtioSrf, modeslConnect } from '../../../lib/telephony/drivers/freeswitch/adapters';
import { openRtpFork } from '../../../lib/telephony/drivers/freeswitch/fork';
import { systemClock, type EndpointPort, type MediaServerPort, type MrfPort } from '../../../lib/telephony/drivers/freeswitch/ports';
import { openFifoTap } from '../../../lib/telephony/drivers/freeswitch/tap';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { testCall } from '../../../lib/telephony/test-call';
import { toneRegionForNumber } from '../../../lib/media/region';
import { liveServersMissing, startLiveServers, type LiveServers } from '../../helpers/live-servers';

/**
 * From the 183 to its SDP reaching FreeSWITCH, per native call: inside the SIT's first, middle and last tone
 * (100–480, 480–754 and 754–1134 ms of its audio), as seen in loaded runs (100–460 ms after the first packet).
 */
const NATIVE_HOLDS_MS = [300, 550, 850];
const STREAM_HOLD_MS = 550;

/** fsmrf's media servers whose endpoints' `modify` waits holdMs (the loaded machine's late re-INVITE). */
function lateModify(mrf: MrfPort, holdMs: number, modified: number[]): MrfPort {
  const wrapEp = (ep: EndpointPort): EndpointPort => {
    const late: EndpointPort = Object.create(ep) as EndpointPort;
    Object.defineProperty(late, 'modify', {
      value: async (sdp: string) => {
        await new Promise((r) => setTimeout(r, holdMs));
        modified.push(Date.now());
        return ep.modify(sdp);
      },
    });
    return late;
  };
  return {
    connect: async (opts) => {
      const ms = await mrf.connect(opts);
      const wrapped: MediaServerPort = Object.create(ms) as MediaServerPort;
      Object.defineProperty(wrapped, 'createEndpoint', {
        value: async (o?: Parameters<MediaServerPort['createEndpoint']>[0]) => wrapEp(await ms.createEndpoint(o)),
      });
      return wrapped;
    },
  };
}

async function run(live: LiveServers, mode: 'stream' | 'native', holdMs: number) {
  const far = await startSipp({ scenario: 'uas-183-sit-then-404', timeoutS: 60 });
  try {
    const config = loadConfig({
      env: {},
      overrides: {
        telephony: { driver: 'freeswitch', freeswitch: live.configSection(mode), trunks: [{ name: 'far', address: far.address }] },
      },
    });
    const srf = new DrachtioSrf();
    const modified: number[] = [];
    const driver = new FreeswitchDriver({
      config: {
        freeswitch: config.telephony.freeswitch,
        trunks: config.telephony.trunks,
        defaultRegion: config.phone.defaultRegion,
        defaultToneRegion: config.media.defaultRegion,
      },
      srf,
      mrf: lateModify(new DrachtioMrf(srf), holdMs, modified),
      esl: modeslConnect,
      openTap: openFifoTap,
      openFork: (address) => openRtpFork(address),
      clock: systemClock,
      logger: pino({ level: process.env.DIALER_LOG__LEVEL ?? 'silent' }),
      createAnalyzer: (o) =>
        createCallAnalyzer({
          config: config.media,
          phase: o.phase,
          ...(o.region ? { region: o.region } : {}),
          ...(o.waitForBeep ? { waitForBeep: true } : {}),
        }),
    });
    await driver.start();
    try {
      const r = await testCall(
        driver,
        {
          to: '+12125550123',
          ringTimeoutMs: 30_000,
          analysis: { early: true, answered: true, region: toneRegionForNumber('+12125550123', 'JP') },
        },
        { flow: true, hangupOnVerdict: true, maxMs: 60_000 },
      );
      const s = await Promise.race([far.done, new Promise<null>((res) => setTimeout(() => res(null), 15_000))]);
      return { r, sipp: s, modified };
    } finally {
      await driver.stop();
    }
  } finally {
    await far.stop();
  }
}

const missing = liveServersMissing();

t.test('a SIT at the start of early media, the 183 handled late', { skip: missing ?? false }, async (t) => {
  const live = await startLiveServers(t);
  const cases = [...NATIVE_HOLDS_MS.map((ms) => ({ mode: 'native' as const, ms })), { mode: 'stream' as const, ms: STREAM_HOLD_MS }];
  // At once: each call is a few seconds (a missed SIT: 8 s, then the scenario's 404).
  const results = await Promise.allSettled(cases.map((c) => run(live, c.mode, c.ms)));
  cases.forEach((c, i) => {
    const res = results[i]!;
    t.test(`${c.mode}, the endpoint's modify held back ${c.ms} ms`, async (tt) => {
      if (res.status === 'rejected') return void tt.fail(`did not run: ${(res.reason as Error).stack ?? String(res.reason)}`);
      const { r, sipp } = res.value;
      const seen = r.verdicts.map((v) => (v.kind === 'sit' ? `sit:${v.code}` : v.kind));
      tt.ok(seen.includes('sit:VC'), `the SIT (VC) is reported (got ${seen.join(',') || 'none'})`);
      tt.equal(r.end.sipStatus, 487, `CANCELled on the SIT: 487 (end ${JSON.stringify(r.end)})`);
      tt.equal(r.resultCode, 6, 'result 6');
      tt.equal(sipp?.code, 0, `SIPp's own run passed${sipp?.code === 0 ? '' : `: ${(sipp?.stderr ?? '').slice(-400)}`}`);
    });
  });
});
