import t from 'tap';
import { initialCall, step, type CallState, type FlowConfig, type FlowEffect, type FlowEvent } from '../../../lib/dialer/call-flow';
import type { Verdict } from '../../../lib/media/types';

const cfg: FlowConfig = {
  mode: 'agents',
  abandonThresholdMs: 2000,
  humanVerdictGapMs: 800,
  notSure: 'person',
  voicemailDrop: false,
  reserveRetryMs: 200,
};

function run(events: FlowEvent[], c: FlowConfig = cfg): { state: CallState; effects: FlowEffect[] } {
  let state = initialCall();
  const effects: FlowEffect[] = [];
  for (const e of events) {
    const out = step(state, e, c);
    state = out.state;
    effects.push(...out.effects);
  }
  return { state, effects };
}
const verdict = (at: number, v: Verdict, phase: 'early' | 'answered' = 'answered'): FlowEvent => ({
  type: 'verdict',
  at,
  verdict: v,
  phase,
});
const human = (at: number) => verdict(at, { kind: 'human', atMs: at, reason: 'short greeting' });
const end = (at: number, by: 'remote' | 'local' | 'timeout', answered: boolean, sipStatus?: number): FlowEvent => ({
  type: 'end',
  at,
  cause: { by, answered, sipStatus },
});
const closeCode = (fx: FlowEffect[]) => (fx.find((f) => f.type === 'close') as { code: number } | undefined)?.code;

t.test('person → agent reserved → connected → customer hangs up: 20', async (t) => {
  const r = run([
    { type: 'answer', at: 1000 },
    human(2500),
    { type: 'agent-reserved', at: 2600, agentId: 'a1' },
    { type: 'connected', at: 2700 },
    end(60000, 'remote', true, 200),
  ]);
  t.same(
    r.effects.map((f) => f.type),
    ['reserve-agent', 'timer', 'connect-agent', 'agent-customer-ended', 'close'],
  );
  t.equal(closeCode(r.effects), 20);
  t.match(
    r.effects[1],
    { type: 'timer', name: 'abandon', at: 2500 + 1200 },
    'deadline = 2 s after the greeting, less the AMD gap already spent',
  );
});

t.test('no agent within the threshold: abandon message, hang up, 14', async (t) => {
  const r = run([
    { type: 'answer', at: 0 },
    human(1500),
    { type: 'no-agent', at: 1500 },
    { type: 'timer', at: 1700, name: 'reserve-retry' },
    { type: 'no-agent', at: 1700 },
    { type: 'timer', at: 2700, name: 'abandon' },
    { type: 'playback-done', at: 6000 },
    end(6100, 'local', true, 200),
  ]);
  t.same(
    r.effects.map((f) => f.type),
    ['reserve-agent', 'timer', 'timer', 'reserve-agent', 'timer', 'play', 'hangup', 'close'],
  );
  t.equal(closeCode(r.effects), 14);
});

t.test('an agent reserved after the abandon started is given back', async (t) => {
  const r = run([
    { type: 'answer', at: 0 },
    human(1500),
    { type: 'timer', at: 2700, name: 'abandon' },
    { type: 'agent-reserved', at: 2750, agentId: 'a1' },
  ]);
  t.same(
    r.effects.map((f) => f.type),
    ['reserve-agent', 'timer', 'play', 'release-agent'],
  );
});

t.test('customer hangs up while waiting for an agent: 9, reserved agent released', async (t) => {
  const r = run([
    { type: 'answer', at: 0 },
    human(1500),
    { type: 'agent-reserved', at: 1600, agentId: 'a1' },
    end(1650, 'remote', true, 200),
  ]);
  t.same(
    r.effects.map((f) => f.type),
    ['reserve-agent', 'timer', 'connect-agent', 'release-agent', 'close'],
  );
  t.equal(closeCode(r.effects), 9);
});

t.test('early media verdicts end the call before answer with their code', async (t) => {
  const sit = run([verdict(500, { kind: 'sit', atMs: 500, code: 'VC', freqsHz: [] }, 'early'), end(600, 'remote', false, 404)]);
  t.equal(sit.effects[0]!.type, 'hangup');
  t.equal(closeCode(sit.effects), 6);
  const busy = run([verdict(500, { kind: 'busy', atMs: 500, region: 'JP', pattern: 'busy' }, 'early'), end(600, 'local', false, 487)]);
  t.equal(closeCode(busy.effects), 3);
  const ann = run([
    verdict(500, { kind: 'announcement', atMs: 500, class: 17, reference: 'off', confidence: 0.9 }, 'early'),
    end(600, 'local', false, 487),
  ]);
  t.equal(closeCode(ann.effects), 17);
  const ringback = run([verdict(500, { kind: 'ringback', atMs: 500, region: 'JP' }, 'early'), end(40000, 'timeout', false, 487)]);
  t.same(
    ringback.effects.map((f) => f.type),
    ['close'],
    'ringback is not final',
  );
  t.equal(closeCode(ringback.effects), 2);
});

t.test('machine, fax, silence after answer hang up with 4, 5, 7', async (t) => {
  for (const [v, code] of [
    [{ kind: 'machine', atMs: 3000, reason: 'long' }, 4],
    [{ kind: 'fax', atMs: 900, tone: 'CED' }, 5],
    [{ kind: 'silence', atMs: 5000, durationMs: 5000 }, 7],
  ] as [Verdict, number][]) {
    const r = run([{ type: 'answer', at: 0 }, verdict(v.atMs, v), end(v.atMs + 100, 'local', true, 200)]);
    t.same(
      r.effects.map((f) => f.type),
      ['hangup', 'close'],
    );
    t.equal(closeCode(r.effects), code, v.kind);
  }
});

