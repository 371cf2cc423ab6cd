/**
 * The bug a new user met: a callback booked during a live call, due a few
 * seconds later, stayed `scheduled` forever because the campaign completed when
 * its list ran out. Now a campaign with a pending callback is not complete; the
 * callback is dialled when due and goes to its owner (even when another agent
 * has waited longer); one owned by an absent agent goes to anyone after the
 * campaign's owner grace.
 */
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { createCallback, getCallback, type Callback } from '../../../lib/store/callbacks';
import { getCampaign } from '../../../lib/store/campaigns';
import { normalizePhone } from '../../../lib/domain/phone';
import { agentsTalk, loginReady, makeList, numbersFor, runCampaign, startCampaignEnv, waitCompleted } from '../../helpers/campaign-env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('a callback booked during a call is dialled when due and reaches its owner', { timeout: 120000 }, async (t) => {
  const env = await startCampaignEnv(t, { agents: 2 });
  const { redis, services } = env;
  const desk = services.desk;
  const [first, again, other] = numbersFor([0, 0, 0]);
  const e164 = (n: string) => (normalizePhone(n, 'JP') as { e164: string }).e164;
  let owned: Callback | undefined;
  let orphan: Callback | undefined;
  const talkedTo = agentsTalk(desk, {
    talkMs: 800,
    wrapMs: 300,
    onPop: (e) => {
      if (owned) return;
      // During the call, the agent promises a call back in 12 s (as POST /campaigns/:id/callbacks does),
      // and a supervisor books one for an agent who is not logged in.
      const now = Date.now();
      void (async () => {
        owned = await createCallback(
          redis,
          { campaignId: 'cbb', phone: e164(again!), dueAt: now + 12_000, owner: e.agentId, createdBy: e.agentId },
          now,
        );
        orphan = await createCallback(
          redis,
          { campaignId: 'cbb', phone: e164(other!), dueAt: now + 2_000, owner: 'absent-agent', createdBy: 'supervisor' },
          now,
        );
      })();
    },
  });
  await loginReady(desk, ['ag1']);
  await makeList(redis, 'L', [first!]);
  await runCampaign(redis, 'cbb', 'L', {
    mode: 'progressive',
    ringTimeoutSec: 20,
    maxAttempts: 1,
    agentGroups: ['sales'],
    callbackOwnerGraceSec: 3,
  });

  // The list call goes to ag1 (the only agent), who books the callback; ag2 logs in during that
  // call, so by the time the callback is due ag2 has waited longer than ag1 (back from wrap-up).
  for (let i = 0; !owned; i++) {
    if (i > 200) throw new Error('list call never reached an agent');
    await sleep(100);
  }
  await desk.login('ag2');
  await sleep(2000);
  const afterList = await getCampaign(redis, 'cbb');
  t.equal(afterList!.state, 'running', 'the list ran out but the campaign waits for its callbacks');
  t.equal((await getCallback(redis, 'cbb', owned!.id))!.state, 'scheduled', 'the callback is not due yet');

  t.equal(await waitCompleted(redis, 'cbb', 60_000), 'completed', 'completed once every callback was dialled');
  const history = await new DialQueue(redis, 'cbb').history();
  const ownedRec = history.find((h) => h.fields.ref!.startsWith(`cb:${owned!.id}@`));
  t.ok(ownedRec, 'the booked callback was dialled');
  t.equal(ownedRec?.fields.code, '20', 'it reached a person and was connected');
  t.equal(talkedTo[ownedRec!.fields.attemptId!], 'ag1', 'to its owner, although ag2 had waited longer');
  t.ok(Number(JSON.parse(ownedRec!.fields.data ?? '{}').startedAt) >= owned!.dueAt, 'not before it was due');
  t.match(await getCallback(redis, 'cbb', owned!.id), { state: 'done', resultCode: 20 });
  const orphanRec = history.find((h) => h.fields.ref!.startsWith(`cb:${orphan!.id}@`));
  t.equal(orphanRec?.fields.code, '20', "the absent agent's callback went to someone else after the grace");
  t.match(await getCallback(redis, 'cbb', orphan!.id), { state: 'done' });
});
