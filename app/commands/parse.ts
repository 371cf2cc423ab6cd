/**
 * Argument parsing for every command: node:util parseArgs over the command's
 * option table, with errors that name the argument and end with the usage line.
 */
import { parseArgs } from 'node:util';
import type { CommandSpec } from './types';

/** A wrong command line: the CLI prints it and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const usageLine = (spec: CommandSpec) =>
  `usage: dialer ${spec.name}${spec.args ? ` ${spec.args}` : ''} [options]   (dialer ${spec.name} --help)`;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
  );
  try {
    const r = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (err) {
    const e = err as Error & { code?: string };
    const opt = /'(-[^' ]+)/.exec(e.message)?.[1] ?? '';
    let msg = e.message;
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') msg = `unexpected argument "${opt}"`;
    else if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') msg = `${opt} needs a value`;
    throw new UsageError(`${msg}\n${usageLine(spec)}`);
  }
}

/** A numeric option within bounds, or a UsageError naming it. */
export function numberOption(
  spec: CommandSpec,
  name: string,
  v: string | boolean | undefined,
  min: number,
  max: number,
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${String(v)}"\n${usageLine(spec)}`);
  }
  return n;
}

/** The full `--help` text of a command. */
export function helpText(spec: CommandSpec): string {
  const opts = Object.entries(spec.options).map(
    ([k, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${k}${o.value ? ` <${o.value}>` : ''}`, o.help] as const,
  );
  opts.push(['-h, --help', 'show this help']);
  const w = Math.max(...opts.map(([l]) => l.length)) + 2;
  const codes = { 0: 'done', 2: 'bad arguments (usage printed on stderr)', ...spec.exitCodes };
  return [
    `usage: dialer ${spec.name}${spec.args ? ` ${spec.args}` : ''} [options]`,
    '',
    spec.description,
    '',
    'options:',
    ...opts.map(([l, h]) => `  ${l.padEnd(w)}${h}`),
    '',
    'examples:',
    ...spec.examples.map((e) => `  ${e}`),
    '',
    'exit codes:',
    ...Object.entries(codes).map(([c, m]) => `  ${c.padStart(3)}  ${m}`),
    '',
  ].join('\n');
}
