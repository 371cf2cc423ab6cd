/**
 * A music verdict waits while a busy/reorder cadence is under way (analyzer heldMusic, CadenceDetector
 * busyInProgress): a busy tone in babble looks like music to the model (pitched, held notes) and, its segments
 * broken up by the talk, can take longer than amd.musicMinMs to confirm. Here the same edge without noise:
 * music that gives way to a busy tone just before the music verdict is due.
 */
import t from 'tap';
import { heldNotes, kinds, run, S } from '../../helpers/media-signals';

/** DE busy: 425 Hz, 480 ms on, 480 ms off. */
const busyDE = (ms: number, amp = 3000) => {
  const parts: Float64Array[] = [];
  for (let at = 0; at < ms; at += 960) parts.push(S.tone([425], 480, amp), S.silence(480));
  return S.concat(...parts);
};

t.test('music that turns into a busy cadence before its verdict: busy, once the cadence confirms', async (t) => {
  // 1.2 s of music, then busy: the model would call music at 2 s of sound, after the busy's first segment.
  const vs = run(S.concat(S.silence(300), heldNotes().slice(0, 1200 * 8), busyDE(3000), S.silence(1000)), {
    phase: 'answered',
    region: 'DE',
  });
  t.same(kinds(vs), ['busy'], JSON.stringify(vs));
});

t.test('music with no cadence under way is still music, at the same moment', async (t) => {
  const vs = run(S.concat(S.silence(300), heldNotes(), S.silence(1000)), { phase: 'answered', region: 'DE' });
  t.same(kinds(vs), ['music'], JSON.stringify(vs));
  t.ok(vs[0]!.atMs <= 2400, `music at ${vs[0]!.atMs} ms`);
});
