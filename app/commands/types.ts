/** One `--option` of a command, for util.parseArgs and for `--help`. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder for the value in help, e.g. `host:port`. */
  value?: string;
  help: string;
}

/**
 * A `dialer <name>` sub-command. The spec is light (no imports), so that
 * `--help` and `--version` load nothing else; `load` brings the code in.
 */
export interface CommandSpec {
  name: string;
  summary: string;
  /** What follows `dialer <name>` in the usage line. */
  args: string;
  description: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  /** Exit code → meaning, beyond the common ones (0 done, 2 bad arguments). */
  exitCodes: Record<number, string>;
  load(): Command;
}

export interface Command {
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}
