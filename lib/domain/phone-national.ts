/**
 * libphonenumber-js's own decision for the commonest import input — a number
 * typed as plain national digits ("0312345678", "09012345678") — at a tenth of
 * the cost. Profiling an import of a million rows showed the library's
 * per-call overhead (a new Metadata object per call, object spreads, a
 * `new RegExp` per pattern test) dominating; the metadata regexes themselves
 * are cheap. Here the same metadata (`metadata.max.json`, the one
 * `libphonenumber-js/max` uses) is compiled once per region and the library's
 * steps for such input are followed one by one; every input these steps do
 * not cover exactly returns `undefined` and goes through the library itself:
 *
 * 1. parse → extractCountryCallingCode (helpers/extractCountryCallingCode.js):
 *    with no "+", a number starting with the region's IDD prefix or with its
 *    calling code may be international — not covered.
 * 2. extractNationalNumberFromPossiblyIncompleteNumber: the national prefix
 *    for parsing is matched at the start; a match with a captured group (a
 *    carrier code or a transform rule, e.g. JP's "(000[2569]…)") — not covered;
 *    otherwise the match is cut off.
 * 3. extractNationalNumber: the cut is undone when the whole number matches
 *    the national pattern and the cut one does not, or when the cut one's
 *    length is TOO_SHORT / INVALID_LENGTH (checkNumberLength).
 * 4. The calling code must belong to this region only (getCountryByCallingCode
 *    with one candidate), else the country depends on the number — not covered.
 * 5. parse: a national number outside 2–17 digits is no number — not covered.
 * 6. getNumberType (helpers/getNumberType.js): national pattern, then
 *    FIXED_LINE (→ FIXED_LINE_OR_MOBILE when MOBILE is absent, empty or also
 *    matches), then the other types in the library's order, each gated by its
 *    possible lengths.
 *
 * test/unit/import/phone-fast.test.ts compares this with the library on
 * hundreds of thousands of numbers of several regions, so a library upgrade
 * that changes any step shows up there.
 */
import { Metadata, type CountryCode, type MetadataJson, type NumberType } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.max.json';

