/**
 * The `dialer` command line: `dialer <command> [options]`, `dialer --help`,
 * `dialer <command> --help`, `dialer --version`. Commands are described in
 * app/commands/specs.ts and loaded only when they run, so help and version
 * print without loading the dialer.
 *
 * Exit codes: 0 done; 1 failure (message on stderr); 2 bad arguments or
 * configuration; 130 interrupted. Commands document further codes in --help.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError, helpText } from './commands/parse';
import { commandSpecs } from './commands/specs';

/** The version in package.json (app/ under tsx, dist/app/ when compiled). */
export function version(): string {
  for (let dir = __dirname, i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'open-dialer') return pkg.version ?? '0.0.0';
    } catch {
      // not here: look one folder up
    }
  }
  return 'unknown';
}

function mainHelp(): string {
  const w = Math.max(...commandSpecs.map((c) => c.name.length)) + 2;
  return [
    'usage: dialer <command> [options]',
    '',
    'commands:',
    ...commandSpecs.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'options:',
    "  -h, --help     show this help (dialer <command> --help: that command's)",
    '  -V, --version  print the version',
    '',
    'exit codes: 0 done, 1 failure, 2 bad arguments or configuration, 130 interrupted',
    '',
  ].join('\n');
}

const wantsHelp = (args: string[]) => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    process.stdout.write(`dialer ${version()}\n`);
    return 0;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    process.stdout.write(mainHelp());
    return 0;
  }
  if (!name) {
    process.stderr.write(mainHelp());
    return 2;
  }
  const target = name === 'help' ? rest[0] : name;
  const spec = commandSpecs.find((c) => c.name === target);
  if (!spec) {
    process.stderr.write(`dialer: unknown command "${target}" (try: dialer --help)\n`);
    return 2;
  }
  if (name === 'help' || wantsHelp(rest)) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  try {
    return await spec.load().run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`dialer ${spec.name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`dialer: ${err.message}\n`);
      process.exit(1);
    },
  );
}
