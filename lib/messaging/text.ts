/**
 * SMS text facts (3GPP TS 23.038): whether a body fits the GSM 7-bit default
 * alphabet, how many characters and segments it takes, and the issue's
 * warning for a linked SMS longer than one segment (160 GSM-7 / 70 UCS-2;
 * seed 003: keep an SMS with a link within 160 characters). Pure.
 */

// GSM 03.38 default alphabet and its extension table (each extension char costs two septets).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXT = '^{}\\[~]|€\f';
const BASIC = new Set([...GSM_BASIC]);
const EXT = new Set([...GSM_EXT]);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsInfo {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  /** One segment's capacity: 160 / 70. */
  singleLimit: number;
  segments: number;
  hasLink: boolean;
}

export function smsEncoding(text: string): SmsEncoding {
  for (const ch of text) if (!BASIC.has(ch) && !EXT.has(ch)) return 'UCS-2';
  return 'GSM-7';
}

const LINK = /\b(?:https?:\/\/|www\.)\S+/i;

export function smsInfo(text: string): SmsInfo {
  const encoding = smsEncoding(text);
  let units = 0;
  if (encoding === 'GSM-7') for (const ch of text) units += EXT.has(ch) ? 2 : 1;
  else units = text.length; // UTF-16 code units: a surrogate pair takes two
  const singleLimit = encoding === 'GSM-7' ? 160 : 70;
  // Concatenated SMS lose 7 septets / 3 UCS-2 chars per segment to the UDH (TS 23.040 §9.2.3.24.1).
  const multi = encoding === 'GSM-7' ? 153 : 67;
  const segments = units === 0 ? 1 : units <= singleLimit ? 1 : Math.ceil(units / multi);
  return { encoding, units, singleLimit, segments, hasLink: LINK.test(text) };
}

/** The warning, or undefined: an SMS carrying a link that does not fit one segment. */
export function linkLengthWarning(text: string): string | undefined {
  const i = smsInfo(text);
  if (!i.hasLink || i.units <= i.singleLimit) return undefined;
  return `SMS with a link is ${i.units} ${i.encoding === 'GSM-7' ? 'GSM-7 characters' : 'UCS-2 characters'}, over the ${i.singleLimit} of one segment; it will arrive in ${i.segments} parts and links split across parts often break`;
}
