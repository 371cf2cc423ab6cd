/**
 * Worker-thread side of `parseInWorker` (parse-thread.ts): receives the file's
 * bytes, runs `parseBatches` and posts the batches back. Both directions are
 * credit-based, so neither thread ever holds more than a few chunks/batches:
 * the main thread stops reading the upload when this thread is behind, and
 * this thread stops parsing when Redis is behind.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ImportFileError } from './decode';
import { parseBatches, type ParseOptions } from './pipeline';
import type { FromWorker, ToWorker } from './parse-thread';

const port = parentPort!;
const { opts, maxBatchesAhead } = workerData as { opts: ParseOptions; maxBatchesAhead: number };

const chunks: Buffer[] = [];
let ended = false;
let failure: Error | undefined;
let wakeInput: (() => void) | undefined;
let acked = 0;
let posted = 0;
let wakeOutput: (() => void) | undefined;

port.on('message', (m: ToWorker) => {
  if (m.t === 'chunk') chunks.push(Buffer.from(m.buf));
  else if (m.t === 'end') ended = true;
  else if (m.t === 'fail') failure = m.code ? new ImportFileError(m.message, m.code) : new Error(m.message);
  else if (m.t === 'ack') {
    acked++;
    wakeOutput?.();
    return;
  }
  wakeInput?.();
});

const send = (m: FromWorker) => port.postMessage(m);

async function* input(): AsyncGenerator<Buffer> {
  for (;;) {
    if (chunks.length) {
      const c = chunks.shift()!;
      send({ t: 'credit' });
      yield c;
      continue;
    }
    if (failure) throw failure;
    if (ended) return;
    await new Promise<void>((r) => (wakeInput = r));
    wakeInput = undefined;
  }
}

async function main(): Promise<void> {
  try {
    const batches = parseBatches(input(), opts, {
      onFormat: (v) => send({ t: 'format', v }),
      onEncoding: (v) => send({ t: 'encoding', v }),
      onPlan: (labels) => send({ t: 'plan', labels }),
    });
    for await (const b of batches) {
      while (posted - acked >= maxBatchesAhead) {
        await new Promise<void>((r) => (wakeOutput = r));
        wakeOutput = undefined;
      }
      posted++;
      // The packed rows as bytes in a buffer of their own, transferred: the
      // main thread passes them to Redis as they are, with no string copy in its heap.
      const text = b.packed.toString();
      const ab = new ArrayBuffer(Buffer.byteLength(text));
      Buffer.from(ab).write(text);
      port.postMessage({ t: 'batch', b: { ...b, packed: ab } } satisfies FromWorker, [ab]);
    }
    send({ t: 'done' });
  } catch (err) {
    if (err instanceof ImportFileError) send({ t: 'fileError', message: err.message, code: err.code });
    else send({ t: 'error', message: (err as Error).message ?? String(err) });
  }
}

void main();
