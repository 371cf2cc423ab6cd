/**
 * The notSure policy (dialer.runner.notSure, a campaign's notSure): what a
 * low-confidence AMD verdict leads to — a person, a machine, or an agent who
 * decides (flagged "not sure"; the disposition sets the code in the reports).
 * The deprecated boolean notSureIsHuman still reads, with a warning naming it.
 */
import t from 'tap';
import { ConfigError, validateConfig } from '../../../lib/config/load';
import { initialCall, step, type CallState, type FlowConfig, type FlowEffect, type FlowEvent } from '../../../lib/dialer/call-flow';
import type { Verdict } from '../../../lib/media/types';
import { withAgentDecidedCode } from '../../../lib/reports/not-sure';
import { parseHistoryEntry } from '../../../lib/reports/records';

const base: FlowConfig = {
  mode: 'agents',
  abandonThresholdMs: 2000,
  humanVerdictGapMs: 800,
  notSure: 'person',
  voicemailDrop: false,
  reserveRetryMs: 200,
};
const notsure: Verdict = { kind: 'notsure', atMs: 5000, reason: 'test', confidence: 0.55, lean: 'machine' };

function run(events: FlowEvent[], c: FlowConfig): { state: CallState; effects: FlowEffect[] } {
  let state = initialCall();
  const effects: FlowEffect[] = [];
  for (const e of events) {
    const out = step(state, e, c);
    state = out.state;
    effects.push(...out.effects);
  }
  return { state, effects };
}
const answeredNotSure: FlowEvent[] = [
  { type: 'answer', at: 1000 },
  { type: 'verdict', at: 6000, verdict: notsure, phase: 'answered' },
];
const types = (fx: FlowEffect[]) => fx.map((f) => f.type);

t.test('config: notSure defaults to "person"; the three values are accepted, others refused naming the key', async (t) => {
  t.equal(validateConfig({}).dialer.runner.notSure, 'person');
  for (const v of ['person', 'machine', 'agent-decides'] as const)
    t.equal(validateConfig({ dialer: { runner: { notSure: v } } }).dialer.runner.notSure, v);
  const err = t.throws(() => validateConfig({ dialer: { runner: { notSure: 'maybe' } } })) as ConfigError;
  t.equal(err.key, 'dialer.runner.notSure');
});

t.test('config: the deprecated notSureIsHuman still reads (true → person, false → machine), with one warning naming it', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  t.teardown(() => void process.off('warning', onWarning));
  t.equal(validateConfig({ dialer: { runner: { notSureIsHuman: false } } }).dialer.runner.notSure, 'machine');
  t.equal(validateConfig({ dialer: { runner: { notSureIsHuman: true } } }).dialer.runner.notSure, 'person');
  t.equal(validateConfig({ dialer: { runner: { notSureIsHuman: false, notSure: 'machine' } } }).dialer.runner.notSure, 'machine');
  // process.emitWarning delivers on a later tick: wait for the event, bounded.
  const deadline = Date.now() + 10_000;
  while (warnings.length === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  t.equal(warnings.length, 1, 'warned once per process');
  t.equal(warnings[0]?.name, 'DeprecationWarning');
  t.match(warnings[0]?.message, /dialer\.runner\.notSureIsHuman is deprecated: use dialer\.runner\.notSure/);
  const clash = t.throws(() => validateConfig({ dialer: { runner: { notSureIsHuman: true, notSure: 'agent-decides' } } })) as ConfigError;
  t.equal(clash.key, 'dialer.runner.notSureIsHuman');
  t.match(clash.message, /disagree/);
});

t.test('flow: "person" reserves an agent as for a person, unflagged in the pop', async (t) => {
  const { state, effects } = run(answeredNotSure, base);
  t.equal(state.phase, 'awaiting_agent');
  t.same(types(effects), ['reserve-agent', 'timer']);
  t.equal(state.notSure, 'person');
});

t.test('flow: "machine" hangs up (code 7: nothing showed a machine either), or waits for the beep with a voicemail drop', async (t) => {
  const hung = run([...answeredNotSure, { type: 'end', at: 6100, cause: { answered: true, by: 'local' } }], {
    ...base,
    notSure: 'machine',
  });
  t.same(types(hung.effects), ['hangup', 'close']);
  t.equal(hung.state.code, 7);
  t.equal(hung.state.agentId, undefined);
  const drop = run(
    [
      ...answeredNotSure,
      { type: 'verdict', at: 7000, verdict: { kind: 'beep', atMs: 7000, freqHz: 1000, durationMs: 300 }, phase: 'answered' },
    ],
    { ...base, notSure: 'machine', voicemailDrop: true },
  );
  t.equal(drop.state.phase, 'messaging');
  t.same(drop.effects, [{ type: 'play', what: 'voicemail' }]);
});

t.test('flow: "agent-decides" goes to an agent flagged not sure; the disposition sets the code in the reports', async (t) => {
  const c = { ...base, notSure: 'agent-decides' as const };
  const { state, effects } = run(
    [
      ...answeredNotSure,
      { type: 'agent-reserved', at: 6050, agentId: 'a1' },
      { type: 'connected', at: 6300 },
      { type: 'end', at: 20000, cause: { answered: true, by: 'remote' } },
    ],
    c,
  );
  t.equal(state.notSure, 'agent-decides');
  t.equal(state.code, 20, 'closed as a connect when the call ended (before wrap-up)');
  t.ok(types(effects).includes('connect-agent'));
  // The history entry the runner writes for it, then the agent's disposition.
  const rec = parseHistoryEntry('c1', '1-0', {
    type: 'attempt',
    attemptId: 'a-1',
    ref: 'l1:k1',
    code: '20',
    final: '1',
    at: '20000',
    data: JSON.stringify({ bridgedAt: 6300, notSure: 'agent-decides', verdicts: [notsure] }),
  })!;
  const disp = (d: string) => ({ attemptId: 'a-1', agentId: 'a1', disposition: d, at: 21000 });
  t.match(withAgentDecidedCode(rec, disp('voicemail')), { code: 4, codeName: 'answering_machine', closedCode: 20 });
  t.match(withAgentDecidedCode(rec, disp('Answering-Machine')), { code: 4 });
  t.match(withAgentDecidedCode(rec, disp('fax')), { code: 5 });
  t.match(withAgentDecidedCode(rec, disp('dead-air')), { code: 7 });
  t.equal(withAgentDecidedCode(rec, disp('sale')), rec, 'an ordinary disposition: a person, the code stays');
  t.equal(withAgentDecidedCode(rec, undefined), rec, 'no disposition yet: the code stays');
  const person = { ...rec, notSure: 'person' };
  t.equal(withAgentDecidedCode(person, disp('voicemail')), person, 'only agent-decides calls are re-coded');
});
