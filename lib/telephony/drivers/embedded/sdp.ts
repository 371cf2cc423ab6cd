/** SDP offer/answer for G.711 audio (RFC 3264, RFC 4566) with sdp-transform. */
import { parse, write, type SessionDescription } from 'sdp-transform';
import type { G711Law } from '../../../media/g711';

export const TELEPHONE_EVENT_PT = 101;

export interface MediaOffer {
  address: string;
  port: number;
  sessionId: number;
  version?: number;
  /** Codec preference, first wins. */
  codecs: G711Law[];
  /** a= direction (default sendrecv). */
  direction?: Direction;
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * RFC 3264 §6.1: the answer's direction mirrors the offer's — an offer to
 * send only (a hold) is answered recvonly, recvonly with sendonly, inactive
 * with inactive; anything else sendrecv.
 */
export function answerDirection(offered: string | undefined): Direction {
  switch (offered) {
    case 'sendonly':
      return 'recvonly';
    case 'recvonly':
      return 'sendonly';
    case 'inactive':
      return 'inactive';
    default:
      return 'sendrecv';
  }
}

const CODEC = { ulaw: { payload: 0, codec: 'PCMU' }, alaw: { payload: 8, codec: 'PCMA' } } as const;

export function buildSdp(o: MediaOffer): string {
  const pts = o.codecs.map((c) => CODEC[c].payload);
  const desc: SessionDescription = {
    version: 0,
    origin: { username: 'dialer', sessionId: o.sessionId, sessionVersion: o.version ?? 1, netType: 'IN', ipVer: 4, address: o.address },
    name: 'dialer',
    connection: { version: 4, ip: o.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: o.port,
        protocol: 'RTP/AVP',
        payloads: [...pts, TELEPHONE_EVENT_PT].join(' '),
        rtp: [
          ...o.codecs.map((c) => ({ payload: CODEC[c].payload, codec: CODEC[c].codec, rate: 8000 })),
          { payload: TELEPHONE_EVENT_PT, codec: 'telephone-event', rate: 8000 },
        ],
        fmtp: [{ payload: TELEPHONE_EVENT_PT, config: '0-16' }],
        ptime: 20,
        direction: o.direction ?? 'sendrecv',
      },
    ],
  };
  return write(desc);
}

export interface NegotiatedMedia {
  address: string;
  port: number;
  law: G711Law;
  payloadType: number;
  dtmfPayloadType?: number;
  direction: string;
}

/** Reads the far end's answer (or offer): the first audio stream and the first G.711 codec in it. */
export function negotiate(sdp: string, prefer: G711Law[] = ['ulaw', 'alaw']): NegotiatedMedia {
  const desc = parse(sdp);
  const audio = desc.media.find((m) => m.type === 'audio' && m.port > 0);
  if (!audio) throw new Error('SDP has no active audio stream');
  const address = audio.connection?.ip ?? desc.connection?.ip;
  if (!address) throw new Error('SDP has no connection address');
  const pts = String(audio.payloads ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  const lawOf = (pt: number): G711Law | undefined => {
    const map = audio.rtp.find((r) => r.payload === pt);
    const name = map?.codec.toUpperCase() ?? (pt === 0 ? 'PCMU' : pt === 8 ? 'PCMA' : '');
    return name === 'PCMU' ? 'ulaw' : name === 'PCMA' ? 'alaw' : undefined;
  };
  const offered = pts.map((pt) => ({ pt, law: lawOf(pt) })).filter((x): x is { pt: number; law: G711Law } => !!x.law);
  if (offered.length === 0) throw new Error('SDP offers no G.711 codec (PCMU/PCMA)');
  // The answerer's order wins (RFC 3264 §6.1), within the laws we offered.
  const chosen = offered.find((x) => prefer.includes(x.law))!;
  if (!chosen) throw new Error('SDP codecs do not match ours');
  const dtmf = audio.rtp.find((r) => r.codec.toLowerCase() === 'telephone-event');
  return {
    address,
    port: audio.port,
    law: chosen.law,
    payloadType: chosen.pt,
    dtmfPayloadType: dtmf?.payload,
    direction: audio.direction ?? 'sendrecv',
  };
}
