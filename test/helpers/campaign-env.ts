/**
 * A whole dialer on loopback for end-to-end tests: real redis-server, the
 * SIPp carrier simulator (behaviour by the dialled number's last digit, see
 * sipp-scenarios/README.md), SIPp agent phones, and the dialer's services
 * (embedded driver, agent desk, campaign runner) in this process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { validateConfig, type Config } from '../../lib/config';
import { encodeRecord, validateContact } from '../../lib/domain/contact';
import { addContacts, type StoredRow } from '../../lib/store/contacts';
import { createList } from '../../lib/store/lists';
import { attachList, createCampaign, setCampaignState } from '../../lib/store/campaigns';
import { createAgent, createGroup } from '../../lib/store/agents';
import { makeEntry, putDncEntries } from '../../lib/store/dnc';
import { startSipp, type Sipp } from '../../lib/telephony/testing/sipp';
import { startServices, type Services } from '../../app/services';
import type { CampaignInput } from '../../lib/domain/campaign';
import { startTestRedis } from './redis';

interface TestLike {
  teardown(fn: () => unknown): void;
}

export interface CampaignEnv {
  redis: Redis;
  config: Readonly<Config>;
  services: Services;
  carrier: Sipp;
  carrierTrace: string;
  agents: { id: string; phone: Sipp }[];
}

/** Carrier-simulator behaviours by last digit, and the code each should end with. */
export const DIGIT_CODES: Record<number, number> = { 0: 20, 1: 4, 2: 5, 3: 3, 4: 2, 5: 6, 6: 13, 7: 7, 8: 9, 9: 8 };

export function runnerConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { tickMs: 100, syncIntervalMs: 300, campaignLeaseMs: 3000, attemptLeaseMs: 8000, reserveRetryMs: 100, ...overrides };
}

export async function startCampaignEnv(t: TestLike, o: { agents: number; carrierKeys?: Record<string, string> }): Promise<CampaignEnv> {
  const { redis } = await startTestRedis(t, 'e2e:');
  const dir = mkdtempSync(join(tmpdir(), 'dialer-e2e-'));
  const carrierTrace = join(dir, 'carrier-messages.log');
  const carrier = await startSipp({
    scenario: 'carrier-simulator', calls: 100000, timeoutS: 900,
    keys: { hangup_ms: '1000', ...o.carrierKeys },
    args: ['-trace_msg', '-message_file', carrierTrace, '-max_recv_loops', '10000'],
  });
  t.teardown(() => carrier.stop());
  const agents: { id: string; phone: Sipp }[] = [];
  for (let i = 1; i <= o.agents; i++) {
    const phone = await startSipp({ scenario: 'agent-phone', calls: 100, timeoutS: 900 });
    t.teardown(() => phone.stop());
    agents.push({ id: `ag${i}`, phone });
  }
  const config = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'carrier', address: carrier.address, callsPerSecond: 1000, maxChannels: 1000 }],
    },
    media: { amd: { silenceTimeoutMs: 2500 } },
    dialer: { runner: runnerConfig(), prompts: { dir: join(dir, 'prompts') } },
  });
  await createGroup(redis, { id: 'sales', name: 'Sales' });
  for (const a of agents) await createAgent(redis, { id: a.id, name: `Agent ${a.id}`, sipUri: `sip:${a.id}@${a.phone.address}`, groups: ['sales'] });
  const services = await startServices({ config, redis, log: pino({ level: 'silent' }) });
  t.teardown(() => services.stop());
  return { redis, config, services, carrier, carrierTrace, agents };
}

/** A list of numbers ending in the given digits; returns its id and the contacts' numbers by id. */
export async function makeList(redis: Redis, id: string, numbers: string[]): Promise<Map<string, string>> {
  await createList(redis, { id, name: id, profile: 'default' });
  const rows: StoredRow[] = [];
  const byId = new Map<string, string>();
  numbers.forEach((phone, i) => {
    const v = validateContact({ id: `c${i}`, phone, name: `Contact ${i}` }, { profile: 'default', region: 'JP', maxFieldLength: 1000, maxAttributes: 50 });
    if (!v.ok) throw new Error(`bad test number ${phone}: ${JSON.stringify(v.errors)}`);
    rows.push({ id: v.id, phone: v.record.phone, record: encodeRecord(v.record) });
    byId.set(v.id, v.record.phone);
  });
  const { written } = await addContacts(redis, id, rows);
  if (written !== rows.length) throw new Error(`only ${written} of ${rows.length} test contacts written`);
  return byId;
}

/** Japanese landline numbers 03-1200-xxxd whose last digit selects the far end's behaviour. */
export function numbersFor(digits: number[]): string[] {
  return digits.map((d, i) => `0312${String(100000 + i).slice(-5)}${d}`.replace(/^(\d{2})(\d{4})(\d{4})$/, '$1-$2-$3'));
}

export async function putDnc(redis: Redis, phones: string[]): Promise<void> {
  const now = new Date();
  await putDncEntries(redis, {}, phones.map((p) => makeEntry({ phone: p, reason: 'test complaint' }, { region: 'JP', actor: 'test', now })), { actor: 'test', now });
}

export async function runCampaign(redis: Redis, id: string, listId: string, settings: CampaignInput): Promise<void> {
  await createCampaign(redis, { id, name: id, hours: { timeZone: 'UTC', days: allDay() }, ...settings }, { region: 'JP' });
  await attachList(redis, id, { listId, active: true });
  await setCampaignState(redis, id, 'start');
}

function allDay() {
  const d = [{ from: '00:00', to: '24:00' }];
  return { mon: d, tue: d, wed: d, thu: d, fri: d, sat: d, sun: d };
}
