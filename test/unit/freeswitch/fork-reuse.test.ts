/**
 * A fork port used again while the sink of the call that had it before still
 * sends (fork.ts): live at load 24, a new fork got 2 packets of another
 * stream before its own; a fresh-clone run at load 20 recorded a person's
 * "Hello?" as music (code 4) in native mode. Here the same pattern on a real
 * loopback socket: the call's sink sends the person, a stale sink sends a
 * voicemail greeting to the same port, packet for packet. The fork hears the
 * sink's port only, and lib/media says human; the two streams interleaved, as
 * the frame assembler alone took them (a new SSRC is a new stream), are not a
 * person to lib/media.
 */
import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createCallAnalyzer } from '../../../lib/media/analyzer';
import { decodeG711 } from '../../../lib/media/g711';
import type { Verdict } from '../../../lib/media/types';
import { buildRtp } from '../../../lib/telephony/drivers/embedded/rtp/packet';
import { RtpFrames, SourceFilter, openRtpFork } from '../../../lib/telephony/drivers/freeswitch/fork';
import { farEndAudio } from '../../../lib/telephony/testing/audio';

const FRAMES = 200; // 4 s: a person's verdict comes at about 1.5 s

/** The far end's μ-law file (what SIPp sends) as 20 ms RTP payloads. */
function payloads(name: 'person' | 'machine'): Buffer[] {
  const raw = readFileSync(farEndAudio(name));
  const out: Buffer[] = [];
  for (let i = 0; i + 160 <= raw.length && out.length < FRAMES; i += 160) out.push(raw.subarray(i, i + 160));
  return out;
}

const rtp = (ssrc: number, seq: number, payload: Buffer) =>
  buildRtp({ payloadType: 0, marker: false, seq, timestamp: seq * 160, ssrc }, payload);

/** Sink and stale sink packet for packet: the pattern of two FreeSWITCH sessions sending to one port. */
function interleaved(): Array<{ from: 'sink' | 'stale'; packet: Buffer }> {
  const person = payloads('person');
  const machine = payloads('machine');
  const out: Array<{ from: 'sink' | 'stale'; packet: Buffer }> = [];
  for (let i = 0; i < FRAMES; i++) {
    out.push({ from: 'stale', packet: rtp(0x5a1e, 30000 + i, machine[i]!) });
    out.push({ from: 'sink', packet: rtp(0x51c, 1000 + i, person[i]!) });
  }
  return out;
}

function verdictOf(frames: Int16Array[]): Verdict | undefined {
  const a = createCallAnalyzer({ region: 'NA', phase: 'answered' });
  for (const f of frames) {
    const v = a.push(f).find((x) => x.kind !== 'beep');
    if (v) return v;
  }
  return undefined;
}

t.test('the mechanism: both streams taken as one (a new SSRC restarts the stream) are no person to lib/media', async (t) => {
  const frames = new RtpFrames();
  const heard = interleaved().flatMap((p) => frames.push(p.packet));
  t.equal(heard.length, 2 * FRAMES, 'every packet of both became a frame');
  const v = verdictOf(heard);
  t.not(v?.kind, 'human', `not a person: ${JSON.stringify(v)}`);
  const alone = verdictOf(payloads('person').map((p) => decodeG711('ulaw', p)));
  t.equal(alone?.kind, 'human', 'the person alone is a person');
});

t.test('the filter: nothing before the sink port is known, then that port and the first address on it', async (t) => {
  const f = new SourceFilter();
  t.notOk(f.accepts({ address: '127.0.0.1', port: 4000 }), 'before acceptFrom: nothing');
  f.acceptFrom(4000);
  t.notOk(f.accepts({ address: '127.0.0.1', port: 4002 }), 'another port: a stale sink');
  t.ok(f.accepts({ address: '127.0.0.1', port: 4000 }));
  t.notOk(f.accepts({ address: '127.0.0.2', port: 4000 }), 'the same port from another host');
  t.equal(f.foreign, 3);
});

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  return s;
}

t.test('a real socket reused while a stale sink still sends: only the sink is heard, and it is a person', async (t) => {
  const fork = await openRtpFork('127.0.0.1');
  const sink = await bound();
  const stale = await bound();
  t.teardown(async () => {
    sink.close();
    stale.close();
    await fork.close();
  });
  const got: Int16Array[] = [];
  const all = new Promise<void>((res) =>
    fork.onFrame((f) => {
      got.push(f);
      if (got.length === FRAMES) res();
    }),
  );
  // The stale sink was sending before the new call's sink was known.
  const send = (s: Socket, b: Buffer) => new Promise<void>((res) => s.send(b, fork.port, '127.0.0.1', () => res()));
  await send(stale, rtp(0x5a1e, 29999, payloads('machine')[0]!));
  fork.acceptFrom(sink.address().port);
  // Sent in order, a few packets at a time (the socket's buffer is never the limit).
  let n = 0;
  for (const p of interleaved()) {
    await send(p.from === 'sink' ? sink : stale, p.packet);
    if (++n % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  await all;
  t.equal(got.length, FRAMES, "the sink's frames, no more");
  t.equal(fork.foreignPackets, FRAMES + 1, "every stale packet dropped, the one before the sink's port was known too");
  const v = verdictOf(got);
  t.equal(v?.kind, 'human', `a person: ${JSON.stringify(v)}`);
});
