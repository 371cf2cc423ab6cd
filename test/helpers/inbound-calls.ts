/**
 * What the return-call (inbound) e2e tests share, on either driver: routes
 * open all day, the message a closed route plays, the inbound events a
 * dialer publishes, and SIPp customers calling a DID (at the embedded
 * driver's SIP endpoint or at drachtio-server's) plus the SIPp far ends calls
 * are forwarded to. Every SIPp started here is stopped at teardown.
 */
import { writeWav } from '../../lib/media/audio-file';
import type { Band, InboundAction, Weekday } from '../../lib/inbound/route';
import type { InboundEvent } from '../../lib/inbound/service';
import { startSipp, type Sipp, type SippOptions } from '../../lib/telephony/testing/sipp';

interface TestLike {
  teardown(fn: () => unknown): void;
}

const EVERY_DAY: Weekday[] = [1, 2, 3, 4, 5, 6, 7];

/** One band, every day from 00:00 to 24:00, doing `action`. */
export function allDay(action: InboundAction): Band[] {
  return [{ days: EVERY_DAY, start: '00:00', end: '24:00', action }];
}

/** Writes a 2 s, 440 Hz WAV at `path` (the message a closed route plays) and returns `path`. */
export function writeMessageWav(path: string): string {
  writeWav(
    path,
    new Int16Array(8000 * 2).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000))),
  );
  return path;
}

export interface InboundCalls {
  /** Every inbound event the dialer published, in order. */
  events: InboundEvent[];
  /** The first event of `type` about calls from `caller` (E.164). */
  ofCaller(type: string, caller: string): InboundEvent | undefined;
  /**
   * A SIPp customer calling `did` from `caller` (scenario `inbound-caller` unless
   * named, more -key values in `keys`); its `done` resolves when SIPp ends.
   */
  callIn(did: string, caller: string, o?: { scenario?: string; keys?: Record<string, string> }): Promise<Sipp>;
  /**
   * A SIPp far end taking one call: by default `uas-forward-target` (a person who answers and talks 5 s, the
   * one a call is forwarded to); forward-failures names the far ends that fail on purpose.
   */
  far(scenario?: string): Promise<Sipp>;
}

/**
 * Subscribes to the dialer's inbound events and starts SIPp customers
 * calling `remote` (host:port of the dialer's SIP side). `callerTimeoutS` and
 * `farTimeoutS` bound each SIPp's life (its -timeout).
 */
export function inboundCalls(
  t: TestLike,
  o: {
    inbound: { setPublisher(fn: (e: InboundEvent) => void): void };
    remote: string;
    callerTimeoutS: number;
    farTimeoutS: number;
  },
): InboundCalls {
  const events: InboundEvent[] = [];
  o.inbound.setPublisher((e) => events.push(e));
  const sipps: Sipp[] = [];
  t.teardown(() => Promise.all(sipps.map((s) => s.stop())));
  const start = async (opts: SippOptions) => {
    const s = await startSipp(opts);
    sipps.push(s);
    return s;
  };
  return {
    events,
    ofCaller: (type, caller) => events.find((e) => e.type === type && e.data.caller === caller),
    callIn: (did, caller, c = {}) =>
      start({
        scenario: c.scenario ?? 'inbound-caller',
        keys: { caller, ...c.keys },
        args: ['-s', did],
        remote: o.remote,
        timeoutS: o.callerTimeoutS,
      }),
    far: (scenario = 'uas-forward-target') => start({ scenario, calls: 1, timeoutS: o.farTimeoutS }),
  };
}
