/**
 * G.711 μ-law and A-law (ITU-T G.711), table driven: decoding is a lookup,
 * encoding a lookup on the top 14 bits of the linear sample.
 */

function ulawDecode(u: number): number {
  u = ~u & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  let s = ((mantissa << 3) + 0x84) << exponent;
  s -= 0x84;
  return sign ? -s : s;
}

function alawDecode(a: number): number {
  a ^= 0x55;
  const sign = a & 0x80;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const s = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return sign ? s : -s;
}

function ulawEncode(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let sign = 0;
  let s = sample;
  if (s < 0) {
    s = -s;
    sign = 0x80;
  }
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function alawEncode(sample: number): number {
  let s = sample;
  let sign = 0x80;
  if (s < 0) {
    s = -s - 1;
    sign = 0;
  }
  if (s > 32767) s = 32767;
  let out: number;
  if (s >= 256) {
    let exponent = 7;
    for (let mask = 0x4000; (s & mask) === 0 && exponent > 1; mask >>= 1) exponent--;
    const mantissa = (s >> (exponent + 3)) & 0x0f;
    out = (exponent << 4) | mantissa;
  } else {
    out = s >> 4;
  }
  return (out | sign) ^ 0x55;
}

const ULAW_TO_LINEAR = new Int16Array(256);
const ALAW_TO_LINEAR = new Int16Array(256);
for (let i = 0; i < 256; i++) {
  ULAW_TO_LINEAR[i] = ulawDecode(i);
  ALAW_TO_LINEAR[i] = alawDecode(i);
}
// 16384 entries indexed by (sample >> 2) + 8192 cover the 14-bit range G.711 uses.
const LINEAR_TO_ULAW = new Uint8Array(16384);
const LINEAR_TO_ALAW = new Uint8Array(16384);
for (let i = 0; i < 16384; i++) {
  const s = (i - 8192) << 2;
  LINEAR_TO_ULAW[i] = ulawEncode(s);
  LINEAR_TO_ALAW[i] = alawEncode(s);
}

export type G711Law = 'ulaw' | 'alaw';

/** RTP static payload types (RFC 3551): PCMU 0, PCMA 8. */
export const PAYLOAD_TYPE: Record<G711Law, number> = { ulaw: 0, alaw: 8 };

export function decodeG711(law: G711Law, bytes: Uint8Array, out = new Int16Array(bytes.length)): Int16Array {
  const table = law === 'ulaw' ? ULAW_TO_LINEAR : ALAW_TO_LINEAR;
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}

export function encodeG711(law: G711Law, pcm: Int16Array, out = new Uint8Array(pcm.length)): Uint8Array {
  const table = law === 'ulaw' ? LINEAR_TO_ULAW : LINEAR_TO_ALAW;
  for (let i = 0; i < pcm.length; i++) out[i] = table[(pcm[i]! >> 2) + 8192]!;
  return out;
}

/** Byte that decodes to (near) zero: the silence fill for each law. */
export const SILENCE_BYTE: Record<G711Law, number> = { ulaw: 0xff, alaw: 0xd5 };
