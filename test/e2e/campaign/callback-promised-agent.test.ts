/**
 * A callback that falls due while a list call placed for the only ready agent
 * is answered and being analysed must not take that agent: the person would be
 * abandoned (14) though the agent was free when their call was placed. Found
 * in test/e2e/scale/fault.test.ts: two callbacks held back by a Redis master's
 * failover fell due together and took both agents of a process from a person
 * answered a second earlier. Now the callback waits for an agent no placed call
 * is counting on, and the campaign places no list call meanwhile, so it gets
 * the next one.
 */
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { createCallback, getCallback, type Callback } from '../../../lib/store/callbacks';
import { normalizePhone } from '../../../lib/domain/phone';
import { agentsTalk, loginReady, makeList, numbersFor, runCampaign, startCampaignEnv, waitCompleted } from '../../helpers/campaign-env';

t.test('a callback due while a placed call is answered waits for an agent that call does not need', { timeout: 120000 }, async (t) => {
  const env = await startCampaignEnv(t, { agents: 1 });
  const { redis, services } = env;
  const desk = services.desk;
  const [listed, promised, later] = numbersFor([0, 0, 0]);
  const e164 = (n: string) => (normalizePhone(n, 'JP') as { e164: string }).e164;
  // Each conversation outlasts the abandon threshold (2 s): a person left without this agent would be abandoned.
  const talkedTo = agentsTalk(desk, { talkMs: 3000, wrapMs: 100 });
  await loginReady(desk, ['ag1']);
  // After the agent's own phone leg was answered at login: the moment the list call is answered (the person is
  // greeting; the verdict and the agent come after), a callback falls due. The agent is still ready then.
  let callback: Callback | undefined;
  let answeredAt = 0;
  services.driver.onEvent((e) => {
    if (e.type !== 'answer' || callback || answeredAt) return;
    answeredAt = e.at;
    void createCallback(
      redis,
      { campaignId: 'cbp', phone: e164(promised!), dueAt: Date.now() - 1000, owner: null, createdBy: 'supervisor' },
      Date.now(),
    ).then((cb) => (callback = cb));
  });
  await makeList(redis, 'L', [listed!, later!]);
  await runCampaign(redis, 'cbp', 'L', { mode: 'progressive', ringTimeoutSec: 20, maxAttempts: 1, agentGroups: ['sales'] });

  t.equal(await waitCompleted(redis, 'cbp', 80_000), 'completed', 'the campaign completed');
  t.ok(callback, 'the callback was booked while the list call was answered');
  const history = await new DialQueue(redis, 'cbp').history();
  const first = history.find((h) => h.fields.ref === 'L:c0');
  t.equal(first?.fields.code, '20', 'the person answered first was connected to the agent their call was placed for, not abandoned (14)');
  const cb = history.find((h) => h.fields.ref!.startsWith(`cb:${callback?.id}@`));
  t.equal(cb?.fields.code, '20', 'the callback was dialled next and connected');
  t.equal(talkedTo[cb?.fields.attemptId ?? ''], 'ag1');
  t.match(await getCallback(redis, 'cbp', callback!.id), { state: 'done' });
  const second = history.find((h) => h.fields.ref === 'L:c1');
  t.equal(second?.fields.code, '20', 'the list went on after the callback');
  // One agent: what closes first was dialled first.
  t.ok(cb && second && history.indexOf(cb) < history.indexOf(second), 'the callback went ahead of the rest of the list');
});
