import t from 'tap';
import { dispositionProblem } from '../../../lib/agents/disposition';

const list = [
  { code: 'sale', label: 'Sale' },
  { code: 'no-interest', label: 'Not interested' },
];
const cases: [string, { required: boolean; list: typeof list }, string | undefined, string | undefined][] = [
  ['in the list', { required: true, list }, 'sale', undefined],
  ['not in the list', { required: false, list }, 'maybe', 'disposition "maybe" is not one of campaign c1\'s: sale, no-interest'],
  ['missing but required', { required: true, list }, undefined, 'campaign c1 requires a disposition: one of sale, no-interest'],
  ['empty string but required', { required: true, list }, '', 'campaign c1 requires a disposition: one of sale, no-interest'],
  ['missing and optional', { required: false, list }, undefined, undefined],
  ['given where the campaign has none', { required: false, list: [] }, 'sale', 'campaign c1 has no dispositions; submit none'],
  ['none where the campaign has none', { required: false, list: [] }, undefined, undefined],
];
for (const [name, c, d, want] of cases) {
  t.test(name, async (t) => t.equal(dispositionProblem('c1', { dispositions: c.list, dispositionRequired: c.required }, d), want));
}
