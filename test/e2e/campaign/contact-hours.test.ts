/**
 * The contact's own calling hours, applied by the runner inside the claim
 * (dial-claim.lua, given the hours rule per zone): with the campaign open in
 * UTC, a contact whose zone is closed is not dialled, counts no attempt and
 * waits in the queue for its zone's opening, while the contacts around it
 * (the campaign's zone, an open zone) are dialled. Real runner, Redis, SIPp.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { getDialingStatus } from '../../../lib/store/campaign-dialing';
import { createList } from '../../../lib/store/lists';
import { addContacts, type StoredRow } from '../../../lib/store/contacts';
import { encodeRecord, validateContact } from '../../../lib/domain/contact';
import { hoursVerdict } from '../../../lib/dialer/steps/dial-time';
import type { BusinessHours } from '../../../lib/rules/hours';
import { numbersFor, runCampaign, startCampaignEnv } from '../../helpers/campaign-env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

t.test("a contact outside its own zone's hours waits for them; the others are dialled", { timeout: 120000 }, async (t) => {
  const env = await startCampaignEnv(t, { agents: 1 });
  const { redis, services } = env;
  // Open in UTC from the start of this hour for three hours (split at midnight): UTC+12 is then closed for three hours.
  const h = new Date().getUTCHours();
  const ranges =
    h + 3 <= 24
      ? [{ from: hh(h), to: h + 3 === 24 ? '24:00' : hh(h + 3) }]
      : [
          { from: '00:00', to: hh(h + 3 - 24) },
          { from: hh(h), to: '24:00' },
        ];
  const hours: BusinessHours = {
    timeZone: 'UTC',
    days: { mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges, sat: ranges, sun: ranges },
  };
  const closedZone = 'Etc/GMT-12'; // UTC+12
  t.notOk(hoursVerdict(hours, closedZone, Date.now()).open, 'the contact zone is closed now');

  // Digit 4: rings, nobody answers (ring timeout 2 s).
  const numbers = numbersFor([4, 4, 4]);
  const zones = ['', closedZone, 'UTC'];
  await createList(redis, { id: 'L', name: 'L', profile: 'default' });
  const rows: StoredRow[] = numbers.map((phone, i) => {
    const v = validateContact(
      { id: `c${i}`, phone, ...(zones[i] ? { timeZone: zones[i] } : {}) },
      { profile: 'default', region: 'JP', maxFieldLength: 1000, maxAttributes: 50 },
    );
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    return { id: v.id, phone: v.record.phone, record: encodeRecord(v.record) };
  });
  t.equal((await addContacts(redis, 'L', rows)).written, 3);

  await services.desk.login('ag1');
  for (let i = 0; (await services.desk.readyCount(['sales'])) < 1; i++) {
    if (i > 150) throw new Error('agent not ready');
    await sleep(100);
  }
  await runCampaign(redis, 'zh', 'L', { mode: 'progressive', ringTimeoutSec: 2, maxAttempts: 1, agentGroups: ['sales'], hours });

  const q = new DialQueue(redis, 'zh');
  const deadline = Date.now() + 90_000;
  const refs = async () => new Set((await q.history()).map((r) => r.fields.ref));
  // c2 comes after c1 in dial order: once c2 is done, c1 was looked at.
  while (!(await refs()).has('L:c2') && Date.now() < deadline) await sleep(250);
  const history = await q.history();
  t.same(
    history.map((r) => [r.fields.ref, r.fields.code]),
    [
      ['L:c0', '2'],
      ['L:c2', '2'],
    ],
    "the campaign's zone and the open zone dialled (no answer), the closed zone's contact not",
  );
  const c1 = await q.contactState('L:c1');
  t.equal(c1.state, 'queued', 'c1 waits in its queue');
  t.equal(c1.attempts, '0', 'no attempt counted');
  t.equal(Number(c1.score), (hoursVerdict(hours, closedZone, Date.now()) as { at: number }).at, "until its zone's opening");
  // Every claim leaves its attempt's hash (dialled, or given back uncounted: phase void); none may be c1's, as one voided
  // by the runner's own dial-time check after the claim would be. Not the claim counter: a claim the driver refused at
  // the moment of sending (no room yet on a loaded host) is given back unsent and claimed again, and counts each time
  // (seq 9 for the 2 dialled, once, in a -j 6 e2e run at load 42).
  const claimed = await redis.keys('*c:{c:zh}:at:*'); // KEYS takes no key prefix: the full names come back
  const claimedRefs = await Promise.all(claimed.map(async (k) => redis.hget(k.slice(k.indexOf('c:{c:zh}:')), 'ref')));
  t.ok(claimed.length >= 2, `the two dialled contacts' attempts are there (${claimed.length} claims)`);
  t.same([...new Set(claimedRefs)].sort(), ['L:c0', 'L:c2'], 'c1 was put back inside the claim, never claimed: every claim was c0 or c2');
  t.equal((await q.counters()).remaining, 1, 'the campaign is not finished');
  t.same((await redis.smembers('c:{c:zh}:zones')).sort(), [closedZone, 'UTC'], "the campaign's zones set");
  // Why nothing dials now: no contact eligible until c1's zone opens.
  const opens = Number(c1.score);
  const untilOf = async () => {
    const st = await getDialingStatus(redis, 'zh');
    return st?.state === 'idle' ? st.until : undefined;
  };
  for (let i = 0; (await untilOf()) !== opens && i < 600; i++) await sleep(100);
  t.match(
    await getDialingStatus(redis, 'zh'),
    { state: 'idle', reason: 'no_eligible_contacts', until: opens },
    'the status says until when',
  );
  const national = numbers[1]!.replace(/-/g, '').slice(1);
  const trace = readFileSync(env.carrierTrace, 'utf8');
  t.notOk(trace.includes(`81${national}@`) || trace.includes(`0${national}@`), 'c1 never reached the carrier');
});