t.test('voicemail drop waits for the beep, plays, hangs up: still 4', async (t) => {
  const r = run(
    [
      { type: 'answer', at: 0 },
      verdict(3000, { kind: 'machine', atMs: 3000, reason: 'long' }),
      verdict(9000, { kind: 'beep', atMs: 9000, freqHz: 1000, durationMs: 500 }),
      { type: 'playback-done', at: 20000 },
      end(20100, 'local', true, 200),
    ],
    { ...cfg, voicemailDrop: true },
  );
  t.same(
    r.effects.map((f) => f.type),
    ['play', 'hangup', 'close'],
  );
  t.equal(closeCode(r.effects), 4);
});

t.test('agentless: bot bridge → 20; recorded message to a person → 1', async (t) => {
  const bot = run([{ type: 'answer', at: 0 }, human(1000), { type: 'connected', at: 1200 }, end(30000, 'remote', true, 200)], {
    ...cfg,
    mode: 'bot',
  });
  t.same(
    bot.effects.map((f) => f.type),
    ['connect-bot', 'close'],
  );
  t.equal(closeCode(bot.effects), 20);
  const msg = run([{ type: 'answer', at: 0 }, human(1000), { type: 'playback-done', at: 9000 }, end(9100, 'local', true, 200)], {
    ...cfg,
    mode: 'message',
  });
  t.equal(closeCode(msg.effects), 1);
});

t.test('races: answer after our hang-up and events after the end change nothing', async (t) => {
  const r = run([
    verdict(100, { kind: 'busy', atMs: 100, region: 'NA', pattern: 'busy' }, 'early'),
    { type: 'answer', at: 150 },
    end(200, 'local', true, 200),
    end(300, 'remote', true, 200),
    human(400),
  ]);
  t.same(
    r.effects.map((f) => f.type),
    ['hangup', 'close'],
    'exactly one close',
  );
  t.equal(closeCode(r.effects), 3);
});

t.test('a stopping dialer hangs up (interrupt, then our end): interrupted (13), not silence (7) or no answer (2)', async (t) => {
  const analysing = run([{ type: 'answer', at: 1000 }, { type: 'interrupt', at: 1500 }, end(1600, 'local', true)]);
  t.equal(closeCode(analysing.effects), 13, 'answered, no verdict yet');
  const ringing = run([{ type: 'interrupt', at: 500 }, end(600, 'local', false)]);
  t.equal(closeCode(ringing.effects), 13, 'still ringing');
  const configured = run([{ type: 'answer', at: 1000 }, { type: 'interrupt', at: 1500 }, end(1600, 'local', true)], {
    ...cfg,
    decide: { interruptedCode: 19 },
  });
  t.equal(closeCode(configured.effects), 19, 'the configured interruptedCode');
  const silent = run([{ type: 'answer', at: 1000 }, end(6000, 'local', true)]);
  t.equal(closeCode(silent.effects), 7, 'without the interrupt our hang-up of a silent answer stays 7');
});

t.test('consent announcement: the agent reserved meanwhile is connected when it ends; consentAt kept', async (t) => {
  const c = { ...cfg, consent: true };
  const r = run(
    [
      { type: 'answer', at: 1000 },
      human(2500),
      { type: 'agent-reserved', at: 2600, agentId: 'a1' },
      // No connect before the announcement has been heard to its end.
      { type: 'playback-done', at: 6500 },
      { type: 'connected', at: 6700 },
      end(60000, 'remote', true, 200),
    ],
    c,
  );
  t.same(
    r.effects.map((f) => (f.type === 'play' ? `play:${f.what}` : f.type)),
    ['play:consent', 'reserve-agent', 'connect-agent', 'agent-customer-ended', 'close'],
  );
  t.equal(r.state.consentAt, 6500);
  t.equal(r.state.bridgedAt, 6700);
  t.equal(closeCode(r.effects), 20);
});

t.test('consent announcement, no agent yet at its end: the abandon clock starts then', async (t) => {
  const c = { ...cfg, consent: true };
  const during = run([{ type: 'answer', at: 0 }, human(1500), { type: 'no-agent', at: 1600 }], c);
  t.notOk(
    during.effects.some((f) => f.type === 'timer' && f.name === 'abandon'),
    'no abandon timer while it plays',
  );
  const r = run(
    [
      { type: 'answer', at: 0 },
      human(1500),
      { type: 'no-agent', at: 1600 },
      { type: 'playback-done', at: 5000 },
      { type: 'timer', at: 7000, name: 'abandon' },
      { type: 'playback-done', at: 9000 },
      end(9100, 'local', true, 200),
    ],
    c,
  );
  t.match(
    r.effects.find((f) => f.type === 'timer' && f.name === 'abandon'),
    { at: 5000 + 2000 },
  );
  t.ok(
    r.effects.some((f) => f.type === 'play' && f.what === 'abandon'),
    'abandon message after the deadline',
  );
  t.equal(closeCode(r.effects), 14);
});

t.test('customer hangs up during the consent announcement: the reserved agent is released', async (t) => {
  const r = run(
    [{ type: 'answer', at: 0 }, human(1500), { type: 'agent-reserved', at: 1600, agentId: 'a1' }, end(3000, 'remote', true, 200)],
    { ...cfg, consent: true },
  );
  t.ok(r.effects.some((f) => f.type === 'release-agent'));
  t.notOk(r.effects.some((f) => f.type === 'connect-agent'));
  t.equal(r.state.consentAt, undefined, 'not heard to its end');
});
