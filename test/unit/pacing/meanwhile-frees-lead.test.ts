/**
 * Round twenty-eight (README, pacing): `meanwhileFreesLead`, meanwhileFromFrees with each forecast free's call placed one
 * mean live ring ahead of it. Predictive dials for an agent before the agent frees, so the agents freeing within one
 * live ring of now were dialled for already (their calls ring now and count in the ringing-answers term); round
 * twenty-seven's form counted them a second time. Tested at the decision's edges: off by default and only with
 * meanwhileFromFrees; agents all freeing inside one ring add nothing; agents freeing after it still count.
 */
import t from 'tap';
import { MODEL_COUNT_BASE, standardHistory } from '../../helpers/pacing-history';
import { decideTick, predictiveParams, type AgentSnapshot, type PredictiveMode, type TickInput } from '../../../lib/pacing';

const NOW = 10 * 3600_000;

/** 20 agents: 14 in the state given (since `ago` ms), 6 ready; four calls ringing (live rings 3–25 s, mean ≈ 14 s). */
function tick(mode: PredictiveMode, state: AgentSnapshot['state'], ago: number): TickInput {
  const agents: AgentSnapshot[] = [
    ...Array.from({ length: 6 }, () => ({ state: 'ready' as const, since: NOW - 1000 })),
    ...Array.from({ length: 14 }, () => ({ state, since: NOW - ago })),
  ];
  return {
    now: NOW,
    mode,
    agents,
    calls: { ringing: [NOW - 2000, NOW - 5000, NOW - 9000, NOW - 12_000], queued: [], connected: 14 },
    caps: { maxSimultaneousCalls: 0 },
    estimates: standardHistory(NOW),
  };
}

const FROM_FREES: PredictiveMode = { ...MODEL_COUNT_BASE, meanwhileFromFrees: true };
const LEAD: PredictiveMode = { ...FROM_FREES, meanwhileFreesLead: true };
const fig = (mode: PredictiveMode, state: AgentSnapshot['state'], ago: number) => decideTick(tick(mode, state, ago)).trace.figures;

t.test('meanwhileFreesLead: off by default, only with meanwhileFromFrees, false identical', async (t) => {
  t.equal(predictiveParams({ kind: 'predictive' }).meanwhileFreesLead, false, 'off by default');
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileFreesLead: true }), RangeError, 'shifts a forecast that is not there');
  t.same(decideTick(tick({ ...FROM_FREES, meanwhileFreesLead: false }, 'wrapup', 25_000)), decideTick(tick(FROM_FREES, 'wrapup', 25_000)));
});

t.test('meanwhileFreesLead: the frees within one live ring are not counted twice; later ones still are', async (t) => {
  const lead = fig(LEAD, 'wrapup', 25_000).meanwhileFreesLeadMs as number;
  t.ok(lead > 13_000 && lead < 16_000, `the lead is the live ring law's mean (rings 3–25 s): ${lead} ms`);
  // 14 agents 25 s into wrap-ups of 10–30 s: all free within 5 s, inside one live ring. Round twenty-seven's form counts
  // all 14 as drawing new calls (11.9 answers ahead); with the lead none do: the answers ahead are those of a team where
  // nobody comes free (14 who have just started talking), the ringing calls' and the queue's alone.
  const plain = fig(FROM_FREES, 'wrapup', 25_000);
  const led = fig(LEAD, 'wrapup', 25_000);
  const nobody = fig(LEAD, 'talking', 1000);
  t.equal(plain.meanwhileFreesAhead, 14, 'without the lead: all 14 frees counted');
  t.ok((led.meanwhileFreesAhead as number) < 0.01, `with it: ${led.meanwhileFreesAhead} counted`);
  t.ok(
    Math.abs((led.expectedAnswers as number) - (nobody.expectedAnswers as number)) < 1e-9,
    `${led.expectedAnswers} = ${nobody.expectedAnswers}`,
  );
  t.ok((plain.expectedAnswers as number) > (led.expectedAnswers as number) + 8, `${plain.expectedAnswers} vs ${led.expectedAnswers}`);
  // 14 agents 1 s into their wrap-ups (free 9–29 s from now): most free after the lead and still draw calls, placed a
  // lead earlier, so answered sooner: more answers ahead than without the lead.
  const laterPlain = fig(FROM_FREES, 'wrapup', 1000);
  const laterLed = fig(LEAD, 'wrapup', 1000);
  t.ok((laterLed.meanwhileFreesAhead as number) > 7, `${laterLed.meanwhileFreesAhead} of 14 counted`);
  t.ok(
    (laterLed.expectedAnswers as number) > (laterPlain.expectedAnswers as number),
    `${laterLed.expectedAnswers} > ${laterPlain.expectedAnswers}`,
  );
});
