/**
 * Crash safety, seeded run 2 of 3 (the checks: crash-run.ts). One file per seed: each run takes
 * about 1–2 minutes under load, three do not fit the 300 s file limit together.
 */
import t from 'tap';
import { crashRun } from './crash-run';

t.test('SIGKILL at random moments loses and doubles nothing, leaves no call up (seed 7001)', { timeout: 280000 }, (t) => crashRun(t, 7001));