/** The parts of libphonenumber-js's numbering plan object used here (its Metadata class exposes them at run time). */
interface PlanType {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface NumberingPlan {
  callingCode(): string;
  IDDPrefix(): string | undefined;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  type(t: string): PlanType | undefined;
}
interface MetadataObject {
  hasCountry(c: string): boolean;
  selectNumberingPlan(c: string): void;
  numberingPlan: NumberingPlan;
  getCountryCodesForCallingCode(cc: string): string[] | undefined;
}

// helpers/getNumberType.js
const NON_FIXED_LINE_TYPES = [
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;
// constants.js MIN_LENGTH_FOR_NSN / MAX_LENGTH_FOR_NSN
const MIN_NSN = 2;
const MAX_NSN = 17;

interface CompiledType {
  name: NonNullable<NumberType>;
  re: RegExp;
  lengths: number[] | undefined;
}

interface CompiledPlan {
  region: string;
  callingCode: string;
  idd: RegExp;
  nationalPrefix: RegExp | undefined;
  national: RegExp;
  lengths: number[] | undefined;
  fixedLine: CompiledType | undefined;
  /** FIXED_LINE matched: FIXED_LINE_OR_MOBILE without asking MOBILE (MOBILE absent or with an empty pattern). */
  fixedIsAlsoMobile: boolean;
  mobile: CompiledType | undefined;
  others: CompiledType[];
}

const entire = (pattern: string) => new RegExp(`^(?:${pattern})$`);

function compileType(plan: NumberingPlan, name: NonNullable<NumberType>): CompiledType | undefined {
  const t = plan.type(name);
  // isNumberTypeEqualTo: no definition or an empty pattern never matches.
  if (!t || !t.pattern()) return undefined;
  return { name, re: entire(t.pattern()), lengths: t.possibleLengths() };
}

function compile(region: string): CompiledPlan | null {
  const md = new Metadata(metadataJson as unknown as MetadataJson) as unknown as MetadataObject;
  if (!md.hasCountry(region)) return null;
  md.selectNumberingPlan(region);
  const plan = md.numberingPlan;
  const callingCode = plan.callingCode();
  const idd = plan.IDDPrefix();
  // Step 4: only regions that own their calling code; step 1 needs an IDD prefix to test.
  if (md.getCountryCodesForCallingCode(callingCode)?.length !== 1 || !idd) return null;
  const npfp = plan.nationalPrefixForParsing();
  const mobileDef = plan.type('MOBILE');
  return {
    region,
    callingCode,
    // stripIddPrefix: new RegExp(IDDPrefix) searched, a match at index 0 counts.
    idd: new RegExp(idd),
    nationalPrefix: npfp ? new RegExp(`^(?:${npfp})`) : undefined,
    national: entire(plan.nationalNumberPattern()),
    lengths: plan.possibleLengths(),
    fixedLine: compileType(plan, 'FIXED_LINE'),
    fixedIsAlsoMobile: !mobileDef || mobileDef.pattern() === '',
    mobile: compileType(plan, 'MOBILE'),
    others: NON_FIXED_LINE_TYPES.map((n) => compileType(plan, n)).filter((t): t is CompiledType => t !== undefined),
  };
}

const plans = new Map<string, CompiledPlan | null>();

function planFor(region: string): CompiledPlan | null {
  let p = plans.get(region);
  if (p === undefined) {
    p = compile(region);
    plans.set(region, p);
  }
  return p;
}

/** checkNumberLength(n, country) with no type: TOO_SHORT or INVALID_LENGTH? */
function impossibleLength(n: number, lengths: number[]): boolean {
  const min = lengths[0]!;
  if (min === n) return false;
  if (min > n) return true;
  if (lengths[lengths.length - 1]! < n) return false; // TOO_LONG is "possible" for this purpose
  return lengths.indexOf(n, 1) < 0;
}

function isType(nsn: string, t: CompiledType | undefined): boolean {
  if (!t) return false;
  if (t.lengths && t.lengths.indexOf(nsn.length) < 0) return false;
  return t.re.test(nsn);
}

const DIGITS = /^[0-9]+$/;

export interface NationalResult {
  e164: string;
  /** The library's type; undefined = not a valid number (the caller asks the library for the reason). */
  type: NumberType;
  country: string;
}

/**
 * What `parsePhoneNumberFromString(digits, region)` and its `getType()` give,
 * for `digits` (ASCII digits only) typed in `region`; `undefined` when this
 * input is not one the fast path covers exactly (then ask the library).
 */
export function parseNationalDigits(digits: string, region: string): NationalResult | undefined {
  const p = planFor(region);
  if (!p || !DIGITS.test(digits) || digits.length > 250) return undefined;
  // Step 1.
  if (digits.search(p.idd) === 0 || digits.startsWith(p.callingCode)) return undefined;
  // Step 2.
  let nsn = digits;
  if (p.nationalPrefix) {
    const m = p.nationalPrefix.exec(digits);
    if (m) {
      const groups = m.length - 1;
      if (groups > 0 && m[groups]) return undefined;
      nsn = digits.slice(m[0].length);
    }
  }
  // Step 3.
  if (nsn !== digits) {
    if (p.national.test(digits) && !p.national.test(nsn)) nsn = digits;
    else if (p.lengths && impossibleLength(nsn.length, p.lengths)) nsn = digits;
  }
  // Step 5.
  if (nsn.length < MIN_NSN || nsn.length > MAX_NSN) return undefined;
  const e164 = `+${p.callingCode}${nsn}`;
  // Step 6.
  let type: NumberType;
  if (!p.national.test(nsn)) type = undefined;
  else if (isType(nsn, p.fixedLine)) type = p.fixedIsAlsoMobile || isType(nsn, p.mobile) ? 'FIXED_LINE_OR_MOBILE' : 'FIXED_LINE';
  else type = p.others.find((t) => isType(nsn, t))?.name;
  return { e164, type, country: p.region as CountryCode };
}
