/**
 * SMS through an SMPP 3.4 aggregator (node-smpp): one bound transceiver
 * session, submit_sm with a delivery receipt requested, deliver_sm either a
 * delivery receipt (esm_class bit 0x04, SMPP 3.4 §5.2.12 / Appendix B) or a
 * mobile-originated message (an inbound SMS). Bodies that do not fit the
 * 254-octet short_message go in the message_payload TLV (§5.3.2.32) and the
 * SMSC segments them. The session re-binds after a drop.
 */
import * as smpp from 'smpp';
import type { Logger } from 'pino';
import type { ChannelEvent, MessageChannel, OutboundMessage, SendResult } from '../channel';
import { smsInfo } from '../text';
import { ChannelEvents } from './emitter';

export interface SmppChannelOptions {
  url: string;
  systemId: string;
  password: string;
  systemType?: string;
  from: string;
  enquireLinkMs?: number;
  timeoutMs?: number;
  log: Logger;
}

const RECEIPT_BIT = 0x04;
/** Appendix B receipt text: "id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:… text:…". */
const RECEIPT = /\bid:(\S+).*?\bstat:(\w+)(?:.*?\berr:(\w+))?/i;
const FINAL_OK = new Set(['DELIVRD']);
const FINAL_FAIL = new Set(['UNDELIV', 'EXPIRED', 'REJECTD', 'DELETED', 'UNKNOWN']);
// message_state TLV (§5.3.2.35): 2 delivered; 3 expired, 4 deleted, 5 undeliverable, 8 rejected.
const STATE_NAMES: Record<number, string> = { 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 8: 'REJECTD' };

/** Status codes that say "this message, as it is, will never go" (a retry will not help). */
const PERMANENT = new Set([0x0a, 0x0b, 0x01, 0x43, 0x66, 0x62]); // RINVSRCADR, RINVDSTADR, RINVMSGLEN, RINVESMCLASS, …

export function parseReceipt(
  text: string,
  tlv: { receiptedId?: string; state?: number },
): { id: string; stat: string; err?: string } | undefined {
  const m = RECEIPT.exec(text);
  const id = tlv.receiptedId || m?.[1];
  const stat = (tlv.state !== undefined ? STATE_NAMES[tlv.state] : undefined) ?? m?.[2]?.toUpperCase();
  if (!id || !stat) return undefined;
  return { id, stat, err: m?.[3] };
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'message' in v) {
    const m = (v as { message: unknown }).message;
    return Buffer.isBuffer(m) ? m.toString('latin1') : String(m ?? '');
  }
  return Buffer.isBuffer(v) ? v.toString('latin1') : '';
}

export class SmppChannel implements MessageChannel {
  readonly name = 'smpp' as const;
  readonly kind = 'sms' as const;
  private session?: smpp.Session;
  private bound = false;
  private stopped = false;
  private reconnect?: NodeJS.Timeout;
  private readonly events = new ChannelEvents();

  constructor(private readonly o: SmppChannelOptions) {}

  onEvent(fn: (e: ChannelEvent) => void): () => void {
    return this.events.on(fn);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    const s = this.session;
    this.session = undefined;
    this.bound = false;
    if (!s) return;
    await new Promise<void>((res) => {
      const t = setTimeout(() => s.destroy(() => res()), 1000);
      // unbind is polite; a peer that does not answer is cut after a second.
      s.send(new smpp.PDU('unbind', {}), () => {
        clearTimeout(t);
        s.close(() => res());
      });
    });
  }

