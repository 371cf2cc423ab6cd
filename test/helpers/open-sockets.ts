/**
 * Names the sockets that keep a test process alive after its tests ended: a file that passed and then did not exit
 * (`freeswitch/pool.test.ts`, twice in whole-suite runs: tap's timeout listed one Socket with data/end/error
 * listeners and nothing more) says, on stderr, whose sockets are still open. The check's own timer is unref'd: it
 * never holds the process itself.
 */
import { Socket } from 'node:net';

export function reportOpenSocketsAfter(ms: number, label: string): void {
  setTimeout(() => {
    const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
    for (const h of handles) {
      if (!(h instanceof Socket) || h === process.stdout || h === process.stderr || h === process.stdin) continue;
      const listeners = h.eventNames().map((e) => `${String(e)}×${h.listenerCount(e)}`);
      process.stderr.write(
        `${label}: a socket still open ${ms} ms after the tests ended: ${h.localAddress}:${h.localPort} → ${h.remoteAddress}:${h.remotePort} (listeners ${listeners.join(' ')})\n`,
      );
    }
  }, ms).unref();
}
