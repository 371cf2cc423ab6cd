/**
 * `dialer call <number|sip:uri> [options]` (options and help in ./specs.ts)
 * Places one call through the embedded driver (or `--driver freeswitch`) and prints every event with its
 * time, then a summary with the result code the dialer would record.
 *
 * By default the call goes as a campaign's would: the same call-flow code
 * (lib/dialer/call-flow.ts) CANCELs on an early-media SIT, busy tone,
 * announcement or fax, and hangs up as soon as analysis of the answered audio
 * decides (human, machine, fax, silence, notsure). `--stay` listens longer:
 * no CANCEL on early media, the call stays up until `--hangup-after` (default
 * 30 s after the answer) or the far end hangs up. The tone plan is --region,
 * else the number's own country's, else phone.defaultRegion's.
 *
 * JSON output (stable; one object per line; other tools score it):
 *   { "event": "trying"|"progress"|"answer"|"verdict"|"dtmf"|"end", "t": ms since the INVITE, "at": ISO time, ...fields }
 *     progress: status, reason, earlyMedia     verdict: phase ("early"|"answered"), verdict (lib/media/types.ts Verdict)
 *     dtmf: digit, durationMs                  end: sipStatus, sipReason, by ("remote"|"local"|"timeout"|"error"), answered, detail
 *   last line:
 *   { "event": "summary", "to", "trunk", "resultCode", "resultName", "answered", "sipStatus", "hangupBy",
 *     "verdicts": [kind…], "durationMs" }
 */
import { loadConfig, validateConfig } from '../../lib/config';
import { EmbeddedDriver } from '../../lib/telephony/drivers/embedded';
import { mediaAnalyzerFactory } from '../../lib/telephony/analysis';
import { testCall } from '../../lib/telephony/test-call';
import { toneRegionForNumber } from '../../lib/media/region';
import type { LegEvent, TelephonyDriver } from '../../lib/telephony/contract';
import { createFreeswitchDriver } from '../../lib/telephony/drivers/freeswitch';
import pino from 'pino';
import { UsageError, numberOption, parseCommandArgs, usageLine } from './parse';
import { callSpec } from './specs';
import type { Command } from './types';

export interface CallArgs {
  to: string;
  trunk?: string;
  callerId?: string;
  ringTimeoutS: number;
  hangupAfterS: number;
  stay: boolean;
  analysis: boolean;
  region?: string;
  sipPort: number;
  json: boolean;
  /** Default: telephony.driver from the configuration. */
  driver?: 'embedded' | 'freeswitch';
}

export function parseCallArgs(argv: string[]): CallArgs {
  const { values: v, positionals } = parseCommandArgs(callSpec, argv);
  const usage = usageLine(callSpec);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"\n${usage}`);
  const to = positionals[0];
  if (!to) throw new UsageError(`a number or SIP URI to call is required\n${usage}`);
  const trunk = v.trunk as string | undefined;
  if (trunk !== undefined && !/^[^\s:]+(:\d{1,5})?$/.test(trunk)) throw new UsageError(`--trunk must be host or host:port, got "${trunk}"`);
  return {
    to,
    ...(trunk !== undefined ? { trunk } : {}),
    ...(typeof v['caller-id'] === 'string' ? { callerId: v['caller-id'] } : {}),
    ringTimeoutS: numberOption(callSpec, 'ring-timeout', v['ring-timeout'], 1, 300) ?? 40,
    hangupAfterS: numberOption(callSpec, 'hangup-after', v['hangup-after'], 0, 86400) ?? 30,
    stay: v.stay === true,
    analysis: v['no-analysis'] !== true,
    ...(typeof v.region === 'string' ? { region: v.region } : {}),
    sipPort: numberOption(callSpec, 'sip-port', v['sip-port'], 0, 65535) ?? 0,
    json: v.json === true,
    ...(v.driver !== undefined ? { driver: driverOption(v.driver) } : {}),
  };
}

