/**
 * Runs `parseBatches` in a worker thread (worker.ts): decoding, CSV parsing and
 * validation (phone numbers through libphonenumber-js are most of an import's
 * CPU) then overlap with the Redis writes done by the calling thread. The
 * batches, hooks and errors are the same as `parseBatches` in-thread.
 *
 * Flow control: at most `MAX_CHUNKS_AHEAD` chunks of the upload are sent and
 * not yet consumed, and at most `MAX_BATCHES_AHEAD` batches are posted and not
 * yet taken by the consumer, so memory stays bounded whatever the file size.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { ImportFileError } from './decode';
import type { ParsedBatch, ParseHooks, ParseOptions } from './pipeline';

export type ToWorker =
  { t: 'chunk'; buf: ArrayBuffer } | { t: 'end' } | { t: 'fail'; message: string; code?: ImportFileError['code'] } | { t: 'ack' };
export type FromWorker =
  | { t: 'credit' }
  | { t: 'format'; v: Parameters<NonNullable<ParseHooks['onFormat']>>[0] }
  | { t: 'encoding'; v: Parameters<NonNullable<ParseHooks['onEncoding']>>[0] }
  | { t: 'plan'; labels: Parameters<NonNullable<ParseHooks['onPlan']>>[0] }
  | { t: 'batch'; b: Omit<ParsedBatch, 'packed'> & { packed: ArrayBuffer } }
  | { t: 'done' }
  | { t: 'fileError'; message: string; code: ImportFileError['code'] }
  | { t: 'error'; message: string };

const MAX_CHUNKS_AHEAD = 16;
const MAX_BATCHES_AHEAD = 2;

// The project runs TypeScript through tsx, which does not follow into worker
// threads by itself: register it there first (not needed if compiled to .js).
// Both paths are resolved here, relative to this module: code evaluated in a
// worker resolves bare names from the working directory, which made imports
// fail whenever the server was started from anywhere but the repository root.
const WORKER_FILE = join(__dirname, `worker${__filename.endsWith('.ts') ? '.ts' : '.js'}`);
const TSX_API = WORKER_FILE.endsWith('.ts') ? require.resolve('tsx/cjs/api') : '';
const BOOT = `const { workerData } = require('node:worker_threads');
if (workerData.tsx) require(workerData.tsx).register();
require(workerData.file);`;

/** `parseBatches(source, opts, hooks)`, computed in a worker thread. */
export async function* parseInWorker(
  source: AsyncIterable<Buffer>,
  opts: ParseOptions,
  hooks: ParseHooks = {},
): AsyncGenerator<ParsedBatch> {
  const worker = new Worker(BOOT, {
    eval: true,
    workerData: { file: WORKER_FILE, tsx: TSX_API, opts, maxBatchesAhead: MAX_BATCHES_AHEAD },
  });
  const inbox: FromWorker[] = [];
  let wake: (() => void) | undefined;
  let crashed: Error | undefined;
  let credit = MAX_CHUNKS_AHEAD;
  let creditWake: (() => void) | undefined;
  let stopped = false;
  /** An error of the source that is not about the file (a dropped connection): rethrown as it was. */
  let sourceError: unknown;

  worker.on('message', (m: FromWorker) => {
    if (m.t === 'credit') {
      credit++;
      creditWake?.();
      return;
    }
    inbox.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    crashed = e;
    wake?.();
    creditWake?.();
  });
  worker.on('exit', (code) => {
    if (!stopped) crashed ??= new Error(`import parser thread exited with code ${code}`);
    wake?.();
    creditWake?.();
  });
  const post = (m: ToWorker, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer);

  // Iterated by hand, not with for-await: leaving early must not destroy the
  // upload stream (the API still drains it to answer the client properly).
  void (async () => {
    const it = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        const r = await it.next();
        if (stopped || crashed) return;
        if (r.done) break;
        const chunk = r.value;
        while (credit <= 0 && !stopped && !crashed) await new Promise<void>((res) => (creditWake = res));
        if (stopped || crashed) return;
        credit--;
        // A copy of just this chunk (stream chunks may be views of a shared pool) that then moves without another copy.
        const ab = new ArrayBuffer(chunk.length);
        new Uint8Array(ab).set(chunk);
        post({ t: 'chunk', buf: ab }, [ab]);
      }
      post({ t: 'end' });
    } catch (err) {
      if (stopped || crashed) return;
      if (err instanceof ImportFileError) post({ t: 'fail', message: err.message, code: err.code });
      else {
        sourceError = err;
        post({ t: 'fail', message: (err as Error)?.message ?? String(err) });
      }
    }
  })();

  try {
    for (;;) {
      while (!inbox.length && !crashed) await new Promise<void>((r) => (wake = r));
      const m = inbox.shift();
      if (!m) throw crashed!;
      switch (m.t) {
        case 'format':
          hooks.onFormat?.(m.v);
          break;
        case 'encoding':
          hooks.onEncoding?.(m.v);
          break;
        case 'plan':
          hooks.onPlan?.(m.labels);
          break;
        case 'batch':
          post({ t: 'ack' });
          yield { ...m.b, packed: Buffer.from(m.b.packed) };
          break;
        case 'done':
          return;
        case 'fileError':
          throw new ImportFileError(m.message, m.code);
        case 'error':
          throw sourceError ?? new Error(m.message);
      }
    }
  } finally {
    stopped = true;
    creditWake?.();
    await worker.terminate();
  }
}
