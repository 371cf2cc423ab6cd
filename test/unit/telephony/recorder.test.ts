/**
 * The embedded recorder across a stall of the process: the pacer ticks it for
 * every 20 ms that passed as soon as the stall ends, before the event loop has
 * read the packets that waited in the kernel; the frames of those ticks must
 * still hold that audio, in its place (recorder.ts), not zeros followed by a
 * 120 ms buffer's overflow.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { FRAME_SAMPLES } from '../../../lib/media/types';
import { Recorder } from '../../../lib/telephony/drivers/embedded/media/recorder';
import { Pacer, type PacedSender } from '../../../lib/telephony/drivers/embedded/rtp/pacer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A frame whose every sample is `v`: the frame's number, to find it in the file. */
const frame = (v: number) => new Int16Array(FRAME_SAMPLES).fill(v);

/** The two channels of a recorder's WAV, as one value per 20 ms frame (its first sample). */
function framesOf(path: string): { ch0: number[]; ch1: number[] } {
  const wav = readFileSync(path);
  const n = (wav.length - 44) / 4;
  const ch0: number[] = [];
  const ch1: number[] = [];
  for (let i = 0; i < n; i += FRAME_SAMPLES) {
    ch0.push(wav.readInt16LE(44 + i * 4));
    ch1.push(wav.readInt16LE(46 + i * 4));
  }
  return { ch0, ch1 };
}

function tmp(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'recorder-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test("a stall's ticks, then its packets: the frames hold that audio in order, the file keeps the call's time", async (t) => {
  const path = join(tmp(t), 'r.wav');
  const rec: PacedSender & Recorder = new Recorder('r1', path, Date.now(), (err) => t.fail(err.message));
  // What the pacer and the event loop do: a run (beforeTicks, then its ticks), then the packets read before the next.
  let n = 0;
  const run = (ticks: number) => {
    rec.beforeTicks?.(ticks);
    for (let i = 0; i < ticks; i++) rec.tick();
  };
  for (let i = 0; i < 10; i++) {
    run(1);
    rec.push(0, frame(++n));
    rec.push(1, frame(-n));
  }
  // A 1 s stall: 50 ticks at once, then the 50 packets each leg sent meanwhile.
  run(50);
  for (let i = 0; i < 50; i++) {
    rec.push(0, frame(++n));
    rec.push(1, frame(-n));
  }
  for (let i = 0; i < 10; i++) {
    run(1);
    rec.push(0, frame(++n));
    rec.push(1, frame(-n));
  }
  const r = await rec.end('stop');
  t.equal(r.durationMs, 70 * 20, 'one frame per tick: 70 ticks, 1400 ms');
  const { ch0, ch1 } = framesOf(path);
  t.equal(ch0.length, 70);
  // Tick k's frame is the audio received after it (written at the next run); the last packet came after the last tick.
  t.same(
    ch0,
    Array.from({ length: 70 }, (_, k) => k + 1),
    'channel 1: every frame, the stall included, in its order',
  );
  t.same(
    ch1,
    Array.from({ length: 70 }, (_, k) => -(k + 1)),
    'channel 2 the same',
  );
});

t.test("packets read before the catch-up's ticks (the other order of the event loop's phases) are kept for them", async (t) => {
  const path = join(tmp(t), 'r.wav');
  const rec: PacedSender & Recorder = new Recorder('r5', path, Date.now(), (err) => t.fail(err.message));
  let n = 0;
  const run = (ticks: number) => {
    rec.beforeTicks?.(ticks);
    for (let i = 0; i < ticks; i++) rec.tick();
  };
  for (let i = 0; i < 5; i++) {
    run(1);
    rec.push(0, frame(++n));
  }
  // The stall's 30 packets are read first, then the pacer runs its 30 late ticks (and one more run after).
  for (let i = 0; i < 30; i++) rec.push(0, frame(++n));
  run(30);
  run(1);
  rec.push(0, frame(++n));
  await rec.end('stop');
  t.same(
    framesOf(path).ch0,
    Array.from({ length: 36 }, (_, k) => k + 1),
    'every frame, in its order',
  );
});

