/**
 * Every `dialer <name>` sub-command, as data: options, help, examples, exit
 * codes. Nothing heavy is imported here, so `dialer --help` and `--version`
 * start at once; `load` requires the command's code only when it runs.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading on purpose (see above) */
import type { Command, CommandSpec } from './types';

export const analyzeSpec: CommandSpec = {
  name: 'analyze',
  summary: 'classify a recording (person/machine/fax/SIT/busy/announcement…) and print verdicts',
  args: '<file>',
  description: [
    'Runs the call analyser over a recording (WAV, or raw .ulaw/.alaw/.raw, 8 kHz) and prints its',
    'verdicts with their times in the audio. --json prints one stable object:',
    '  { file, durationMs, phase, region, answerAtMs, verdicts: [Verdict…] }',
  ].join('\n'),
  options: {
    phase: {
      type: 'string',
      value: 'early|answered',
      help: 'what the audio is: before the answer (early media) or after it (default: answered, or early with --answer-at)',
    },
    'answer-at': { type: 'string', value: 'ms', help: 'the far end answered this many milliseconds into the file' },
    region: { type: 'string', value: 'NA|JP|UK|DE', help: 'tone plan for busy/ringback/SIT (default: media.defaultRegion)' },
    announcements: { type: 'string', value: 'dir', help: 'a folder of known announcement recordings to match' },
    'wait-for-beep': { type: 'boolean', help: 'for a machine, wait for the beep before the verdict' },
    json: { type: 'boolean', help: 'print JSON instead of text' },
  },
  examples: [
    'dialer analyze call.wav',
    'dialer analyze early.ulaw --phase early --region JP --json',
    'dialer analyze whole-call.wav --answer-at 5200',
  ],
  exitCodes: { 1: 'the file cannot be read' },
  load: () => (require('./analyze') as { analyzeCommand: Command }).analyzeCommand,
};

export const callSpec: CommandSpec = {
  name: 'call',
  summary: 'place one test call through the embedded driver and print its events and result code',
  args: '<number|sip:uri>',
  description: [
    'Places one call through the embedded driver and prints every event with its time, then a summary',
    'with the result code the dialer would record. By default the call is hung up as soon as analysis',
    'of the answered audio decides; --stay keeps it up until --hangup-after or the far end hangs up.',
    '--json prints one object per line: { event, t, at, … }, the last one { event: "summary", resultCode, … }.',
  ].join('\n'),
  options: {
    trunk: {
      type: 'string',
      value: 'host[:port]',
      help: 'send the INVITE there: an IP or a name (RFC 3263: SRV/A without a port, A with one); default: the first of telephony.trunks',
    },
    'caller-id': { type: 'string', value: 'number', help: 'the calling number to present' },
    'ring-timeout': { type: 'string', value: 's', help: 'give up ringing after this many seconds (1–300, default 40)' },
    'hangup-after': { type: 'string', value: 's', help: 'with --stay: hang up this long after the answer (default 30)' },
    stay: { type: 'boolean', help: 'keep the call up after the analysis verdict' },
    'no-analysis': { type: 'boolean', help: 'do not analyse the audio' },
    region: { type: 'string', value: 'R', help: 'tone plan for early-media analysis' },
    'sip-port': { type: 'string', value: 'port', help: 'local SIP port (default 0: any free port)' },
    json: { type: 'boolean', help: 'print JSON lines instead of text' },
    driver: {
      type: 'string',
      value: 'name',
      help: 'embedded or freeswitch (default: telephony.driver; freeswitch reads telephony.freeswitch)',
    },
  },
  examples: [
    'dialer call 0312345678 --trunk 127.0.0.1:5080',
    'DIALER_CONFIG=config/cluster.json dialer call 0312345678 --driver freeswitch',
    'dialer call sip:test@127.0.0.1:5070 --stay --hangup-after 5 --json',
    'DIALER_CONFIG=config/single-box.json dialer call +81312345678',
  ],
  exitCodes: { 1: 'the call could not be placed (driver or network error)' },
  load: () => (require('./call') as { callCommand: Command }).callCommand,
};

export const demoSpec: CommandSpec = {
  name: 'demo',
  summary: 'run a demo campaign on loopback (SIPp carrier and agent phones, live progress, result-code summary)',
  args: '',
  description: [
    'The whole dialer on 127.0.0.1 with nothing configured: its own redis-server, the SIPp carrier',
    'simulator, SIPp agent phones, simulated agents, a generated list and a progressive campaign.',
    'Prints each ended attempt, progress every 2 s and a result-code summary. It dials nothing but',
    'its own simulator. Ctrl-C stops everything cleanly (twice: at once).',
  ].join('\n'),
  options: {
    contacts: { type: 'string', value: 'N', help: 'contacts in the generated list (1–10000, default 30)' },
    agents: { type: 'string', value: 'N', help: 'simulated agents with SIPp phones (1–50, default 3)' },
    'talk-sec': { type: 'string', value: 'S', help: 'how long an agent talks before hanging up (default 2)' },
    timeout: { type: 'string', value: 'S', help: 'give up after this many seconds' },
    json: { type: 'boolean', help: 'print JSON lines (started, ready, call, progress, summary)' },
    'log-level': { type: 'string', value: 'L', help: 'dialer log level on stderr: fatal, error, warn, info, debug, trace, silent' },
  },
  examples: [
    'dialer demo',
    'dialer demo --contacts 100 --agents 5 --talk-sec 1',
    'dialer demo --json | jq -c "select(.event == \\"summary\\")"',
  ],
  exitCodes: { 1: 'the campaign did not complete in time, or a tool is missing', 130: 'interrupted (Ctrl-C)' },
  load: () => (require('./demo') as { demoCommand: Command }).demoCommand,
};

export const serveSpec: CommandSpec = {
  name: 'serve',
  summary: 'run the dialer: the API, the dashboard and the campaign runner on one process',
  args: '',
  description: [
    'Starts the API (with /docs, /dashboard and /metrics), the telephony driver and the campaign runner.',
    'Configuration: schema defaults, then the JSON file named by DIALER_CONFIG, then DIALER_<SECTION>__<KEY>',
    'environment variables (see config/ for examples). With no redis.url it runs its own redis-server.',
    'SIGINT/SIGTERM end calls cleanly and stop. This is what `npm start` runs.',
  ].join('\n'),
  options: {},
  examples: [
    'dialer serve',
    'DIALER_CONFIG=config/single-box.json dialer serve',
    'DIALER_API__PORT=9000 DIALER_LOG__LEVEL=debug dialer serve',
  ],
  exitCodes: {
    1: 'a failure while running (see the log)',
    2: 'bad arguments, or the configuration is invalid (the message names the key)',
  },
  load: () => (require('./serve') as { serveCommand: Command }).serveCommand,
};

export const commandSpecs: CommandSpec[] = [serveSpec, analyzeSpec, callSpec, demoSpec];
