/**
 * The call session through its ports: it acts on the driver and the agent
 * desk, and tells its owner everything else as typed reports (phase changes,
 * the agent reserved, a further leg, the one close), in order. The driver is
 * the desk tests' recording driver (no calls placed; leg events delivered as a
 * real driver would); the desk records what it is asked.
 */
import t from 'tap';
import pino from 'pino';
import { CallSession, type SessionPlan, type SessionPorts, type SessionReport } from '../../../lib/dialer/call-session';
import type { AgentDesk, Reservation, ScreenPop } from '../../../lib/dialer/ports';
import type { Claim } from '../../../lib/store/dial-queue';
import { RecordingDriver } from '../../integration/agent-desk/recording-driver';

const claim: Claim = {
  attemptId: 'A-1',
  ref: 'L:c0',
  listId: 'L',
  contactId: 'c0',
  phone: '+81312345670',
  attemptNo: 1,
  timeZone: '',
  phoneType: 'landline',
};

const plan = (mode: 'agents' | 'bot', botUri?: string): SessionPlan => ({
  flow: { mode, abandonThresholdMs: 2000, humanVerdictGapMs: 0, notSure: 'person', voicemailDrop: false, reserveRetryMs: 500 },
  groups: ['sales'],
  botUri,
  prompts: { abandon: { kind: 'file', path: '/prompts/abandon.wav' } },
});

function world() {
  const driver = new RecordingDriver();
  const asked: string[] = [];
  const agentLeg = driver.customer();
  const desk: AgentDesk = {
    readyCount: async () => 1,
    reserve: async (groups, attemptId) => {
      asked.push(`reserve ${groups.join(',')} ${attemptId}`);
      return { agentId: 'ag1', legId: agentLeg, token: 't' };
    },
    release: async (r: Reservation) => void asked.push(`release ${r.agentId}`),
    connect: async (r: Reservation, leg: string, pop: ScreenPop) => void asked.push(`connect ${r.agentId} ${leg} ${pop.contactId}`),
    customerEnded: async (r: Reservation, info) => void asked.push(`customer-ended ${r.agentId} ${info.resultCode}`),
  };
  const reports: SessionReport[] = [];
  const ports: SessionPorts = {
    driver,
    desk,
    log: pino({ level: 'silent' }),
    now: Date.now,
    screenPop: async (s) => ({
      campaignId: 'camp',
      attemptId: s.claim.attemptId,
      listId: s.claim.listId,
      contactId: s.claim.contactId,
      phone: s.claim.phone,
      attemptNo: s.claim.attemptNo,
    }),
    report: (_s, r) => void reports.push(r),
  };
  return { driver, asked, reports, ports };
}

