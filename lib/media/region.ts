/**
 * One region: which tone plan (media.regions) a call's early media is read
 * with. Phone regions are ISO 3166 countries (phone.defaultRegion, the
 * number's own country); tone plans are named by network (NA for the North
 * American Numbering Plan, UK, JP, DE …). This maps the one to the other.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

// ITU-T E.164 country code 1: every NANP country rings and busies the same (ANSI T1.401).
const NANP = new Set([
  'US',
  'CA',
  'PR',
  'GU',
  'VI',
  'AS',
  'MP',
  'BS',
  'BB',
  'AG',
  'AI',
  'VG',
  'KY',
  'DM',
  'DO',
  'GD',
  'JM',
  'MS',
  'KN',
  'LC',
  'VC',
  'TT',
  'TC',
  'BM',
  'SX',
]);

/** The tone-plan name for a country: NA for NANP members, UK for GB, the country code otherwise. */
export function toneRegionForCountry(country: string): string {
  const c = country.toUpperCase();
  if (NANP.has(c)) return 'NA';
  if (c === 'GB') return 'UK';
  return c;
}

/**
 * The tone-plan name for the number being dialled: its own country when it is
 * written internationally (+81…, +1…), else the default phone region's.
 */
export function toneRegionForNumber(number: string, defaultCountry: string): string {
  let country: string | undefined;
  try {
    country = parsePhoneNumberFromString(number, defaultCountry as CountryCode)?.country;
  } catch {
    country = undefined;
  }
  return toneRegionForCountry(country ?? defaultCountry);
}
