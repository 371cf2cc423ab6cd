/** `--media '<json>'` of the detection benches and scripts/train-amd.ts (bench/lib/media-overrides.ts). */
import t from 'tap';
import { mediaOverrides } from '../../../bench/lib/media-overrides';

t.test('--media: absent, a JSON object of overrides, or an error that names the option', async (t) => {
  t.equal(mediaOverrides(['--seeds', '2']), undefined, 'absent: no overrides');
  t.same(mediaOverrides(['--no-real', '--media', '{"vad":{"pitchTrackMs":60}}']), { vad: { pitchTrackMs: 60 } });
  t.throws(() => mediaOverrides(['--media', '{bad']), /--media: not JSON/);
  t.throws(() => mediaOverrides(['--media', '[1]']), /--media: a JSON object/);
  t.throws(() => mediaOverrides(['--media', 'null']), /--media: a JSON object/);
  t.throws(() => mediaOverrides(['--media']), /--media: not JSON/, 'the option given with no value');
});
