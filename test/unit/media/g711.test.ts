import t from 'tap';
import { decodeG711, encodeG711 } from '../../../lib/media/g711';
import { decodeAudio, encodeWav } from '../../../lib/media/audio-file';

function snrDb(a: Int16Array, b: Int16Array): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i]! * a[i]!;
    e += (a[i]! - b[i]!) ** 2;
  }
  return 10 * Math.log10(s / e);
}

t.test('G.711 round trip keeps ~35 dB SNR over a wide level range, both laws', async (t) => {
  for (const law of ['ulaw', 'alaw'] as const) {
    for (const amp of [300, 3000, 30000]) {
      const x = Int16Array.from({ length: 8000 }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * 1004 * i) / 8000)));
      const y = decodeG711(law, encodeG711(law, x));
      t.ok(snrDb(x, y) > 30, `${law} at amplitude ${amp}: ${snrDb(x, y).toFixed(1)} dB`);
    }
  }
});

t.test('G.711 byte → linear → byte is the identity', async (t) => {
  for (const law of ['ulaw', 'alaw'] as const) {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const back = encodeG711(law, decodeG711(law, bytes));
    // μ-law has two zeros (0x7f and 0xff); everything else must come back.
    const diff = [...bytes].filter((b, i) => back[i] !== b && !(law === 'ulaw' && b === 0x7f));
    t.same(diff, [], law);
  }
});

t.test('audio files: WAV 16-bit, G.711 raw, resampling and clear errors', async (t) => {
  const pcm = Int16Array.from({ length: 800 }, (_, i) => (i % 50) * 100 - 2500);
  t.same([...decodeAudio(encodeWav(pcm), '.wav')], [...pcm], 'WAV 8 kHz round trip');
  const at16k = decodeAudio(
    encodeWav(
      Int16Array.from({ length: 1600 }, () => 1000),
      16000,
    ),
    '.wav',
  );
  t.equal(at16k.length, 800, '16 kHz resampled to 8 kHz');
  t.equal(at16k[400], 1000);
  t.same([...decodeAudio(encodeG711('alaw', pcm), '.alaw')], [...decodeG711('alaw', encodeG711('alaw', pcm))]);
  t.throws(() => decodeAudio(Buffer.from('not a wav file at all'), '.wav'), /not a RIFF\/WAVE/);
  t.throws(() => decodeAudio(Buffer.alloc(10), '.mp3'), /unknown audio type ".mp3"/);
});
