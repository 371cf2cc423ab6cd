/**
 * RFC 3263 server location with memory: resolved target lists are kept for a
 * while (node:dns gives no TTLs for NAPTR/SRV, so a configured lifetime
 * stands in), one lookup serves every call that asks meanwhile, a failed
 * lookup falls back to the last good answer, and a target that timed out or
 * refused the connection goes to the end of the list for a while (§4.3 says
 * to try the next one; remembering it spares each next call Timer B's 32 s).
 */
import { resolveSipTargets, sameTarget, type DnsLookup, type ResolveOptions, type SipTarget, type TargetSpec } from './dns';

export interface LocatorOptions extends ResolveOptions {
  /** How long a resolved list is used before it is looked up again (ms). */
  cacheMs: number;
  /** How long a failed target stays at the end of the list (ms). */
  downMs: number;
  now: () => number;
}

interface Entry {
  at: number;
  targets: SipTarget[];
}

/** Stable partition: targets not marked down first, in DNS order; the down ones after, in DNS order. */
export function preferUp(targets: readonly SipTarget[], isDown: (t: SipTarget) => boolean): SipTarget[] {
  return [...targets.filter((t) => !isDown(t)), ...targets.filter(isDown)];
}

export class ServerLocator {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<SipTarget[]>>();
  private readonly down: Array<{ target: SipTarget; until: number }> = [];

  constructor(
    private readonly dns: DnsLookup,
    private readonly o: LocatorOptions,
  ) {}

  async targets(spec: TargetSpec): Promise<SipTarget[]> {
    const key = `${spec.host.toLowerCase()}|${spec.port ?? ''}|${spec.transport ?? ''}`;
    const now = this.o.now();
    const hit = this.cache.get(key);
    let list: SipTarget[];
    if (hit && now - hit.at < this.o.cacheMs) list = hit.targets;
    else {
      let p = this.inflight.get(key);
      if (!p) {
        p = resolveSipTargets(spec, this.dns, this.o).finally(() => this.inflight.delete(key));
        this.inflight.set(key, p);
      }
      try {
        list = await p;
        // An empty answer is kept too (briefly the same lifetime): a name without servers stays without.
        this.cache.set(key, { at: this.o.now(), targets: list });
      } catch (err) {
        if (!hit) throw err;
        list = hit.targets; // DNS trouble: the last good answer beats none.
      }
    }
    const t = this.o.now();
    for (let i = this.down.length - 1; i >= 0; i--) if (this.down[i]!.until <= t) this.down.splice(i, 1);
    return preferUp(list, (x) => this.down.some((d) => sameTarget(d.target, x)));
  }

  /** The target did not answer (Timer B) or refused the connection. */
  markDown(target: SipTarget): void {
    const until = this.o.now() + this.o.downMs;
    const d = this.down.find((x) => sameTarget(x.target, target));
    if (d) d.until = until;
    else this.down.push({ target, until });
  }

  /** The target answered: it is up again. */
  markUp(target: SipTarget): void {
    const i = this.down.findIndex((x) => sameTarget(x.target, target));
    if (i >= 0) this.down.splice(i, 1);
  }
}
