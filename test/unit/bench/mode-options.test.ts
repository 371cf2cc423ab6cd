import t from 'tap';
import { parseModeOptions } from '../../../bench/sim/mode-options';
import { pacingMode } from '../../../lib/dialer/steps/campaign-tick';
import { simCampaign } from '../../../bench/sim/campaign';

t.test('no flag: no options (the mode defaults)', async (t) => {
  t.same(parseModeOptions(undefined), {});
  t.same(parseModeOptions('{}'), {});
});

t.test('the mode options parse and reach the predictive mode the campaign maps to', async (t) => {
  const o = parseModeOptions('{"wrapLawByTalk":true,"thresholdPriorAnswers":200,"shiftGuardRate":0.028,"minSamples":{"live":20}}');
  t.same(o, { wrapLawByTalk: true, thresholdPriorAnswers: 200, shiftGuardRate: 0.028, minSamples: { live: 20 } });
  const mode = pacingMode(simCampaign('predictive'), o);
  t.match(mode, { kind: 'predictive', wrapLawByTalk: true, thresholdPriorAnswers: 200, targetAbandonRate: 0.03 });
});

t.test('bad JSON is a clear error, not the defaults', async (t) => {
  t.throws(() => parseModeOptions('{wrapLawByTalk:true}'), /--mode-options: not JSON/);
  t.throws(() => parseModeOptions(''), /--mode-options: not JSON/);
});

t.test('not an object: refused', async (t) => {
  t.throws(() => parseModeOptions('[1]'), /must be a JSON object/);
  t.throws(() => parseModeOptions('3'), /must be a JSON object/);
  t.throws(() => parseModeOptions('null'), /must be a JSON object/);
});

t.test('an unknown key (a typo) is refused and the known keys listed', async (t) => {
  t.throws(() => parseModeOptions('{"wrapLawBytalk":true}'), /unknown key "wrapLawBytalk".*wrapLawByTalk/);
  t.throws(() => parseModeOptions('{"kind":"power"}'), /unknown key "kind"/);
  t.throws(() => parseModeOptions('{"minSamples":{"calls":3}}'), /minSamples\.calls/);
});

t.test('a value of the wrong type or out of range is refused', async (t) => {
  t.throws(() => parseModeOptions('{"wrapLawByTalk":"yes"}'), /wrapLawByTalk must be a boolean/);
  t.throws(() => parseModeOptions('{"safetyMargin":"0.1"}'), /safetyMargin must be a number/);
  t.throws(() => parseModeOptions('{"safetyMargin":1.5}'), /--mode-options: predictive safetyMargin must be a fraction/);
  t.throws(() => parseModeOptions('{"shiftGuardRate":-0.01}'), /shiftGuardRate must be in/);
  t.throws(() => parseModeOptions('{"liveRateDrift":-0.01}'), /liveRateDrift must be a number ≥ 0/);
});
