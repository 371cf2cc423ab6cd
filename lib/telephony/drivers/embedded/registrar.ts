/**
 * The I/O edge of one trunk's registration (lib/sip/registration.ts decides):
 * builds REGISTER (RFC 3261 §10.2: same Call-ID, CSeq + 1 on each refresh),
 * answers digest challenges, arms the refresh/backoff timers on the clock.
 */
import type { Logger } from 'pino';
import {
  contactValue,
  digestAuthorization,
  header,
  initialRegistration,
  newCallId,
  newTag,
  registrationTransition,
  via,
  type Clock,
  type Local,
  type SipTarget,
  type RegistrationEvent,
  type RegistrationState,
  type SipResponse,
  type SipStack,
  type TimerHandle,
} from '../../../sip';
import type { TrunkConfig } from '../../../config/sections/embedded';

export class TrunkRegistration {
  state: RegistrationState = initialRegistration();
  private readonly callId: string;
  private readonly tag = newTag();
  private cseq = 1;
  private timer?: TimerHandle;
  private challenge?: SipResponse;

  constructor(
    private readonly stack: SipStack,
    private readonly clock: Clock,
    private readonly local: Local,
    private readonly trunk: TrunkConfig,
    /** The registrar's servers in order (RFC 3263 for a name; the first not known to be down is used). */
    private readonly locate: () => Promise<SipTarget[]>,
    private readonly log: Logger,
    /** A server that timed out or refused the connection: the next attempt tries another. */
    private readonly unreachable: (t: SipTarget) => void = () => undefined,
  ) {
    this.callId = newCallId(local.host);
  }

  start(): void {
    this.input({ type: 'start' });
  }

  /** Stops refreshing; with a binding in place, removes it first (Expires: 0). Resolves when done or after `maxMs`. */
  stop(maxMs = 4000): Promise<void> {
    this.input({ type: 'stop' });
    if (this.state.phase !== 'unregistering') return Promise.resolve();
    return new Promise<void>((res) => {
      const t = setTimeout(() => {
        this.input({ type: 'stop' });
        res();
      }, maxMs);
      this.onStopped = () => {
        clearTimeout(t);
        res();
      };
    });
  }

  private onStopped?: () => void;

  get registered(): boolean {
    return this.state.phase === 'registered';
  }

  private input(e: RegistrationEvent): void {
    const before = this.state.phase;
    const { state, effects } = registrationTransition(this.state, e);
    this.state = state;
    if (state.phase !== before)
      this.log.info(
        { trunk: this.trunk.name, phase: state.phase, status: state.lastStatus, reason: state.lastReason },
        'trunk registration',
      );
    if (state.phase === 'stopped' && before !== 'stopped') this.onStopped?.();
    for (const fx of effects) {
      if (fx.type === 'send') void this.resolveAndSend(fx.auth, fx.unregister === true);
      else if (fx.type === 'timer') {
        this.clock.clearTimer(this.timer);
        this.timer = this.clock.setTimer(fx.ms, () => this.input({ type: 'timer', name: fx.name }));
      } else this.clock.clearTimer(this.timer);
    }
  }

  /** The server that granted the binding: refreshes and the un-REGISTER go there while it answers. */
  private server?: SipTarget;

  private async resolveAndSend(auth: boolean, unregister: boolean): Promise<void> {
    if (unregister && this.server) return this.send(auth, this.server, true);
    let dest: SipTarget | undefined;
    try {
      dest = (await this.locate())[0];
    } catch (err) {
      this.log.warn({ trunk: this.trunk.name, err: (err as Error).message }, 'registrar address not resolved');
    }
    if (this.state.phase === 'stopped') return;
    if (!dest) return this.input({ type: 'timeout' });
    this.send(auth, dest, unregister);
  }

  private send(auth: boolean, dest: SipTarget, unregister = false): void {
    const domain = this.trunk.domain ?? this.trunk.address.replace(/:\d+$/, '');
    const uri = `sip:${domain}`;
    const aor = `<sip:${this.trunk.username}@${domain}>`;
    const extra = [];
    if (auth && this.challenge) {
      const proxy = this.challenge.status === 407;
      const value = header(this.challenge, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
      try {
        if (!value) throw new Error('challenge header missing');
        extra.push({
          name: proxy ? 'Proxy-Authorization' : 'Authorization',
          value: digestAuthorization(value, { username: this.trunk.username!, password: this.trunk.password ?? '' }, 'REGISTER', uri),
        });
      } catch (err) {
        return this.input({ type: 'response', status: this.challenge.status, reason: (err as Error).message, at: this.clock.now() });
      }
    }
    const local = dest.transport === 'tcp' ? { ...this.local, transport: 'tcp' as const } : this.local;
    const req = {
      kind: 'request' as const,
      method: 'REGISTER',
      uri,
      headers: [
        via(local),
        { name: 'Max-Forwards', value: '70' },
        { name: 'From', value: `${aor};tag=${this.tag}` },
        { name: 'To', value: aor },
        { name: 'Call-ID', value: this.callId },
        { name: 'CSeq', value: `${this.cseq++} REGISTER` },
        { name: 'Contact', value: contactValue({ ...local, host: local.host }).replace('sip:dialer@', `sip:${this.trunk.username}@`) },
        { name: 'Expires', value: unregister ? '0' : String(this.trunk.registerExpiresS ?? 3600) },
        { name: 'User-Agent', value: local.userAgent },
        ...extra,
      ],
      body: Buffer.alloc(0),
    };
    this.stack.request(req, dest, (o) => {
      if (o.kind !== 'response') {
        this.unreachable(dest);
        return this.input({ type: 'timeout' });
      }
      const res = o.response;
      if (res.status === 401 || res.status === 407) this.challenge = res;
      if (res.status >= 200 && res.status < 300) this.server = dest;
      // §10.2.4: the granted lifetime is the Contact's expires param, else the Expires header.
      const granted = Number(/;\s*expires=(\d+)/i.exec(header(res, 'Contact') ?? '')?.[1] ?? header(res, 'Expires') ?? NaN);
      this.input({
        type: 'response',
        status: res.status,
        reason: res.reason,
        expiresS: Number.isFinite(granted) && granted > 0 ? granted : undefined,
        at: this.clock.now(),
      });
    });
  }
}
