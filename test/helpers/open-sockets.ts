/**
 * The sockets a test process still holds once its dialers and servers are stopped: a file that passed and then did
 * not exit (`freeswitch/pool.test.ts`, twice in whole-suite runs and once in CI: tap's timeout listed one Socket with
 * data/end/error listeners, the listeners modesl's event socket and its parser put on a socket, and nothing more)
 * says whose they are in a failure CI prints, instead of a bare "timeout!" 220 s later.
 */
import { Socket } from 'node:net';

/** One open socket, by its two ends and its listeners (what tells an event socket from a Redis or drachtio one). */
export function describeSocket(s: Socket): string {
  const listeners = s.eventNames().map((e) => `${String(e)}×${s.listenerCount(e)}`);
  const ends =
    s.remotePort === undefined ? 'a pipe or unconnected socket' : `${s.localAddress}:${s.localPort} → ${s.remoteAddress}:${s.remotePort}`;
  return `${ends}${s.connecting ? ' (connecting)' : ''} (listeners ${listeners.join(' ')})`;
}

/** The sockets this process holds other than its own stdio (and the IPC channel to tap, which is not a net.Socket). */
export function openSockets(): Socket[] {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  return handles.filter((h): h is Socket => h instanceof Socket && h !== process.stdout && h !== process.stderr && h !== process.stdin);
}

/**
 * Waits up to `ms` for every socket to close (a server killed at teardown closes its pipes and connections a moment
 * later) and returns what is still open then, described.
 */
export async function socketsStillOpenAfter(ms: number): Promise<string[]> {
  for (const until = Date.now() + ms; openSockets().length > 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 250));
  return openSockets().map(describeSocket);
}
