/** The freeswitch driver's eavesdrop commands and the WAV facts it reports for a recording (supervision.ts). */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiOk,
  EAVESDROP_VARS,
  eavesdropDigit,
  eavesdropEvent,
  recordingResult,
  wavFacts,
} from '../../../lib/telephony/drivers/freeswitch/supervision';

/** A 16-bit PCM WAV header with `dataBytes` of data (and an extra LIST chunk before it, as sndfile may write). */
function wav(dataBytes: number, channels = 2, declared = dataBytes): Buffer {
  const list = Buffer.alloc(8 + 4);
  list.write('LIST', 0, 'latin1');
  list.writeUInt32LE(4, 4);
  const fmt = Buffer.alloc(8 + 16);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(8000, 12);
  fmt.writeUInt32LE(8000 * 2 * channels, 16);
  fmt.writeUInt16LE(2 * channels, 20);
  fmt.writeUInt16LE(16, 22);
  const data = Buffer.alloc(8 + dataBytes);
  data.write('data', 0, 'latin1');
  data.writeUInt32LE(declared, 4);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(4 + fmt.length + list.length + data.length, 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, fmt, list, data]);
}

t.test('eavesdrop commands per mode (switch_ivr_eavesdrop_session: 0 none, 2 write side, 3 both)', async (t) => {
  t.equal(eavesdropDigit('listen'), '0');
  t.equal(eavesdropDigit('whisper'), '2');
  t.equal(eavesdropDigit('barge'), '3');
  t.equal(EAVESDROP_VARS.eavesdrop_enable_dtmf, 'false', "the supervisor's keypad cannot change the mode");
  t.same(eavesdropEvent('2'), { 'eavesdrop-command': '2' }, 'commands go as a queued event');
  t.equal(EAVESDROP_VARS.eavesdrop_whisper_aleg, 'false', 'starts as a listen');
  t.equal(EAVESDROP_VARS.eavesdrop_whisper_bleg, 'false', 'starts as a listen');
});

t.test('api replies', async (t) => {
  t.ok(apiOk('+OK Success\n'));
  t.notOk(apiOk('-ERR Cannot record session!\n'));
  t.notOk(apiOk('-USAGE: <uuid> [start|stop] <path>'));
});

t.test('duration and size from the WAV FreeSWITCH wrote', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wavfacts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const p = join(dir, 'a.wav');
  writeFileSync(p, wav(32000 * 3));
  t.same(await wavFacts(p), { bytes: 32000 * 3 + 56, durationMs: 3000, channels: 2 });
  // Cut short (a crash before the header was patched): what is on disk counts.
  writeFileSync(p, wav(16000, 2, 0xffffffff));
  t.equal((await wavFacts(p)).durationMs, 500);
  writeFileSync(p, 'not a wav at all, just text');
  await t.rejects(wavFacts(p), /not a WAV file/);

  const base = { id: 'r1', path: p, startedAt: 1 };
  t.match(await recordingResult(base, 'stop'), { endedBy: 'error', error: /not readable/ }, 'unreadable file → error');
  t.match(await recordingResult({ ...base, path: join(dir, 'missing.wav') }, 'stop'), { endedBy: 'error', error: /ENOENT/ });
  t.match(await recordingResult(base, 'stop', 'uuid_record refused'), { endedBy: 'error', error: 'uuid_record refused', bytes: 0 });
  writeFileSync(p, wav(32000));
  t.match(await recordingResult(base, 'leg-ended'), { endedBy: 'leg-ended', durationMs: 1000, id: 'r1' });
  // A refused start reports no file even if one is there; a failed write reports what it holds.
  t.match(await recordingResult(base, 'stop', 'refused'), { endedBy: 'error', bytes: 0, durationMs: 0 });
  t.match(await recordingResult(base, 'stop', 'disk full', true), { endedBy: 'error', error: 'disk full', bytes: 32056, durationMs: 1000 });
  t.match(await recordingResult({ ...base, path: join(dir, 'missing.wav') }, 'stop', 'disk full', true), {
    endedBy: 'error',
    error: 'disk full',
    bytes: 0,
  });
});
