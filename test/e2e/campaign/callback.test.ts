/**
 * Callbacks in a running campaign: a due callback is dialled ahead of the
 * lists and offered to its owner first (even when another agent has waited
 * longer); a callback to a number put on do-not-call meanwhile is not dialled.
 */
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { createCallback, getCallback } from '../../../lib/store/callbacks';
import { normalizePhone } from '../../../lib/domain/phone';
import {
  agentsTalk,
  loginReady,
  makeList,
  numbersFor,
  putDnc,
  runCampaign,
  startCampaignEnv,
  waitCompleted,
} from '../../helpers/campaign-env';

t.test('due callbacks go to their owner first and respect do-not-call', { timeout: 120000 }, async (t) => {
  const env = await startCampaignEnv(t, { agents: 2 });
  const { redis, services } = env;
  const desk = services.desk;
  const talkedTo = agentsTalk(desk, { talkMs: 500, wrapMs: 100 });
  // ag1 logs in first and is ready before ag2 logs in, so it is the longest-waiting agent
  // (waited for, not slept on: a loaded host may take longer than any fixed pause for ag1's phone to answer).
  await loginReady(desk, ['ag1', 'ag2']);

  const [busy1, busy2, person, barred] = numbersFor([3, 3, 0, 0]);
  await makeList(redis, 'L', [busy1!, busy2!]);
  const now = Date.now();
  const e164 = (n: string) => (normalizePhone(n, 'JP') as { e164: string }).e164;
  await runCampaign(redis, 'cbc', 'L', { mode: 'progressive', ringTimeoutSec: 2, maxAttempts: 1, agentGroups: ['sales'] });
  const owned = await createCallback(
    redis,
    { campaignId: 'cbc', phone: e164(person!), dueAt: now - 1000, owner: 'ag2', note: 'promised a call back', createdBy: 'ag2' },
    now,
  );
  const blocked = await createCallback(
    redis,
    { campaignId: 'cbc', phone: e164(barred!), dueAt: now - 1000, owner: null, createdBy: 'supervisor' },
    now,
  );
  await putDnc(redis, [barred!]);

  t.equal(await waitCompleted(redis, 'cbc', 80_000), 'completed');
  const history = await new DialQueue(redis, 'cbc').history();
  const cbRecords = history.filter((h) => h.fields.ref!.startsWith('cb:'));
  t.equal(cbRecords.length, 2, 'both callbacks have one attempt each');
  const ownedRec = cbRecords.find((h) => h.fields.ref!.startsWith(`cb:${owned.id}@`))!;
  t.equal(ownedRec.fields.code, '20', 'the callback reached a person and was connected');
  t.equal(talkedTo[ownedRec.fields.attemptId!], 'ag2', 'its owner got it although ag1 had waited longer');
  const blockedRec = cbRecords.find((h) => h.fields.ref!.startsWith(`cb:${blocked.id}@`))!;
  t.equal(blockedRec.fields.code, '10', 'the do-not-call callback was excluded, not dialled');
  t.match(await getCallback(redis, 'cbc', owned.id), { state: 'done' });
  const listRecs = history.filter((h) => h.fields.ref!.startsWith('L:'));
  t.same(
    listRecs.map((h) => h.fields.code),
    ['3', '3'],
    'the list contacts were dialled too',
  );
});
