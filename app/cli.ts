/**
 * The `dialer` command line. Sub-commands live in app/commands/, one file each.
 * Usage: dialer <command> [args]   (dialer help lists them)
 */
import { commands } from './commands';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write('usage: dialer <command> [options]\n\ncommands:\n');
    for (const c of commands) process.stdout.write(`  ${c.name.padEnd(10)} ${c.summary}\n`);
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`dialer: unknown command "${name}" (try: dialer help)\n`);
    return 2;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`dialer: ${err.message}\n`);
    process.exit(1);
  },
);
