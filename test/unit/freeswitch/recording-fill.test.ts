/**
 * Frames FreeSWITCH's write-stream recorder makes up (test/helpers/fs-recording.ts), on a recording taken live:
 * the agent leg of test/e2e/freeswitch/campaign.test.ts with the hold music and the beep on FreeSWITCH's timer
 * (detect.ts PLAYBACK_VARS), 37 frames around the beep. The 200 ms beep was sent whole (10 frames) but recorded
 * as 7 frames, a made-up frame, 3 frames — which failed the campaign test's "≥ 8 frames of 1 kHz" 3 times in 11
 * runs at load 15.
 */
import t from 'tap';
import { join } from 'node:path';
import { readAudioFile } from '../../../lib/media/audio-file';
import { FRAME_SAMPLES } from '../../../lib/media/types';
import { findTone, findToneThroughFill, isRecorderFill, sentFrames } from '../../helpers/fs-recording';

const pcm = readAudioFile(join(__dirname, '../../fixtures/freeswitch/agent-hears-beep.wav'));

t.test('the recording as FreeSWITCH wrote it: the beep is cut by a made-up frame', async (t) => {
  const all: Int16Array[] = [];
  for (let i = 0; i + FRAME_SAMPLES <= pcm.length; i += FRAME_SAMPLES) all.push(pcm.subarray(i, i + FRAME_SAMPLES));
  t.equal(all.length, 37);
  t.equal(findTone(all, 1000), -1, 'no 8-frame run of 1 kHz in the raw recording');
  t.same(
    all.map((f, i) => (isRecorderFill(f) ? i : -1)).filter((i) => i >= 0),
    [5, 18, 26],
    'three made-up frames: in the hold music, just before the beep, inside it',
  );
});

t.test('without the made-up frames: the whole 200 ms beep', async (t) => {
  const { frames, fill } = sentFrames(pcm);
  t.equal(fill, 3);
  t.equal(frames.length, 34);
  const at = findTone(frames, 1000);
  t.equal(at, 17, 'the beep starts after 17 frames of hold music');
  t.equal(findTone(frames, 1000, 10), at, 'all 10 frames of it (200 ms)');
  t.equal(findTone(frames, 1000, 11), -1, 'and no more');
});

t.test('the beep found in the recording as written, through its made-up frames', async (t) => {
  const all: Int16Array[] = [];
  for (let i = 0; i + FRAME_SAMPLES <= pcm.length; i += FRAME_SAMPLES) all.push(pcm.subarray(i, i + FRAME_SAMPLES));
  // Frame 18 (made up) comes just before the beep and frame 26 inside it: 17 frames of music and one made-up frame before.
  t.equal(findToneThroughFill(all, 1000), 19, "the beep's first frame, counted in the file's own frames");
  t.equal(findToneThroughFill(all, 1000, 10), 19, 'its 10 frames, the made-up one inside not counted');
  t.equal(findToneThroughFill(all, 1000, 11), -1, 'and no more');
  t.equal(findToneThroughFill(all, 440), -1, 'no other tone');
});

t.test('only frames of 160 samples of -1 are made up', async (t) => {
  t.ok(isRecorderFill(new Int16Array(FRAME_SAMPLES).fill(-1)));
  t.notOk(isRecorderFill(new Int16Array(FRAME_SAMPLES)), 'digital silence (0) is audio that was sent');
  const almost = new Int16Array(FRAME_SAMPLES).fill(-1);
  almost[80] = 0;
  t.notOk(isRecorderFill(almost));
  t.notOk(isRecorderFill(new Int16Array(0)));
});
