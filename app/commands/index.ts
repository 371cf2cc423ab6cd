import type { Command } from './types';
import { analyzeCommand } from './analyze';
import { callCommand } from './call';
import { demoCommand } from './demo';

/** Every `dialer <name>` sub-command. Add one by adding its module here. */
export const commands: Command[] = [analyzeCommand, callCommand, demoCommand];
