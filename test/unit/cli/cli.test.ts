/**
 * The command line follows conventions: `--version`, `--help` and
 * `<command> --help` for every command exit 0 with usage, options, examples
 * and exit codes; wrong arguments exit 2 with the usage on stderr. The real
 * `bin/dialer` runs once for --version and --help (compiled when dist/ is
 * current, else through tsx); the rest calls the same `main` in-process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { main } from '../../../app/cli';
import { commandSpecs } from '../../../app/commands/specs';
import { version } from '../../../package.json';

const exec = promisify(execFile);
const BIN = join(__dirname, '..', '..', '..', 'bin', 'dialer');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await main(argv), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

t.test('bin/dialer --version and --help exit 0', async (t) => {
  const v = await exec(BIN, ['--version']);
  t.equal(v.stdout, `dialer ${version}\n`);
  const h = await exec(BIN, ['--help']);
  for (const c of commandSpecs) t.match(h.stdout, new RegExp(`^  ${c.name} +\\S`, 'm'), `lists ${c.name}`);
});

t.test('every command has --help with options, examples and exit codes', async (t) => {
  t.same(commandSpecs.map((c) => c.name).sort(), ['analyze', 'call', 'demo', 'serve']);
  for (const c of commandSpecs) {
    for (const argv of [
      [c.name, '--help'],
      [c.name, '-h'],
      ['help', c.name],
    ]) {
      const r = await run(argv);
      t.equal(r.code, 0, `dialer ${argv.join(' ')} exits 0`);
      t.match(r.out, new RegExp(`^usage: dialer ${c.name}`), 'usage first');
      t.match(r.out, /\noptions:\n[\s\S]*--help/);
      t.match(r.out, new RegExp(`\\nexamples:\\n  dialer ${c.name}|\\nexamples:\\n  \\S+=\\S+ dialer ${c.name}`));
      t.match(r.out, /\nexit codes:\n +0 +done\n/);
      for (const o of Object.keys(c.options)) t.match(r.out, `--${o}`, `documents --${o}`);
    }
  }
  t.equal((await run(['--version'])).code, 0);
  t.equal((await run(['-V'])).out, `dialer ${version}\n`);
  t.equal((await run(['help'])).code, 0);
});

t.test('wrong command lines exit 2 with the usage on stderr', async (t) => {
  const none = await run([]);
  t.equal(none.code, 2);
  t.match(none.err, /^usage: dialer <command>/);
  const unknown = await run(['dial']);
  t.equal(unknown.code, 2);
  t.match(unknown.err, /unknown command "dial"/);
  const cases: [string[], RegExp][] = [
    [['call'], /a number or SIP URI to call is required\nusage: dialer call/],
    [['call', '123', '--bogus'], /unexpected argument "--bogus"/],
    [['call', '123', '--ring-timeout'], /--ring-timeout needs a value/],
    [['analyze'], /a recording to analyse is required/],
    [['analyze', 'a.wav', '--phase', 'late'], /--phase must be early or answered/],
    [['demo', '--contacts', 'x'], /--contacts must be a number/],
    [['serve', 'now'], /unexpected argument "now"/],
  ];
  for (const [argv, msg] of cases) {
    const r = await run(argv);
    t.equal(r.code, 2, `dialer ${argv.join(' ')} exits 2`);
    t.match(r.err, msg);
  }
  t.equal(
    (await run(['analyze', '--', '--help'])).code,
    1,
    'after -- a --help is an argument (here a file that does not exist), not a request for help',
  );
});