t.test('a channel with less audio than the frames owed: zeros first, its audio last', async (t) => {
  const path = join(tmp(t), 'r.wav');
  const rec: PacedSender & Recorder = new Recorder('r2', path, Date.now(), (err) => t.fail(err.message));
  rec.beforeTicks?.(5);
  for (let i = 0; i < 5; i++) rec.tick();
  rec.push(0, frame(7));
  rec.push(0, frame(8));
  await rec.end('stop');
  const { ch0, ch1 } = framesOf(path);
  t.same(ch0, [0, 0, 0, 7, 8], 'the audio read is the most recent');
  t.same(ch1, [0, 0, 0, 0, 0], 'a channel with nothing: silence');
});

t.test('in the steady state the jitter buffer stays bounded at 120 ms (a fast far-end clock)', async (t) => {
  const path = join(tmp(t), 'r.wav');
  const rec: PacedSender & Recorder = new Recorder('r3', path, Date.now(), (err) => t.fail(err.message));
  let n = 0;
  // Two frames arrive per tick for 20 ticks: the delay would grow by a frame a tick without the bound.
  for (let i = 0; i < 20; i++) {
    rec.beforeTicks?.(1);
    rec.tick();
    rec.push(0, frame(++n));
    rec.push(0, frame(++n));
  }
  await rec.end('stop');
  const { ch0 } = framesOf(path);
  t.equal(ch0.length, 20);
  // The last frame written is at most 7 frames (the 6 of jitter and the one owed) behind the newest received.
  t.ok(n - ch0[ch0.length - 1]! <= 7, `the last frame written (${ch0[ch0.length - 1]}) is within 7 of the newest (${n})`);
});

t.test('real pacer, real UDP, a real stall: every packet that waited in the kernel is in the file, in order', async (t) => {
  const dir = tmp(t);
  const path = join(dir, 'r.wav');
  const sentFlag = join(dir, 'sent');
  const readyFlag = join(dir, 'ready');
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => socket.close());
  const rec = new Recorder('r4', path, Date.now(), (err) => t.fail(err.message));
  const received: number[] = [];
  socket.on('message', (buf) => {
    const pcm = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    received.push(pcm[0]!);
    rec.push(0, pcm);
  });
  // The far end: at a word on its stdin it sends 50 numbered frames (1 s of audio) and says so in a file. It sends
  // while this process is held up, so the packets wait in the kernel, as a far end's audio does during a stall.
  const sender = spawn(
    process.execPath,
    [
      '-e',
      `const s=require('dgram').createSocket('udp4');require('fs').writeFileSync(${JSON.stringify(readyFlag)},'');` +
        `process.stdin.once('data',()=>{let k=0;` +
        `const next=()=>{if(++k>50){require('fs').writeFileSync(${JSON.stringify(sentFlag)},'');return}` +
        `s.send(Buffer.from(new Int16Array(${FRAME_SAMPLES}).fill(k).buffer),${socket.address().port},'127.0.0.1',next)};next()})`,
    ],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  );
  t.teardown(() => sender.kill('SIGKILL'));
  for (let i = 0; i < 3000 && !existsSync(readyFlag); i++) await sleep(10); // the child up, reading its stdin
  const pacer = new Pacer();
  t.teardown(() => pacer.stop());
  pacer.add(rec);
  await sleep(200);
  sender.stdin!.write('go\n');
  // Held up until the far end has sent it all (and at least 1 s: 50 ticks fall due at once), at most 4 s.
  const from = performance.now();
  while (performance.now() - from < 1000 || (!existsSync(sentFlag) && performance.now() - from < 4000));
  const stallMs = Math.round(performance.now() - from);
  t.ok(existsSync(sentFlag), `the far end sent its 50 frames during the ${stallMs} ms stall`);
  await sleep(300);
  pacer.remove(rec);
  await rec.end('stop');
  t.equal(received.length, 50, 'all 50 received');
  const { ch0 } = framesOf(path);
  const first = ch0.indexOf(1);
  t.same(
    ch0.slice(first, first + 50),
    Array.from({ length: 50 }, (_, k) => k + 1),
    `the 50 frames in the file, in order, one after the other (the file: ${ch0.length} frames)`,
  );
  t.ok(first >= 0 && first * 20 < stallMs + 200 + 200, `within the stall's time in the file (frame ${first})`);
});
