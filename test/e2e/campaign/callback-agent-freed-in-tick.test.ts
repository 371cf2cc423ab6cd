/**
 * A due callback that found no ready agent must still go ahead of the list when
 * an agent becomes ready later in the same tick. The runner tries the due
 * callbacks first (reserve: none ready, the agent still in wrap-up), then reads
 * the agents for the list's pacing a few awaits later: an agent whose wrap-up
 * ended in between was taken by a list call, and the callback waited for the
 * whole of that call (seen once in a loaded whole-suite run of
 * callback-promised-agent.test.ts: "the callback went ahead of the rest of the
 * list" failed). The interleaving is made certain here: the wrap-up is ended
 * right after the callback's reservation found nobody, through the desk's own
 * finishWrapUp, as the agent's timer would have. The same for a callback
 * offered to its owner alone (inside the owner's grace): the owner, freed in
 * that moment, is the callback's, not a list call's.
 *
 * Last: a callback whose agent was reserved but whose INVITE did not leave (the
 * calls-per-second admission let go before the send: the driver's NO_CAPACITY,
 * given back uncounted) keeps that agent. The release made them ready again in
 * the middle of the tick, and the list's pacing placed a call for them: seen in
 * a loaded run of the owner case above (1 in about 50; the runner released the
 * owner 0.6 s after reserving them, and the list call took them). Made certain
 * here through the driver's own refusal at the send (beforeSend answering no).
 */
import t, { type Test } from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import type { OriginateRequest } from '../../../lib/telephony/contract';
import { createCallback, getCallback, type Callback } from '../../../lib/store/callbacks';
import { normalizePhone } from '../../../lib/domain/phone';
import { agentsTalk, loginReady, makeList, numbersFor, runCampaign, startCampaignEnv, waitCompleted } from '../../helpers/campaign-env';
import { until } from '../../helpers/wait';

async function freedInTheTick(t: Test, owner: string | null, campaignId: string): Promise<void> {
  const env = await startCampaignEnv(t, { agents: 1 });
  const { redis, services } = env;
  const desk = services.desk;
  const [first, promised, second] = numbersFor([0, 0, 0]);
  const e164 = (n: string) => (normalizePhone(n, 'JP') as { e164: string }).e164;
  const talkedTo: Record<string, string> = {};
  desk.on('screen-pop', (e) => {
    talkedTo[e.pop.attemptId] = e.agentId;
    setTimeout(() => void desk.hangupCustomer(e.agentId).catch(() => undefined), 1000);
  });
  // The first wrap-up is left open: the callback falls due in it, and it ends only in the reservation below.
  let callback: Callback | undefined;
  let wraps = 0;
  desk.on('state', (e) => {
    if (e.to !== 'wrap_up') return;
    if (++wraps === 1) {
      void createCallback(
        redis,
        { campaignId, phone: e164(promised!), dueAt: Date.now() - 1000, owner, createdBy: owner ? 'agent' : 'supervisor' },
        Date.now(),
      ).then((cb) => (callback = cb));
      return;
    }
    setTimeout(() => void desk.finishWrapUp(e.agentId, 'continue').catch(() => undefined), 100);
  });
  let freedInTick = false;
  const reserve = desk.reserve.bind(desk);
  desk.reserve = async (...args: Parameters<typeof reserve>) => {
    const r = await reserve(...args);
    if (!r && callback && !freedInTick && args[1] === `callback:${callback.id}`) {
      freedInTick = true;
      await desk.finishWrapUp('ag1', 'continue');
    }
    return r;
  };
  await loginReady(desk, ['ag1']);
  await makeList(redis, 'L', [first!, second!]);
  await runCampaign(redis, campaignId, 'L', { mode: 'progressive', ringTimeoutSec: 20, maxAttempts: 1, agentGroups: ['sales'] });

  // Bounded guard for a loaded host: the first wrap-up ends in the callback's reservation.
  await until(() => freedInTick, 'the agent freed right after the callback found no agent', 60_000, 100);
  t.equal(await waitCompleted(redis, campaignId, 80_000), 'completed', 'the campaign completed');
  const history = await new DialQueue(redis, campaignId).history();
  const cb = history.find((h) => h.fields.ref!.startsWith(`cb:${callback?.id}@`));
  const next = history.find((h) => h.fields.ref === 'L:c1');
  t.equal(history.find((h) => h.fields.ref === 'L:c0')?.fields.code, '20', 'the first list call was connected');
  t.equal(cb?.fields.code, '20', 'the callback was dialled and connected');
  t.equal(talkedTo[cb?.fields.attemptId ?? ''], 'ag1');
  t.match(await getCallback(redis, campaignId, callback!.id), { state: 'done' });
  t.equal(next?.fields.code, '20', 'the list went on after the callback');
  // One agent: what closes first was dialled first.
  t.ok(cb && next && history.indexOf(cb) < history.indexOf(next), 'the callback took the freed agent ahead of the rest of the list');
}

