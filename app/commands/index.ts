import type { Command } from './types';
import { analyzeCommand } from './analyze';
import { callCommand } from './call';

/** Every `dialer <name>` sub-command. Add one by adding its module here. */
export const commands: Command[] = [analyzeCommand, callCommand];
