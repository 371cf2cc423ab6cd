/**
 * Builds a campaign's world in Redis through the same store functions the
 * API uses: an agent group with agents, a contact list, do-not-call entries,
 * a running campaign. Shared by the loopback demo and the end-to-end tests.
 */
import type { Redis } from 'ioredis';
import { encodeRecord, validateContact } from '../domain/contact';
import type { CampaignInput } from '../domain/campaign';
import { addContacts, type StoredRow } from '../store/contacts';
import { createList } from '../store/lists';
import { attachList, createCampaign, setCampaignState } from '../store/campaigns';
import { createAgent, createGroup } from '../store/agents';
import { makeEntry, putDncEntries } from '../store/dnc';

/** Numbers are Japanese nationals (03-…), as in the seeds. */
const REGION = 'JP';

/** A group and one agent per phone (`sip:<id>@<host:port>`). */
export async function makeAgents(redis: Redis, groupId: string, phones: readonly { id: string; address: string }[]): Promise<void> {
  await createGroup(redis, { id: groupId, name: groupId });
  for (const p of phones)
    await createAgent(redis, { id: p.id, name: `Agent ${p.id}`, sipUri: `sip:${p.id}@${p.address}`, groups: [groupId] });
}

/** A list whose contacts `c0…` have the given numbers; returns each contact's stored number by id. */
export async function makeList(redis: Redis, id: string, numbers: readonly string[]): Promise<Map<string, string>> {
  await createList(redis, { id, name: id, profile: 'default' });
  const rows: StoredRow[] = [];
  const byId = new Map<string, string>();
  numbers.forEach((phone, i) => {
    const v = validateContact(
      { id: `c${i}`, phone, name: `Contact ${i}` },
      { profile: 'default', region: REGION, maxFieldLength: 1000, maxAttributes: 50 },
    );
    if (!v.ok) throw new Error(`bad sample number ${phone}: ${JSON.stringify(v.errors)}`);
    rows.push({ id: v.id, phone: v.record.phone, record: encodeRecord(v.record) });
    byId.set(v.id, v.record.phone);
  });
  const { written } = await addContacts(redis, id, rows);
  if (written !== rows.length) throw new Error(`only ${written} of ${rows.length} sample contacts written`);
  return byId;
}

/** Puts numbers on the global do-not-call list (as a complaint would). */
export async function putDnc(redis: Redis, phones: readonly string[], reason = 'test complaint'): Promise<void> {
  const now = new Date();
  await putDncEntries(
    redis,
    {},
    phones.map((p) => makeEntry({ phone: p, reason }, { region: REGION, actor: 'demo', now })),
    { actor: 'demo', now },
  );
}

/** Creates a campaign open around the clock (UTC), attaches the list and starts it. */
export async function runCampaign(redis: Redis, id: string, listId: string, settings: CampaignInput): Promise<void> {
  await createCampaign(redis, { id, name: id, hours: { timeZone: 'UTC', days: allDay() }, ...settings }, { region: REGION });
  await attachList(redis, id, { listId, active: true });
  await setCampaignState(redis, id, 'start');
}

function allDay() {
  const d = [{ from: '00:00', to: '24:00' }];
  return { mon: d, tue: d, wed: d, thu: d, fri: d, sat: d, sun: d };
}
