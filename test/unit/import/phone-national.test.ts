import t from 'tap';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { parseNationalDigits } from '../../../lib/domain/phone-national';

// parseNationalDigits claims to give exactly what the library gives for the
// inputs it covers. Checked here against the library itself on a large
// deterministic sample: random digit strings and mutated example numbers of
// regions with simple and with tricky numbering plans (IT keeps its leading 0,
// AR/MX/BR have national-prefix transform rules and carrier codes, US/RU share
// their calling code with other countries, DE has variable lengths).
const REGIONS = [
  'JP',
  'GB',
  'DE',
  'FR',
  'IT',
  'AR',
  'MX',
  'BR',
  'IN',
  'CN',
  'AU',
  'KR',
  'US',
  'RU',
  'ES',
  'NL',
  'SE',
  'CH',
  'AT',
  'NZ',
  'SG',
  'HK',
  'TW',
  'ID',
  'ZA',
];

let seed = 20261121;
const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
const digits = (n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rnd(10));
  return s;
};

function samples(region: string, n: number): string[] {
  const out: string[] = [];
  const ex = (examples as Record<string, string>)[region];
  for (let i = 0; i < n; i++) {
    const k = rnd(6);
    if (k === 0) out.push(digits(4 + rnd(14)));
    else if (k === 1) out.push(`0${digits(3 + rnd(13))}`);
    else if (k === 2) out.push(`00${digits(3 + rnd(13))}`);
    else if (ex) {
      // An example number with its tail (and sometimes its length) changed, with or without the national prefix 0.
      const keep = Math.max(1, ex.length - 1 - rnd(ex.length - 1));
      const body = ex.slice(0, keep) + digits(ex.length - keep + rnd(3) - 1);
      out.push(k === 3 ? body : `0${body}`);
    } else out.push(`0${digits(8 + rnd(4))}`);
  }
  return out;
}

t.test('same e164, type and country as libphonenumber-js wherever it answers', async (t) => {
  let compared = 0;
  let valid = 0;
  let mismatches = 0;
  for (const region of REGIONS) {
    for (const raw of samples(region, region === 'JP' ? 60000 : 6000)) {
      const fast = parseNationalDigits(raw, region);
      if (!fast) continue;
      compared++;
      if (fast.type) valid++;
      const p = parsePhoneNumberFromString(raw, region as CountryCode);
      const lib = p ? { e164: p.number, type: p.getType(), country: p.country } : undefined;
      const same = lib !== undefined && lib.e164 === fast.e164 && lib.type === fast.type && lib.country === fast.country;
      if (!same && mismatches++ < 5) t.fail(`${raw} (${region}): fast ${JSON.stringify(fast)} vs library ${JSON.stringify(lib)}`);
    }
  }
  t.equal(mismatches, 0, `${compared} numbers agree`);
  t.ok(compared > 100000, `most samples take the fast path (${compared})`);
  t.ok(valid > 20000, `many of them are valid numbers (${valid})`);
});

t.test('JP national numbers take the fast path; other inputs are left to the library', async (t) => {
  t.match(parseNationalDigits('09012345678', 'JP'), { e164: '+819012345678', type: 'MOBILE', country: 'JP' });
  t.match(parseNationalDigits('0312345678', 'JP'), { e164: '+81312345678', type: 'FIXED_LINE', country: 'JP' });
  t.match(parseNationalDigits('0120123456', 'JP'), { e164: '+81120123456', type: 'TOLL_FREE' });
  t.match(parseNationalDigits('0312', 'JP'), { type: undefined }, 'answered, but not a valid number');
  t.equal(parseNationalDigits('+819012345678', 'JP'), undefined, 'a + is for the library');
  t.equal(parseNationalDigits('090-1234-5678', 'JP'), undefined, 'separators are for the library');
  t.equal(parseNationalDigits('010442071234567', 'JP'), undefined, 'IDD prefix 010: maybe international');
  t.equal(parseNationalDigits('819012345678', 'JP'), undefined, 'starts with the calling code: maybe international');
  t.equal(parseNationalDigits('000212345', 'JP'), undefined, 'JP national prefix rule with a captured group');
  t.equal(parseNationalDigits('2125551234', 'US'), undefined, '+1 is shared by several countries');
  t.equal(parseNationalDigits('0312345678', 'XX'), undefined, 'unknown region');
});
