/**
 * Stream audio mode, end to end on this machine: a real named pipe (the
 * driver's openFifoTap), the fake FreeSWITCH writing sox-generated audio into
 * it when it receives `uuid_record <uuid> start <pipe>` (as FreeSWITCH does,
 * signed 16-bit 8 kHz), and lib/media's real call analyser deciding. Asserts
 * the exact ESL commands and the verdicts and result codes that follow.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAudioFile } from '../../../lib/media/audio-file';
import { createCallAnalyzer } from '../../../lib/media/analyzer';
import { decideResult } from '../../../lib/results';
import type { LegEvent } from '../../../lib/telephony/contract';
import type { Verdict } from '../../../lib/media/types';
import { openFifoTap } from '../../../lib/telephony/drivers/freeswitch/tap';
import type { AnalyzerFactory } from '../../../lib/telephony/drivers/freeswitch/analysis';
import { rig, type Rig } from './fakes';

const dir = mkdtempSync(join(tmpdir(), 'fs-stream-'));
t.teardown(() => execFileSync('rm', ['-rf', dir]));

function sox(out: string, ...effects: string[]): string {
  const path = join(dir, out);
  execFileSync('sox', ['-D', '-n', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', path, ...effects]);
  return path;
}

/** Raw s16le bytes of a wav, as FreeSWITCH writes a `.r8` recording. */
function rawOf(wav: string): Buffer {
  const pcm = readAudioFile(wav);
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

const analyzerFactory: AnalyzerFactory = (o) =>
  createCallAnalyzer({ phase: o.phase, ...(o.region ? { region: o.region } : {}), ...(o.waitForBeep ? { waitForBeep: true } : {}) });

/** Plays `audio` into the pipe the driver asks FreeSWITCH to record into, once media flows. */
function feedOnRecord(ep: { onRecordStart?: (path: string) => void }, audio: Buffer): void {
  ep.onRecordStart = (path) => {
    const w = createWriteStream(path);
    w.end(audio);
  };
}

async function until(r: Rig, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((res) => setTimeout(res, 10));
  await r.settle();
}

function verdicts(events: LegEvent[], legId: string): Verdict[] {
  return events.filter((e): e is Extract<LegEvent, { type: 'verdict' }> => e.type === 'verdict' && e.legId === legId).map((e) => e.verdict);
}

const local = {
  address: '127.0.0.1',
  port: 8021,
  secret: 'ClueCon',
  profile: 'drachtio_mrf',
  listenAddress: '',
  local: true,
  forkAddress: '',
};

t.test('answered fax (CED 2100 Hz) heard through the pipe by lib/media → code 5', async (t) => {
  const ced = rawOf(sox('ced.wav', 'synth', '3.5', 'sine', '2100', 'pad', '0.2', '0.5'));
  const r = await rig({
    fs: { audioMode: 'auto', mediaServers: [local], fifoDir: join(dir, 'fifo') },
    createAnalyzer: analyzerFactory,
    openTap: openFifoTap,
  });
  feedOnRecord(r.mrf.servers.get('127.0.0.1')!, ced);
  const legId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: { early: true, answered: true } });
  const ep = r.mrf.servers.get('127.0.0.1')!.endpoints[0]!;
  r.srf.last.answer();
  await until(r, () => verdicts(r.events, legId).length > 0);
  const pipe = join(dir, 'fifo', `${legId}.r8`);
  // Attached before the INVITE leaves: the variables in one API call, then the recording; then the 200's SDP.
  t.same(r.log.lines((c) => c.target === ep.uuid).slice(0, 2), [
    `${ep.uuid} api uuid_setvar_multi ${ep.uuid} RECORD_READ_ONLY=true;enable_file_write_buffering=false;RECORD_PRE_BUFFER_FRAMES=1`,
    `${ep.uuid} api uuid_record ${ep.uuid} start ${pipe}`,
  ]);
  t.match(verdicts(r.events, legId)[0], { kind: 'fax', tone: 'CED' });
  await r.driver.hangup(legId);
  t.ok(r.log.lines().includes(`${ep.uuid} api uuid_record ${ep.uuid} stop ${pipe}`), 'recording stopped');
  // The pipe is removed asynchronously once the leg's analysis stops (real file I/O).
  await until(r, () => !existsSync(pipe));
  t.notOk(existsSync(pipe), 'pipe removed');
  const end = r.events.find((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end')!;
  t.equal(decideResult({ end: end.cause, verdicts: verdicts(r.events, legId), connected: false }), 5);
});

t.test('early-media SIT (vacant code) heard through the pipe, then 404 → code 6', async (t) => {
  const seg = (name: string, f: string, s: string) => sox(name, 'synth', s, 'sine', f, 'vol', '0.5');
  const sit = join(dir, 'sit.wav');
  execFileSync('sox', [
    '-D',
    seg('s1.wav', '985.2', '0.380'),
    seg('s2.wav', '1370.6', '0.274'),
    seg('s3.wav', '1776.7', '0.380'),
    sox('gap.wav', 'trim', '0', '1.5'),
    sit,
  ]);
  const r = await rig({
    fs: { audioMode: 'stream', mediaServers: [local], fifoDir: join(dir, 'fifo2') },
    createAnalyzer: analyzerFactory,
    openTap: openFifoTap,
  });
  feedOnRecord(r.mrf.servers.get('127.0.0.1')!, rawOf(sit));
  const legId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, analysis: { early: true, answered: true } });
  const lines = r.log.lines();
  t.ok(
    lines.findIndex((l) => / api uuid_record .* start /.test(l)) < lines.findIndex((l) => l.startsWith('srf INVITE')),
    'recording on before the INVITE',
  );
  r.srf.last.provisional(183, 'Session Progress', 'v=0\r\nc=IN IP4 10.0.0.9\r\nm=audio 4100 RTP/AVP 0\r\na=sendonly\r\n');
  // The far end sends with its 183; FreeSWITCH reads it without its SDP (PCMU, the first codec of its offer).
  r.mrf.servers.get('127.0.0.1')!.endpoints[0]!.farEndSends();
  await until(r, () => verdicts(r.events, legId).length > 0);
  const v = r.events.find((e) => e.type === 'verdict');
  t.notOk(
    r.log.lines().some((l) => l.includes('modify')),
    'no re-INVITE to FreeSWITCH in the middle of the early media (a sendonly SDP never reaches it to put the leg on hold)',
  );
  t.match(v, { type: 'verdict', phase: 'early', verdict: { kind: 'sit' } });
  r.srf.last.reject(404, 'Not Found');
  await r.settle();
  const end = r.events.find((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end')!;
  t.equal(decideResult({ end: end.cause, verdicts: verdicts(r.events, legId), connected: false }), 6);
});

t.test('stream mode without an analyser refuses to start', async (t) => {
  await t.rejects(rig({ fs: { audioMode: 'stream', mediaServers: [local] }, createAnalyzer: null }), /createCallAnalyzer/);
});
