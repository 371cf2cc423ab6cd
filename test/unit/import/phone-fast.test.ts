import t from 'tap';
import { normalizeContactPhone } from '../../../lib/domain/contact-phone';
import { normalizePhone } from '../../../lib/domain/phone';

// The import fast path must give exactly what normalizePhone gives for the
// fields contacts keep. Deterministic sample over many prefixes and lengths.
t.test('fast path agrees with normalizePhone', async (t) => {
  let seed = 12345;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const samples: [string, string][] = [];
  for (let i = 0; i < 4000; i++) {
    const len = 4 + rnd(13);
    let s = '';
    for (let j = 0; j < len; j++) s += String(rnd(10));
    const r = rnd(10);
    samples.push([r < 6 ? `0${s}` : r < 8 ? `+${s}` : s, rnd(4) === 0 ? 'US' : 'JP']);
  }
  for (const p of ['090', '080', '070', '050', '0120', '0570', '03', '06', '011', '0800', '+8190', '+1212']) {
    for (let i = 0; i < 50; i++) samples.push([`${p}${String(1000000 + i * 7919).padEnd(8, '1')}`, 'JP']);
  }
  let valid = 0;
  let mismatches = 0;
  for (const [raw, region] of samples) {
    const a = normalizeContactPhone(raw, region);
    const b = normalizePhone(raw, region);
    const same = a.ok === b.ok && (a.ok && b.ok ? a.e164 === b.e164 && a.type === b.type : !a.ok && !b.ok && a.reason === b.reason);
    if (!same && mismatches++ < 5) t.fail(`differs for ${raw} (${region}): ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    if (b.ok) valid++;
  }
  t.equal(mismatches, 0, `${samples.length} numbers agree`);
  t.ok(valid > 300, `the sample has valid numbers (${valid})`);
});
