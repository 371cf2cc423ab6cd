/**
 * mod_avmd on the native fork's sink, live (telephony.freeswitch.beepDetector
 * "avmd"): an answering machine (SIPp uas-machine) called in native mode with
 * waitForBeep, as a message-leaving campaign does. What this proves: FreeSWITCH
 * accepts `avmd <sink> start` and runs avmd on the sink. Until
 * freeswitch-conf/autoload_configs/avmd.conf.xml set inbound_channel=1 it
 * refused ("can't set direction for channel": the sink is an inbound channel,
 * mod_avmd.c avmd_start_app), so avmd never ran live. What it does not prove:
 * that avmd reports the beep. Live, avmd initialises the sink at 48000
 * samples/s (its write codec's rate) for 8 kHz audio and fired no avmd::beep
 * for the 1 kHz beep (README "Detection on FreeSWITCH"); that is open.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../lib/config';
import { createFreeswitchDriver } from '../../../lib/telephony/drivers/freeswitch';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { testCall } from '../../../lib/telephony/test-call';
import { liveServersMissing, startLiveServers } from '../../helpers/live-servers';

const missing = liveServersMissing();

t.test('avmd runs on the native fork sink (FreeSWITCH accepts it on the inbound sink channel)', { skip: missing ?? false }, async (t) => {
  const live = await startLiveServers(t);
  const far = await startSipp({ scenario: 'uas-machine', timeoutS: 90 });
  t.teardown(() => far.stop());
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const rec = JSON.parse(line) as { level: number; msg?: string };
        if (rec.level >= 40) warnings.push(rec.msg ?? '');
      }
      cb();
    },
  });
  const config = loadConfig({
    env: {},
    overrides: {
      telephony: {
        driver: 'freeswitch',
        freeswitch: { ...live.configSection('native'), beepDetector: 'avmd' },
        trunks: [{ name: 'far', address: far.address }],
      },
    },
  });
  const d = createFreeswitchDriver({ config, logger: pino({ level: 'warn' }, sink) });
  await d.start();
  t.teardown(() => d.stop());
  const log = () => readFileSync(join(live.dir, 'log/freeswitch.log'), 'utf8');
  const r = await testCall(
    d,
    { to: '0312345678', ringTimeoutMs: 20_000, analysis: { early: true, answered: true, waitForBeep: true, region: 'JP' } },
    {
      maxMs: 90_000,
      onEvent: (e) => {
        // The machine verdict comes from the fork's analyser after avmd was started on the sink at answer.
        if (e.type === 'verdict' && e.phase === 'answered' && e.verdict.kind === 'machine') void d.hangup(e.legId).catch(() => undefined);
      },
    },
  );
  t.ok(r.end.answered, 'the machine answered');
  t.ok(
    r.verdicts.some((v) => v.kind === 'machine'),
    `the fork's analyser said machine (verdicts: ${r.verdicts.map((v) => v.kind).join(',')})`,
  );
  t.same(
    warnings.filter((w) => /avmd/i.test(w)),
    [],
    'no "avmd start refused" from the driver',
  );
  // FreeSWITCH logs the start as it runs the API command; wait for it (bounded), as the log is written asynchronously.
  let text = log();
  for (let i = 0; i < 100 && !/mod_avmd\.c:\d+ Avmd on channel \[sofia\/drachtio_mrf\/[^\]]+\] started!/.test(text); i++) {
    await new Promise((res) => setTimeout(res, 100));
    text = log();
  }
  t.match(text, /mod_avmd\.c:\d+ Avmd on channel \[sofia\/drachtio_mrf\/[^\]]+\] started!/, 'FreeSWITCH started avmd on the sink');
  t.notMatch(text, /can't set direction for channel/i, 'no direction refusal');
});
