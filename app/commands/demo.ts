/**
 * `dialer demo [options]` (options and help in ./specs.ts)
 * (also `npm run demo`): the whole dialer on loopback with nothing configured:
 * its own redis-server, the SIPp carrier simulator, SIPp agent phones,
 * simulated agents, a generated list and a progressive campaign. Prints each
 * ended attempt, a progress line every 2 s, and a summary of result codes.
 * Exit code 0 when the campaign completed, 1 when it did not, 130 on Ctrl-C.
 *
 * JSON output (`--json`, one object per line; the last is the summary):
 *   { "event": "started", dashboard, docs, apiKey, redis, carrier, agentPhones: [{id, address}], dir }
 *   { "event": "ready", agents, contacts, dnc: [contactId…], ringTimeoutSec }
 *   { "event": "call", done, total, contactId, phone, code, name, final, agentId?, skipped? }
 *   { "event": "progress", dialled, total, finished, inFlight, agents: {ready, talking, wrapUp} }
 *   { "event": "summary", completed, interrupted, durationSec, contacts, attempts, finished,
 *     codes: [{code, name, count}], agents: [{agentId, calls, talkSec}] }
 */
import { DEMO_DEFAULTS, runDemo, type DemoEvent, type DemoOptions } from '../../lib/demo/run';
import { DIGIT_BEHAVIOUR, DIGIT_CODES } from '../../lib/demo/numbers';
import { codeName, formatCall, formatProgress, formatSummary } from '../../lib/demo/report';
import { DEMO_TOOLS, missingTools } from '../../lib/demo/tools';
import { UsageError, numberOption, parseCommandArgs, usageLine } from './parse';
import { demoSpec } from './specs';
import type { Command } from './types';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseDemoArgs(argv: readonly string[]): DemoOptions & { json: boolean } {
  const { values: v, positionals } = parseCommandArgs(demoSpec, argv);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\n${usageLine(demoSpec)}`);
  const o = { ...DEMO_DEFAULTS, json: v.json === true };
  const contacts = numberOption(demoSpec, 'contacts', v.contacts, 1, 10000);
  const agents = numberOption(demoSpec, 'agents', v.agents, 1, 50);
  const talk = numberOption(demoSpec, 'talk-sec', v['talk-sec'], 0, 600);
  const timeout = numberOption(demoSpec, 'timeout', v.timeout, 1, 86400);
  if (contacts !== undefined) o.contacts = Math.floor(contacts);
  if (agents !== undefined) o.agents = Math.floor(agents);
  if (talk !== undefined) o.talkMs = Math.round(talk * 1000);
  if (timeout !== undefined) o.timeoutSec = timeout;
  if (v['log-level'] !== undefined) {
    if (typeof v['log-level'] !== 'string' || !LEVELS.includes(v['log-level']))
      throw new UsageError(`--log-level must be one of ${LEVELS.join(', ')}\n${usageLine(demoSpec)}`);
    o.logLevel = v['log-level'];
  }
  return o;
}

/** Human-readable lines for one demo event. */
export function textLines(e: DemoEvent): string[] {
  switch (e.event) {
    case 'started':
      return [
        'open-dialer demo: everything runs on 127.0.0.1 and dials only its own SIPp carrier simulator',
        `  redis-server   ${e.redis} (data in ${e.dir}, removed at the end)`,
        `  carrier        SIPp carrier simulator at ${e.carrier}`,
        `  agent phones   ${e.agentPhones.map((a) => `${a.id} ${a.address}`).join(', ')} (SIPp)`,
        `  dashboard      ${e.dashboard}   (sign in with the key below)`,
        `  admin key      ${e.apiKey}   (made for this demo; it ends with it)`,
        `  API docs       ${e.docs}   (Authorization: Bearer <admin key>)`,
        '  the last digit of each number picks what the carrier does:',
        ...Object.entries(DIGIT_BEHAVIOUR).map(
          ([d, what]) => `    …${d}  ${what.padEnd(34)} → ${DIGIT_CODES[Number(d)]} ${codeName(DIGIT_CODES[Number(d)]!)}`,
        ),
        '',
      ];
    case 'ready':
      return [
        `${e.agents} agents ready on hold music; dialling ${e.contacts} contacts (progressive, ring timeout ${e.ringTimeoutSec} s; ${e.dnc.join(', ') || 'none'} on the do-not-call list)…`,
      ];
    case 'call':
      return [formatCall(e, e.done, e.total)];
    case 'progress':
      return [formatProgress(e)];
    case 'summary':
      return [
        ...formatSummary(e),
        '',
        e.completed
          ? `campaign completed in ${e.durationSec} s`
          : e.interrupted
            ? `interrupted after ${e.durationSec} s; everything stopped`
            : `the campaign did not complete within the time limit (${e.durationSec} s)`,
      ];
  }
}

export const demoCommand: Command = {
  async run(args) {
    const o = parseDemoArgs(args);
    const missing = missingTools();
    if (missing.length > 0) {
      const pkgs = missing.map((m) => DEMO_TOOLS[m]![0]).join(' ');
      throw new Error(`the demo needs ${missing.join(', ')}: run scripts/setup.sh (npm run demo does), or apt-get install ${pkgs}`);
    }
    const out = (e: DemoEvent) => {
      process.stdout.write(
        o.json
          ? JSON.stringify(e) + '\n'
          : textLines(e)
              .map((l) => l + '\n')
              .join(''),
      );
    };
    // Ctrl-C: stop dialling, hang up, stop SIPp and redis, then exit; a second Ctrl-C exits at once.
    const abort = new AbortController();
    const onSignal = () => {
      if (abort.signal.aborted) process.exit(130);
      if (!o.json) process.stderr.write('\nstopping the demo (Ctrl-C again to exit at once)…\n');
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const r = await runDemo(o, out, { signal: abort.signal });
      return r.interrupted ? 130 : r.completed ? 0 : 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
