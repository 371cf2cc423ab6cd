/**
 * Runs simulations on worker threads (one per core): each (scenario, strategy,
 * seed) run is independent and deterministic, so the order of completion does
 * not change any figure.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import type { SimResult, Strategy } from './engine';
import type { Scenario } from './scenario';

const BOOT = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.join(__dirname, 'worker.ts'))});`;

export interface Job {
  scenario: Scenario;
  strategy: Strategy;
  seed: number;
  /** Book the lost agent time by when and why (engine SimOptions.lostTime; `--decompose`). */
  lostTime?: boolean;
  /** Score predictive's abandon predictions against the outcomes (engine SimOptions.discrimination; `--discrimination`). */
  discrimination?: boolean;
}

export async function runAll(jobs: Job[], threads = availableParallelism()): Promise<SimResult[]> {
  const results: SimResult[] = new Array(jobs.length);
  let next = 0;
  const worker = () =>
    new Promise<void>((resolve, reject) => {
      // Workers need tsx's require hook too (the tsx CLI does not pass it on through execArgv).
      const w = new Worker(BOOT, { eval: true });
      const feed = () => {
        if (next >= jobs.length) {
          void w.terminate().then(() => resolve());
          return;
        }
        const i = next++;
        w.postMessage({ i, job: jobs[i] });
      };
      w.on('message', (m: { i: number; result?: SimResult; error?: string }) => {
        if (m.error) {
          reject(new Error(m.error));
          void w.terminate();
          return;
        }
        results[m.i] = m.result!;
        feed();
      });
      w.on('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(threads, jobs.length)) }, worker));
  return results;
}