/** The start every case shares: a session whose call was answered and judged a person. */
async function answeredByPerson(w: ReturnType<typeof world>, p: SessionPlan) {
  const s = new CallSession(claim, p, w.ports);
  const leg = await w.driver.originate({ to: claim.phone, ringTimeoutMs: 30_000, tags: {} });
  s.legId = leg;
  w.driver.onEvent((e) => s.onLegEvent(e));
  w.driver.answer(leg);
  w.driver.emit({ type: 'verdict', legId: leg, at: Date.now(), phase: 'answered', verdict: { kind: 'human', atMs: 900, reason: 'test' } });
  return { s, leg };
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; !cond(); i++) {
    if (i > 3000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

t.test('a person, an agent, the customer hangs up: reports in order, one close', async (t) => {
  const w = world();
  const { leg } = await answeredByPerson(w, plan('agents'));
  await until(() => w.reports.some((r) => r.type === 'phase' && r.phase === 'connected'), 'the agent connected');
  w.driver.end(leg);
  await until(() => w.reports.some((r) => r.type === 'closed'), 'the close');
  t.same(
    w.reports.filter((r) => r.type !== 'phase'),
    [
      { type: 'agent-reserved', agentId: 'ag1' },
      { type: 'closed', code: 20 },
    ],
  );
  t.same(
    w.reports.filter((r) => r.type === 'phase').map((r) => (r.type === 'phase' ? r.phase : '')),
    ['analysing', 'awaiting_agent', 'connecting', 'connected', 'ended'],
    'every phase change, once',
  );
  await until(() => w.asked.length >= 3, "the desk's last call");
  t.same(w.asked, ['reserve sales A-1', `connect ag1 ${leg} c0`, 'customer-ended ag1 20'], 'the screen pop came through the ports');
  w.driver.end(leg);
  await new Promise((r) => setTimeout(r, 20));
  t.equal(w.reports.filter((r) => r.type === 'closed').length, 1, 'a late end closes nothing again');
});

t.test('a bot leg is reported so its events come back to the session', async (t) => {
  const w = world();
  const { s, leg } = await answeredByPerson(w, plan('bot', 'sip:bot@127.0.0.1'));
  await until(() => w.reports.some((r) => r.type === 'leg-added'), 'the bot leg');
  const added = w.reports.find((r) => r.type === 'leg-added');
  t.equal(added?.type === 'leg-added' ? added.legId : undefined, s.botLeg, 'the bot leg, by id');
  w.driver.answer(s.botLeg!);
  await until(() => w.reports.some((r) => r.type === 'phase' && r.phase === 'connected'), 'bridged to the bot');
  t.ok(
    w.driver.calls.some((c) => c.op === 'bridge' && c.leg === leg),
    'customer bridged to the bot',
  );
  w.driver.end(leg);
  await until(() => w.reports.some((r) => r.type === 'closed'), 'the close');
  t.notOk(
    w.reports.some((r) => r.type === 'agent-reserved'),
    'no agent for a bot call',
  );
});

t.test('a reservation that fails on a store error is asked again, not left to the abandon timer', async (t) => {
  // At a Redis failover the reserve script can fail (CLUSTERDOWN, a closed connection): the person was then left
  // waiting with no second ask until the abandon deadline, and closed as a system abandon (14) though the store was
  // back within a few hundred milliseconds. Now it is asked again every reserveRetryMs until the deadline.
  const w = world();
  const reserve = w.ports.desk!.reserve.bind(w.ports.desk);
  let failures = 1;
  w.ports.desk!.reserve = async (groups, attemptId) => {
    if (failures-- > 0) {
      w.asked.push('reserve failed');
      throw new Error('Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down');
    }
    return reserve(groups, attemptId);
  };
  const { leg } = await answeredByPerson(w, plan('agents'));
  await until(
    () => w.reports.some((r) => r.type === 'phase' && (r.phase === 'connected' || r.phase === 'abandoning')),
    'an agent or the abandon',
  );
  t.ok(
    w.reports.some((r) => r.type === 'phase' && r.phase === 'connected'),
    'connected to the agent on the second ask',
  );
  t.same(w.asked.slice(0, 2), ['reserve failed', 'reserve sales A-1']);
  w.driver.end(leg);
  await until(() => w.reports.some((r) => r.type === 'closed'), 'the close');
  t.same(
    w.reports.filter((r) => r.type === 'closed'),
    [{ type: 'closed', code: 20 }],
  );
});

/** A plan whose person hears the consent announcement before the agent. */
const withConsent = (): SessionPlan => {
  const p = plan('agents');
  return { ...p, flow: { ...p.flow, consent: true }, prompts: { ...p.prompts, consent: { kind: 'file', path: '/prompts/consent.wav' } } };
};
const consentPlays = (w: ReturnType<typeof world>) =>
  w.driver.calls.filter((c) => c.op === 'play' && (c.args as { source: { path?: string } }).source.path === '/prompts/consent.wav');

t.test("the consent announcement starts once the call's recording runs (consentReady), not before", async (t) => {
  const w = world();
  let ready!: (v: boolean) => void;
  const asked: string[] = [];
  w.ports.consentReady = (s) => {
    asked.push(s.claim.attemptId);
    return new Promise((r) => (ready = r));
  };
  const { leg } = await answeredByPerson(w, withConsent());
  await until(() => asked.length === 1, 'the session to ask');
  await new Promise((r) => setTimeout(r, 50));
  t.same(consentPlays(w), [], 'nothing played while the recording is starting');
  t.same(asked, ['A-1'], 'asked for this attempt');
  ready(true);
  await until(() => consentPlays(w).length === 1, 'the announcement');
  t.equal(consentPlays(w)[0]!.leg, leg, "played on the customer's leg");
  w.driver.end(leg);
  await until(() => w.reports.some((r) => r.type === 'closed'), 'the close');
});

t.test('waiting given up (false): the announcement plays all the same', async (t) => {
  const w = world();
  w.ports.consentReady = async () => false;
  const { leg } = await answeredByPerson(w, withConsent());
  await until(() => consentPlays(w).length === 1, 'the announcement');
  t.equal(consentPlays(w)[0]!.leg, leg, "played on the customer's leg");
  w.driver.end(leg);
  await until(() => w.reports.some((r) => r.type === 'closed'), 'the close');
});

t.test('a call that ends while its recording starts plays nothing', async (t) => {
  const w = world();
  let ready!: (v: boolean) => void;
  w.ports.consentReady = () => new Promise((r) => (ready = r));
  const { leg } = await answeredByPerson(w, withConsent());
  await until(() => ready !== undefined, 'the session to ask');
  w.driver.end(leg);
  await until(() => w.reports.some((r) => r.type === 'closed'), 'the close');
  ready(true);
  await new Promise((r) => setTimeout(r, 50));
  t.same(consentPlays(w), [], 'no playback on the ended leg');
});
