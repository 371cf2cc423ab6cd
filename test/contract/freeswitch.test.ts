/**
 * The shared contract suite against the freeswitch driver, live: a
 * drachtio-server and a FreeSWITCH started for this file on free loopback
 * ports with the project's own freeswitch-conf/ (test/helpers/live-servers.ts),
 * SIPp far ends on 127.0.0.1, in both audio modes:
 * - stream: the leg's audio through a named pipe to lib/media's analysers,
 * - native: FreeSWITCH's own tone detection (mod_spandsp), and the person /
 *   machine / silence decision by lib/media hearing the leg through an RTP
 *   fork (a sink endpoint eavesdropping on the leg sends its audio to a UDP
 *   socket of the dialer): the same verdicts and result codes, with
 *   dialer.runner.notSure at its default (README, "Detection on FreeSWITCH").
 * Skips with a message only when the dialer-live bundle is not installed.
 */
import t from 'tap';
import pino from 'pino';
import { loadConfig } from '../../lib/config';
import { createFreeswitchDriver } from '../../lib/telephony/drivers/freeswitch';
import { liveServersMissing, startLiveServers } from '../helpers/live-servers';
import { runContractSuite } from './suite';

const missing = liveServersMissing();

if (missing) {
  t.test('freeswitch driver contract suite (live)', { skip: missing }, () => undefined);
} else {
  t.test('freeswitch driver contract suite (live drachtio-server + FreeSWITCH)', async (t) => {
    const live = await startLiveServers(t);
    // First-RTP-to-analyser latency (stream mode), reported not asserted (timings belong to bench/).
    const latencies: number[] = [];
    const missed: number[] = [];
    t.teardown(() => {
      if (latencies.length === 0) return;
      const sorted = [...latencies].sort((a, b) => a - b);
      const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
      t.comment(
        `stream mode: first frame at the analyser after the 183/200 that started media: p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${sorted[sorted.length - 1]} ms (${sorted.length} legs); RTP packets FreeSWITCH received but the analyser did not: ${missed.join(',')}`,
      );
    });
    for (const mode of ['stream', 'native'] as const) {
      await t.test(`${mode} audio mode`, async (tt) => {
        await runContractSuite(tt, async (trunk, media) => {
          const config = loadConfig({
            env: {},
            overrides: {
              telephony: {
                driver: 'freeswitch',
                freeswitch: live.configSection(mode),
                trunks: [
                  {
                    name: trunk.name,
                    address: trunk.address,
                    ...(trunk.username ? { username: trunk.username, password: trunk.password } : {}),
                  },
                ],
              },
              ...(media ? { media } : {}),
            },
          });
          const driver = createFreeswitchDriver({
            config,
            logger: pino({ level: process.env.DIALER_LOG__LEVEL ?? 'silent' }),
            onTapStats: (_leg, s) => {
              if (s.mediaAt !== undefined && s.firstFrameAt !== undefined) latencies.push(s.firstFrameAt - s.mediaAt);
              if (s.rtpPackets !== undefined) missed.push(s.rtpPackets - s.frames);
            },
          });
          await driver.start();
          return driver;
        });
      });
    }
  });
}
