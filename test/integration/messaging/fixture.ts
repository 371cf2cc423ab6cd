/** Messaging on a real Redis with real peers (SIPp, SMPP, SMTP servers) on loopback. */
import { readFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { validateConfig } from '../../../lib/config';
import { encodeRecord, validateContact, type ContactInput } from '../../../lib/domain/contact';
import { addContacts } from '../../../lib/store/contacts';
import { createList } from '../../../lib/store/lists';
import { startMessaging, type Messaging, type MessageChannel, type MessagingEvent } from '../../../lib/messaging';
import type { MessageKind } from '../../../lib/messaging/channel';
import { SipMessageChannel } from '../../../lib/messaging/channels/sip';
import { startSipp, type Sipp } from '../../../lib/telephony/testing/sipp';

interface T {
  teardown(fn: () => unknown): void;
}

export const silent = pino({ level: 'silent' });

export function messagingConfig(over: Record<string, unknown> = {}) {
  return validateConfig({
    log: { level: 'silent' },
    messaging: { tickMs: 50, defaultHelpText: 'Acme reminders. Call 03-1234-5678. Reply STOP to opt out.', ...over },
  });
}

/** SIPp playing the mobile network behind the trunk (sipp-scenarios/uas-message.xml), with a message trace. */
export async function startMessageCarrier(t: T): Promise<{ sipp: Sipp; trace: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-msg-'));
  const file = join(dir, 'messages.log');
  const sipp = await startSipp({ scenario: 'uas-message', calls: 100000, timeoutS: 300, args: ['-trace_msg', '-message_file', file] });
  t.teardown(() => sipp.stop());
  return { sipp, trace: () => (existsSync(file) ? readFileSync(file, 'utf8') : '') };
}

export async function startWithChannels(
  t: T,
  redis: Redis,
  channels: Partial<Record<MessageKind, MessageChannel>>,
  over: Record<string, unknown> = {},
): Promise<{ m: Messaging; events: MessagingEvent[] }> {
  const m = await startMessaging({ config: messagingConfig(over), redis, log: silent }, { channels });
  t.teardown(() => m.stop());
  const events: MessagingEvent[] = [];
  m.service.events.onEvent((e) => events.push(e));
  return { m, events };
}

export function sipChannel(trunk: string): SipMessageChannel {
  return new SipMessageChannel({ host: '127.0.0.1', port: 0, trunk, from: 'acme', t1Ms: 100, log: silent });
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 8000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function makeContacts(redis: Redis, listId: string, rows: ContactInput[]): Promise<void> {
  await createList(redis, { id: listId, name: listId, profile: 'default' });
  const stored = rows.map((r) => {
    const v = validateContact(r, { profile: 'default', region: 'JP', maxFieldLength: 1000, maxAttributes: 50 });
    if (!v.ok) throw new Error(`bad test contact: ${JSON.stringify(v.errors)}`);
    return { id: v.id, phone: v.record.phone, record: encodeRecord(v.record) };
  });
  const { written } = await addContacts(redis, listId, stored);
  if (written !== rows.length) throw new Error('test contacts not all written');
}

/**
 * SIP MESSAGE bodies SIPp received (requests sent to it), in order, one per
 * transaction. Over UDP an unanswered request is retransmitted (Timer E,
 * RFC 3261 §17.1.2.2) with the same top Via branch and CSeq: that is the same
 * message arriving again, not a second send (the channel's non-INVITE client
 * transaction does retransmit, and under load SIPp's 200 can come later than
 * T1: the crash test once saw a survivor's message "twice" under load 20+).
 * A new transaction (a new branch) is counted again: that is a second send.
 */
export function receivedBodies(trace: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const block of trace.split(/-{10,}[^\n]*\n/)) {
    if (!/UDP message received/.test(block)) continue;
    const m = /\nMESSAGE sip:[^\n]*\n[\s\S]*?\r?\n\r?\n([\s\S]*)$/.exec(block);
    if (!m) continue;
    const branch = /^Via:[^\n]*;branch=([^;\s]+)/im.exec(block)?.[1];
    const cseq = /^CSeq:\s*([^\r\n]+)/im.exec(block)?.[1];
    if (branch && cseq) {
      const key = `${branch} ${cseq}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out.push(m[1]!.trim());
  }
  return out;
}