function driverOption(v: unknown): 'embedded' | 'freeswitch' {
  if (v === 'embedded' || v === 'freeswitch') return v;
  throw new UsageError(`--driver must be embedded or freeswitch, got "${String(v)}"`);
}

/** One JSON-able line per event (the stable output format above). */
export function eventLine(e: LegEvent, t0: number): Record<string, unknown> {
  const { type, legId: _leg, at, ...rest } = e;
  const fields = type === 'end' ? { ...e.cause } : rest;
  return { event: type, t: at - t0, at: new Date(at).toISOString(), ...fields };
}

function humanLine(o: Record<string, unknown>): string {
  const { event, t, at: _at, ...rest } = o;
  return `${String(t).padStart(6)} ms  ${String(event).padEnd(9)} ${JSON.stringify(rest)}`;
}

/** Runs the command; `write` receives each output line (stdout by default). */
export async function callMain(
  argv: string[],
  write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  configOverrides?: Record<string, unknown>,
): Promise<number> {
  const args = parseCallArgs(argv);
  const base = loadConfig(configOverrides ? { env: {}, overrides: configOverrides } : {});
  const trunks = args.trunk ? [{ name: 'cli', address: args.trunk, callsPerSecond: 1000 }] : base.telephony.trunks;
  // The call command never competes with a running dialer for its SIP port.
  const cfg = validateConfig({
    ...JSON.parse(JSON.stringify(base)),
    telephony: {
      ...JSON.parse(JSON.stringify(base.telephony)),
      trunks,
      embedded: { ...JSON.parse(JSON.stringify(base.telephony.embedded)), sip: { ...base.telephony.embedded.sip, port: args.sipPort } },
    },
  });
  // --driver freeswitch: the production path (drachtio-server + FreeSWITCH from telephony.freeswitch).
  const driver: TelephonyDriver =
    (args.driver ?? cfg.telephony.driver) === 'freeswitch'
      ? createFreeswitchDriver({ config: cfg, logger: pino({ level: cfg.log.level }) })
      : new EmbeddedDriver({
          embedded: cfg.telephony.embedded,
          trunks: cfg.telephony.trunks,
          analyzerFactory: mediaAnalyzerFactory(cfg.media),
        });
  await driver.start();
  // One region, as a campaign has it: --region, else the number's country, else phone.defaultRegion.
  const region =
    args.region ?? (/^sips?:/i.test(args.to) ? cfg.media.defaultRegion : toneRegionForNumber(args.to, cfg.phone.defaultRegion));
  const out = (o: Record<string, unknown>) => write(args.json ? JSON.stringify(o) : humanLine(o));
  const t0 = Date.now();
  try {
    const r = await testCall(
      driver,
      {
        to: args.to,
        callerId: args.callerId,
        ringTimeoutMs: args.ringTimeoutS * 1000,
        analysis: args.analysis ? { early: true, answered: true, region } : undefined,
      },
      // Without --stay the call goes as a campaign's would (lib/dialer/call-flow decides when to CANCEL or BYE).
      { flow: !args.stay, hangupOnVerdict: !args.stay, hangupAfterMs: args.hangupAfterS * 1000, onEvent: (e) => out(eventLine(e, t0)) },
    );
    out({
      event: 'summary',
      t: Date.now() - t0,
      at: new Date().toISOString(),
      to: args.to,
      trunk: /^sips?:/i.test(args.to) ? null : (trunks[0]?.address ?? null),
      resultCode: r.resultCode,
      resultName: r.resultName,
      answered: r.end.answered,
      sipStatus: r.end.sipStatus ?? null,
      hangupBy: r.end.by,
      verdicts: r.verdicts.map((v) => v.kind),
      durationMs: r.durationMs,
    });
    return 0;
  } finally {
    await driver.stop();
  }
}

export const callCommand: Command = {
  run: (args) => callMain(args),
};
