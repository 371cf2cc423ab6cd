/** RTP (RFC 3550 §5.1) and telephone-event (RFC 4733 §2.3) packet layouts. */

export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  seq: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/** Returns null for anything that is not an RTP version-2 packet (RTCP, STUN, garbage). */
export function parseRtp(buf: Buffer): RtpPacket | null {
  if (buf.length < 12 || buf[0]! >> 6 !== 2) return null;
  const pt = buf[1]! & 0x7f;
  // RTCP shares the port in rtcp-mux and uses PT 72-76 in this position (RFC 5761 §4).
  if (pt >= 72 && pt <= 76) return null;
  let offset = 12 + 4 * (buf[0]! & 0x0f);
  if (buf[0]! & 0x10) {
    if (buf.length < offset + 4) return null;
    offset += 4 + 4 * buf.readUInt16BE(offset + 2);
  }
  let end = buf.length;
  if (buf[0]! & 0x20) end -= buf[buf.length - 1]!;
  if (offset > end) return null;
  return {
    payloadType: pt,
    marker: (buf[1]! & 0x80) !== 0,
    seq: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(offset, end),
  };
}

export function buildRtp(p: Omit<RtpPacket, 'payload'>, payload: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(12 + payload.length);
  buf[0] = 0x80;
  buf[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  buf.writeUInt16BE(p.seq & 0xffff, 2);
  buf.writeUInt32BE(p.timestamp >>> 0, 4);
  buf.writeUInt32BE(p.ssrc >>> 0, 8);
  buf.set(payload, 12);
  return buf;
}

export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export function parseTelephoneEvent(payload: Buffer): TelephoneEvent | null {
  if (payload.length < 4) return null;
  return { event: payload[0]!, end: (payload[1]! & 0x80) !== 0, volume: payload[1]! & 0x3f, duration: payload.readUInt16BE(2) };
}

/** RFC 4733 §3.2: events 0-9, * (10), # (11), A-D (12-15). */
export function dtmfDigit(event: number): string | null {
  if (event <= 9) return String(event);
  return ['*', '#', 'A', 'B', 'C', 'D'][event - 10] ?? null;
}

export function telephoneEventPayload(digit: string, end: boolean, duration: number): Buffer {
  const idx = '0123456789*#ABCD'.indexOf(digit.toUpperCase());
  if (idx < 0) throw new Error(`not a DTMF digit: ${digit}`);
  const b = Buffer.alloc(4);
  b[0] = idx;
  b[1] = (end ? 0x80 : 0) | 10;
  b.writeUInt16BE(duration, 2);
  return b;
}
