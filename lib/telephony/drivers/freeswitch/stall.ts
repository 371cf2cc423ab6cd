/**
 * A bound on each request a media server must answer while a call is set up.
 *
 * A hung FreeSWITCH (a stopped process, a partition TCP has not noticed)
 * keeps its sockets open and answers nothing. Measured live
 * (test/e2e/freeswitch/stalled-server.test.ts, one of two FreeSWITCH
 * SIGSTOPped): the INVITE that creates the endpoint went unanswered until the
 * SIP transaction's Timer B, 32 s, then a 408; the pool's only rest for it was
 * `mediaServerBackoffMs`, after which it would be offered the next call and hold
 * it as long, until `mediaServerSilenceMs` took it for down. The runner awaits each originate
 * inside its tick, so every campaign's calls waited with it.
 *
 * So a set-up request unanswered for `boundMs` fails the call before anything
 * is sent (MediaServerStalled; the driver gives it back uncounted), and marks
 * the member stalled until the request is answered: no new call goes to it,
 * whether that takes a second or a minute. What it answers late and nobody
 * waits for any more (an endpoint) goes to `late`, to be hung up. A request
 * that fails after the bound may have failed without a word from FreeSWITCH
 * (drachtio's 408 at Timer B for the INVITE of a server still stopped): the
 * member then stays out until FreeSWITCH is heard (its next HEARTBEAT, heardAgain()).
 */
import { MediaServerStalled, withCreateEndpoint, type DriverClock, type EndpointPort, type MediaServerPort } from './ports';
import { isStalled, type PoolMember } from './pool';

export interface StallWatch {
  readonly clock: Pick<DriverClock, 'setTimeout' | 'clearTimeout' | 'now'>;
  readonly boundMs: number;
  /** The member's first overdue request (it is stalled from then) and its last one answered (it is not any more). */
  onChange(m: PoolMember, stalled: boolean, what: string, waitedMs: number): void;
}

/**
 * `step`'s result, or MediaServerStalled once it has waited `boundMs` (`w.boundMs` unless a step holds a wait of
 * its own, as a creation's turn); `late` gets a result that came after.
 */
export function answerWithin<T>(
  m: PoolMember,
  step: Promise<T>,
  what: string,
  w: StallWatch,
  late: (v: T) => void = () => undefined,
  boundMs = w.boundMs,
): Promise<T> {
  const start = w.clock.now();
  let overdue = false;
  let rejectOverdue!: (err: Error) => void;
  const bound = new Promise<never>((_, reject) => (rejectOverdue = reject));
  const timer = w.clock.setTimeout(() => {
    overdue = true;
    const was = isStalled(m);
    m.overdue++;
    if (!was) w.onChange(m, true, what, w.clock.now() - start);
    rejectOverdue(new MediaServerStalled(`media server ${m.name} did not answer ${what} within ${boundMs} ms`));
  }, boundMs);
  const settled = (answered: boolean): void => {
    w.clock.clearTimeout(timer);
    if (!overdue) return;
    m.overdue--;
    if (!answered) m.unheard = true;
    if (!isStalled(m)) w.onChange(m, false, what, w.clock.now() - start);
  };
  step.then(
    (v) => {
      settled(true);
      if (overdue) late(v);
    },
    () => settled(false),
  );
  return Promise.race([step, bound]);
}

/**
 * `ms` with each createEndpoint() bounded by `w` on the member `member()` returns (made after the port it wraps);
 * an endpoint created after the bound goes to `late`.
 */
export function boundCreations(
  ms: MediaServerPort,
  member: () => PoolMember,
  w: StallWatch,
  late: (ep: EndpointPort, m: PoolMember) => void,
): MediaServerPort {
  return withCreateEndpoint(ms, (opts) => {
    const m = member();
    return answerWithin(m, ms.createEndpoint(opts), 'the INVITE creating an endpoint', w, (ep) => late(ep, m));
  });
}
