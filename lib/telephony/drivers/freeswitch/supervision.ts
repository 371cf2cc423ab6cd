/**
 * Listen-in / whisper / barge and two-channel call recording on FreeSWITCH,
 * with FreeSWITCH's own means (issue 17), behind the contract's
 * monitor/startRecording methods:
 *
 * - Monitor: the supervisor's endpoint runs mod_dptools `eavesdrop` on the
 *   agent's channel: the supervisor hears what the agent's channel reads and
 *   writes (agent + customer). Eavesdrop's own commands switch what the
 *   supervisor's audio is mixed into (switch_ivr_eavesdrop_session): `2`
 *   into what the agent's channel writes to the agent's phone (whisper: only
 *   the agent hears), `3` also into what it reads, which the bridge carries
 *   to the customer (barge), `0` into nothing (listen), `*` ends the
 *   eavesdrop. Its loop reads them from an event queued on the supervisor's
 *   own channel (header `eavesdrop-command`, sent with the event socket's
 *   `sendevent` and `unique-id`) and, when `eavesdrop_enable_dtmf` is on,
 *   from the channel's DTMF. The driver sends the events once `eavesdrop`
 *   runs, so a mode change needs no restart and no gap, and leaves DTMF
 *   commands off: the supervisor's own keypad cannot change the mode behind
 *   the API's back (a `3` pressed during a listen would otherwise barge in
 *   while the API still says "listen"). Digits pressed meanwhile stay queued
 *   on the channel and are flushed when the eavesdrop ends, so they do not
 *   reach the hold music played next. `uuid_break` does not end an eavesdrop
 *   (its loop does not look at the break flag), hence `*`. Checked live,
 *   tone by tone, keypad included (test/e2e/freeswitch/supervision.test.ts).
 * - Recording: `uuid_record` on the customer's channel with `RECORD_STEREO`
 *   (mod_sndfile WAV, 16-bit at the channel's rate): left = what the
 *   customer's channel reads (the customer), right = what it writes (the
 *   agent, and a barging supervisor). FreeSWITCH writes the file itself, so
 *   the path must be one FreeSWITCH can write and the dialer can read (the
 *   same directory on a local media server, a shared one otherwise).
 */
import { stat, open } from 'node:fs/promises';
import type { MonitorMode, RecordingResult } from '../../contract';

/** Channel variables of the supervisor's channel: an eavesdrop that starts as a listen and ignores the keypad. */
export const EAVESDROP_VARS: Readonly<Record<string, string>> = {
  eavesdrop_enable_dtmf: 'false',
  eavesdrop_whisper_aleg: 'false',
  eavesdrop_whisper_bleg: 'false',
};

/** The eavesdrop command (one of its digits) that puts a running eavesdrop in `mode`. */
export function eavesdropDigit(mode: MonitorMode): string {
  return mode === 'listen' ? '0' : mode === 'whisper' ? '2' : '3';
}

/** Channel variables of the recorded channel: two channels, read left, write right. */
export const RECORD_VARS: Readonly<Record<string, string>> = {
  RECORD_STEREO: 'true',
  // Keep the file the dialer names: no automatic "-in/-out" split or a different rate.
  RECORD_READ_ONLY: 'false',
  RECORD_WRITE_ONLY: 'false',
  // A write error (disk full) must end the recording and be reported (issue 17). FreeSWITCH's writer
  // thread (the default) only logs "Error writing" every 2 s and keeps the recording running to its end,
  // with record_ms counting the audio it failed to write (seen live on a full tmpfs). Written from the
  // media bug instead, the first failed write ends the recording at once with a RECORD_STOP whose
  // Record-Completion-Cause is uri-failure (switch_ivr_async.c record_callback). The call's media thread
  // then does one write() per 64 KB (the file handle's pre-buffer: about 2 s of 8 kHz stereo).
  RECORD_USE_THREAD: 'false',
  // Never hang the call up on a write error (FreeSWITCH's default, stated so it stays so).
  RECORD_HANGUP_ON_ERROR: 'false',
};

/** RECORD_STOP's Record-Completion-Cause for a failed write (switch_ivr_async.c set_completion_cause). */
export const RECORD_WRITE_FAILED = 'uri-failure';

/** The error a recording reports when FreeSWITCH could not write its file. */
export function writeFailure(path: string): string {
  return `FreeSWITCH could not write ${path} (disk full or write error: RECORD_STOP ${RECORD_WRITE_FAILED}); the recording ended, the call went on`;
}

/** The event a running eavesdrop reads its command from (switch_ivr_eavesdrop_session: `eavesdrop-command`). */
export function eavesdropEvent(command: string): Record<string, string> {
  return { 'eavesdrop-command': command };
}

/** FreeSWITCH api replies start with +OK or -ERR / -USAGE. */
export function apiOk(reply: string): boolean {
  return reply.trimStart().startsWith('+OK');
}

/**
 * Duration and size of a finished WAV, from its header (RIFF chunks; the data
 * chunk's size over the byte rate). FreeSWITCH's mod_sndfile patches the
 * sizes when it closes the file.
 */
export async function wavFacts(path: string): Promise<{ bytes: number; durationMs: number; channels: number }> {
  const { size } = await stat(path);
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 4096));
    await fh.read(head, 0, head.length, 0);
    if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') {
      throw new Error(`${path} is not a WAV file`);
    }
    let off = 12;
    let byteRate = 0;
    let channels = 0;
    while (off + 8 <= head.length) {
      const id = head.toString('latin1', off, off + 4);
      const len = head.readUInt32LE(off + 4);
      if (id === 'fmt ') {
        channels = head.readUInt16LE(off + 10);
        byteRate = head.readUInt32LE(off + 16);
      } else if (id === 'data') {
        // A file still being written (or cut by a crash) has no final size: count what is on disk.
        const data = Math.min(len, size - off - 8);
        return { bytes: size, durationMs: byteRate > 0 ? Math.round((data / byteRate) * 1000) : 0, channels };
      }
      off += 8 + len + (len % 2);
    }
    throw new Error(`${path}: no data chunk`);
  } finally {
    await fh.close();
  }
}

/** Builds the RecordingResult of a recording that ended, reading what FreeSWITCH wrote. */
export async function recordingResult(
  base: { id: string; path: string; startedAt: number },
  endedBy: RecordingResult['endedBy'],
  error?: string,
  /** The error came after FreeSWITCH had started writing (a failed write): the file holds the audio before it. */
  partial = false,
): Promise<RecordingResult> {
  if (error && !partial) return { ...base, durationMs: 0, bytes: 0, endedBy: 'error', error };
  try {
    const f = await wavFacts(base.path);
    if (error) return { ...base, durationMs: f.durationMs, bytes: f.bytes, endedBy: 'error', error };
    return { ...base, durationMs: f.durationMs, bytes: f.bytes, endedBy };
  } catch (err) {
    if (error) return { ...base, durationMs: 0, bytes: 0, endedBy: 'error', error };
    // FreeSWITCH wrote nothing the dialer can read (a remote media server, a full disk): say so.
    return { ...base, durationMs: 0, bytes: 0, endedBy: 'error', error: `recording not readable: ${(err as Error).message}` };
  }
}
