import type { Command } from './types';

/** Every `dialer <name>` sub-command. Add one by adding its module here. */
export const commands: Command[] = [];
