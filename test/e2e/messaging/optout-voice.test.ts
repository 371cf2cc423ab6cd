/**
 * One suppression list across channels, end to end: a message campaign over
 * SIP MESSAGE (SIPp as the mobile network) gets "STOP" back from one number;
 * a second message campaign over the same list then skips that number, and a
 * voice campaign over the same list (embedded driver, SIPp carrier simulator)
 * closes it with result code 10 without dialling it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pino from 'pino';
import { writeWav } from '../../../lib/media/audio-file';
import { getCampaign } from '../../../lib/store/campaigns';
import { getContact } from '../../../lib/store/contacts';
import { pageMessages } from '../../../lib/store/messages';
import { startMessaging } from '../../../lib/messaging';
import { createCampaign, progress, setState } from '../../../lib/messaging/manage';
import { makeList, numbersFor, runCampaign, startCampaignEnv } from '../../helpers/campaign-env';
import { messagingConfig, sipChannel, startMessageCarrier, until } from '../../integration/messaging/fixture';

t.test('an SMS STOP is honoured by message and voice campaigns', { timeout: 120000 }, async (t) => {
  const env = await startCampaignEnv(t, { agents: 0 });
  const { redis } = env;
  const mobile = await startMessageCarrier(t);
  const m = await startMessaging(
    { config: messagingConfig(), redis, log: pino({ level: 'silent' }) },
    { channels: { sms: sipChannel(mobile.sipp.address) } },
  );
  t.teardown(() => m.stop());

  // c0 ends in 1: the phone answers STOP (and the carrier simulator would play a machine); c1 ends in 0: no reply, a person.
  const byId = await makeList(redis, 'L', numbersFor([1, 0]));
  const optedOut = byId.get('c0')!;

  await createCampaign(redis, {
    id: 'notice1',
    name: 'notice1',
    kind: 'sms',
    listId: 'L',
    template: 'Hi {{name}}, your order has shipped',
  });
  await setState(redis, 'notice1', 'start');
  await until('notice1 completed', async () => (await progress(redis, 'notice1')).state === 'completed', 15000);
  await until('opt-out applied', async () => (await progress(redis, 'notice1')).counters.optouts === 1, 15000);

  await createCampaign(redis, { id: 'notice2', name: 'notice2', kind: 'sms', listId: 'L', template: 'Hi {{name}}, it arrives today' });
  await setState(redis, 'notice2', 'start');
  await until('notice2 completed', async () => (await progress(redis, 'notice2')).state === 'completed', 15000);
  const { messages } = await pageMessages(redis, 'notice2');
  const status = Object.fromEntries(messages.map((x) => [x.contactId, x]));
  t.equal(status.c0!.status, 'skipped', 'the opted-out number is skipped by the next message campaign');
  t.match(status.c0!.skipReason, /do-not-contact/);
  t.equal(status.c1!.status, 'accepted');

  const dir = mkdtempSync(join(tmpdir(), 'dialer-optout-'));
  const message = join(dir, 'message.wav');
  writeWav(
    message,
    new Int16Array(8000).map((_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000))),
  );
  await runCampaign(redis, 'voice1', 'L', { mode: 'agentless', agentless: { message }, ringTimeoutSec: 3, maxAttempts: 1 });
  await until('voice campaign completed', async () => (await getCampaign(redis, 'voice1'))!.state === 'completed', 60000);
  t.equal((await getContact(redis, 'L', 'c0'))!.lastResult, 10, 'voice campaign: code 10 (excluded, do-not-call)');
  t.not((await getContact(redis, 'L', 'c1'))!.lastResult, 10, 'the other number is dialled');
  // Request-URI users as dialled (the trunk may present national or E.164 form): compare the subscriber digits.
  const invited = [...readFileSync(env.carrierTrace, 'utf8').matchAll(/^INVITE sip:([^@]+)@/gm)].map((x) =>
    x[1]!.replace(/\D/g, '').slice(-9),
  );
  t.ok(invited.includes(byId.get('c1')!.slice(-9)), 'the other number was invited');
  t.notOk(invited.includes(optedOut.slice(-9)), 'no INVITE for the opted-out number');
});
