/**
 * The agent-desktop scenario both drivers' desktop e2e tests run: group `sales`, the given
 * agents, list `L1` with one contact (Sato Hanako, 03-1234-5670, plan gold) and campaign `c1`
 * (spring-sale) with two dispositions. Returns the contact's stored (normalised) number.
 */
import type { Redis } from 'ioredis';
import { encodeRecord, validateContact } from '../../lib/domain/contact';
import { createAgent, createGroup } from '../../lib/store/agents';
import { createCampaign } from '../../lib/store/campaigns';
import { addContacts } from '../../lib/store/contacts';
import { createList } from '../../lib/store/lists';

export async function seedDesktopCampaign(
  redis: Redis,
  agents: { id: string; name: string; sipUri: string }[],
): Promise<{ phone: string }> {
  await createGroup(redis, { id: 'sales', name: 'Sales' });
  for (const a of agents) await createAgent(redis, { ...a, groups: ['sales'] });
  await createList(redis, { id: 'L1', name: 'L1', profile: 'default' });
  const v = validateContact(
    { id: 'c1', phone: '0312345670', name: 'Sato Hanako', key1: 'K-100', timeZone: 'Asia/Tokyo', attributes: { plan: 'gold' } },
    { profile: 'default', region: 'JP', maxFieldLength: 1000, maxAttributes: 50 },
  );
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  await addContacts(redis, 'L1', [{ id: v.id, phone: v.record.phone, record: encodeRecord(v.record) }]);
  await createCampaign(
    redis,
    {
      id: 'c1',
      name: 'spring-sale',
      agentGroups: ['sales'],
      dispositions: [
        { code: 'sale', label: 'Sale' },
        { code: 'no', label: 'Not interested' },
      ],
    },
    { region: 'JP' },
  );
  return { phone: v.record.phone };
}
