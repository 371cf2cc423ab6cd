/**
 * The README speaks to someone with only this repository: it cites neither the
 * project's internal inputs (the seed manuals, the `../shared` folder beside
 * the checkout) nor paths outside the repository.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

const README = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
const lines = README.split('\n');
const hits = (re: RegExp) => lines.flatMap((l, i) => (re.test(l) ? [`${i + 1}: ${l}`] : []));

t.same(hits(/\.\.\/shared|\/work\/shared/), [], 'no ../shared paths');
t.same(hits(/\bseeds?\s+0\d\d\b|\bseeds'/i), [], 'no seed manuals cited');
t.same(hits(/\]\(\.\.\//), [], 'no links above the repository');
