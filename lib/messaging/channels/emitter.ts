import type { ChannelEvent } from '../channel';

/** The listener set every channel keeps for its events (one failing listener does not stop the others). */
export class ChannelEvents {
  private readonly fns = new Set<(e: ChannelEvent) => void>();
  on(fn: (e: ChannelEvent) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  emit(e: ChannelEvent): void {
    for (const fn of this.fns) {
      try {
        fn(e);
      } catch {
        // A listener's failure is its own business (the service logs its errors itself).
      }
    }
  }
}
