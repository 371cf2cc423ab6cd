import { serve } from '../server';
import { UsageError, parseCommandArgs, usageLine } from './parse';
import { serveSpec } from './specs';
import type { Command } from './types';

export const serveCommand: Command = {
  async run(argv) {
    const { positionals } = parseCommandArgs(serveSpec, argv);
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\n${usageLine(serveSpec)}`);
    return serve();
  },
};