  private connect(): Promise<void> {
    const u = new URL(this.o.url);
    return new Promise((resolve, reject) => {
      const s = smpp.connect(
        { host: u.hostname, port: Number(u.port || 2775), auto_enquire_link_period: this.o.enquireLinkMs || undefined },
        () => {
          s.send(
            new smpp.PDU('bind_transceiver', {
              system_id: this.o.systemId,
              password: this.o.password,
              system_type: this.o.systemType ?? '',
            }),
            (pdu) => {
              if (pdu.command_status === 0) {
                this.bound = true;
                resolve();
              } else {
                s.destroy();
                reject(new Error(`SMPP bind refused (status 0x${pdu.command_status.toString(16)})`));
              }
            },
          );
        },
      );
      this.session = s;
      s.on('error', (err: Error) => {
        this.o.log.warn({ err: err.message }, 'SMPP session error');
        if (!this.bound) reject(err);
      });
      s.on('close', () => {
        this.bound = false;
        if (this.stopped || this.session !== s) return;
        this.o.log.warn('SMPP session closed; re-binding');
        this.reconnect = setTimeout(
          () => this.connect().catch((err: Error) => this.o.log.warn({ err: err.message }, 'SMPP re-bind failed')),
          2000,
        );
      });
      s.on('deliver_sm', (pdu: smpp.PDU) => this.onDeliver(s, pdu));
      s.on('enquire_link', (pdu: smpp.PDU) => s.send(pdu.response()));
      s.on('unbind', (pdu: smpp.PDU) => s.send(pdu.response()));
    });
  }

  send(msg: OutboundMessage): Promise<SendResult> {
    const s = this.session;
    if (!s || !this.bound) return Promise.resolve({ accepted: false, error: 'SMPP session is not bound', permanent: false });
    const info = smsInfo(msg.body);
    // short_message holds 254 octets: GSM-7 text is sent one octet per character by node-smpp, UCS-2 two.
    const octets = info.encoding === 'GSM-7' ? info.units : info.units * 2;
    const body = octets > 254 ? { message_payload: msg.body } : { short_message: msg.body };
    const pdu = new smpp.PDU('submit_sm', {
      source_addr: msg.from ?? this.o.from,
      source_addr_ton: /^\+?\d+$/.test(msg.from ?? this.o.from) ? 1 : 5,
      source_addr_npi: 1,
      destination_addr: msg.to.replace(/^\+/, ''),
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      registered_delivery: 1,
      ...body,
    });
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve({ accepted: false, error: 'no submit_sm_resp in time', permanent: false }),
        this.o.timeoutMs ?? 10000,
      );
      const sent = s.send(pdu, (resp) => {
        clearTimeout(timer);
        if (resp.command_status === 0) resolve({ accepted: true, providerId: String(resp.message_id) });
        else
          resolve({
            accepted: false,
            error: `SMSC refused the message (status 0x${resp.command_status.toString(16).padStart(4, '0')})`,
            permanent: PERMANENT.has(resp.command_status),
          });
      });
      if (!sent) {
        clearTimeout(timer);
        resolve({ accepted: false, error: 'SMPP socket is not writable', permanent: false });
      }
    });
  }

  private onDeliver(s: smpp.Session, pdu: smpp.PDU): void {
    s.send(pdu.response());
    const esm = Number(pdu.esm_class ?? 0);
    const body = text(pdu.message_payload) || text(pdu.short_message);
    const at = Date.now();
    if (esm & RECEIPT_BIT) {
      const r = parseReceipt(body, {
        receiptedId: pdu.receipted_message_id ? String(pdu.receipted_message_id) : undefined,
        state: typeof pdu.message_state === 'number' ? pdu.message_state : undefined,
      });
      if (!r) return this.o.log.warn({ body: body.slice(0, 200) }, 'SMPP delivery receipt not understood');
      if (FINAL_OK.has(r.stat))
        this.events.emit({ type: 'receipt', channel: 'smpp', providerId: r.id, status: 'delivered', detail: r.stat, at });
      else if (FINAL_FAIL.has(r.stat))
        this.events.emit({
          type: 'receipt',
          channel: 'smpp',
          providerId: r.id,
          status: 'failed',
          detail: `${r.stat}${r.err ? ` err:${r.err}` : ''}`,
          at,
        });
      return;
    }
    const from = String(pdu.source_addr ?? '');
    this.events.emit({
      type: 'inbound',
      channel: 'smpp',
      from: /^\d{8,}$/.test(from) && Number(pdu.source_addr_ton) === 1 ? `+${from}` : from,
      to: String(pdu.destination_addr ?? ''),
      body,
      at,
    });
  }
}
