import { parentPort } from 'node:worker_threads';
import { simulate } from './engine';
import type { Job } from './pool';

parentPort!.on('message', (m: { i: number; job: Job }) => {
  try {
    const result = simulate(m.job.scenario, m.job.strategy, {
      seed: m.job.seed,
      caps: BENCH_CAPS,
      lostTime: m.job.lostTime === true,
      discrimination: m.job.discrimination === true,
    });
    parentPort!.postMessage({ i: m.i, result });
  } catch (e) {
    parentPort!.postMessage({ i: m.i, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});

/** FreeSWITCH's default 30 new sessions/s; no channel or campaign cap. */
const BENCH_CAPS = { maxSimultaneousCalls: 0, trunk: { channels: 0, inUse: 0, callsPerSecond: 30, startedLastSecond: 0 } };