t.test('an agent freed after the callback found none is the callback’s, not a list call’s', { timeout: 120000 }, (t) =>
  freedInTheTick(t, null, 'cbf'),
);

t.test('an owner freed after its own callback found it busy is the callback’s, not a list call’s', { timeout: 120000 }, (t) =>
  freedInTheTick(t, 'ag1', 'cbo'),
);

async function notSent(t: Test, owner: string | null, campaignId: string): Promise<void> {
  const env = await startCampaignEnv(t, { agents: 1 });
  const { redis, services } = env;
  const desk = services.desk;
  const [promised, first, second] = numbersFor([0, 0, 0]);
  const e164 = (n: string) => (normalizePhone(n, 'JP') as { e164: string }).e164;
  const talkedTo = agentsTalk(desk, { talkMs: 1000, wrapMs: 100 });
  const callback = await createCallback(
    redis,
    { campaignId, phone: e164(promised!), dueAt: Date.now() - 1000, owner, createdBy: owner ? 'agent' : 'supervisor' },
    Date.now(),
  );
  // The callback's first INVITE is refused at the send, as the driver does when the admission has gone stale.
  let refused = 0;
  const driver = services.driver;
  const originate = driver.originate.bind(driver);
  driver.originate = (req: OriginateRequest) =>
    originate(
      refused === 0 && req.tags?.contactId?.startsWith(`${callback.id}@`) ? { ...req, beforeSend: async () => (refused++, false) } : req,
    );
  await loginReady(desk, ['ag1']);
  await makeList(redis, 'L', [first!, second!]);
  await runCampaign(redis, campaignId, 'L', { mode: 'progressive', ringTimeoutSec: 20, maxAttempts: 1, agentGroups: ['sales'] });

  t.equal(await waitCompleted(redis, campaignId, 80_000), 'completed', 'the campaign completed');
  t.equal(refused, 1, "the callback's first INVITE was refused at the send");
  const history = await new DialQueue(redis, campaignId).history();
  const cb = history.find((h) => h.fields.ref!.startsWith(`cb:${callback.id}@`));
  t.equal(cb?.fields.code, '20', 'the callback was dialled again and connected');
  t.equal(talkedTo[cb?.fields.attemptId ?? ''], 'ag1');
  t.match(await getCallback(redis, campaignId, callback.id), { state: 'done' });
  t.same(
    history.map((h) => h.fields.code),
    ['20', '20', '20'],
    'every call connected',
  );
  // One agent: what closes first was dialled first.
  t.equal(history[0]?.fields.ref, cb?.fields.ref, 'the callback kept its agent: no list call took them in the tick its INVITE was refused');
}

t.test('a callback whose INVITE was refused at the send keeps its agent from the list', { timeout: 120000 }, (t) =>
  notSent(t, null, 'cbn'),
);

t.test('an owner whose callback INVITE was refused at the send stays the callback’s', { timeout: 120000 }, (t) =>
  notSent(t, 'ag1', 'cbno'),
);
