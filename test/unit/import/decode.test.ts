import t from 'tap';
import iconv from 'iconv-lite';
import { decodeText, detectEncoding, limitBytes } from '../../../lib/import/decode';

/** Feeds the bytes in small chunks so multi-byte characters straddle chunk edges. */
async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function decode(buf: Buffer, choice: 'auto' | 'utf-8' | 'shift_jis' = 'auto', size = 3): Promise<{ text: string; enc?: string }> {
  let enc: string | undefined;
  let text = '';
  for await (const s of decodeText(chunks(buf, size), choice, (e) => (enc = e))) text += s;
  return { text, enc };
}

const SAMPLE = '管理ID,電話番号,名前\nA1,09012345678,山田太郎\nA2,0312345678,ｶﾀｶﾅ髙橋\n';

t.test('UTF-8 with and without BOM, Shift_JIS detected and decoded', async (t) => {
  t.same(await decode(Buffer.from(SAMPLE)), { text: SAMPLE, enc: 'utf-8' });
  t.same(
    await decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE)])),
    { text: SAMPLE, enc: 'utf-8-bom' },
    'BOM stripped',
  );
  t.same(await decode(iconv.encode(SAMPLE, 'cp932')), { text: SAMPLE, enc: 'shift_jis' });
  t.same(await decode(iconv.encode(SAMPLE, 'cp932'), 'shift_jis', 1), { text: SAMPLE, enc: 'shift_jis' }, 'one byte at a time');
  t.same(await decode(iconv.encode(SAMPLE, 'utf-16le', { addBOM: true })), { text: SAMPLE, enc: 'utf-16le' });
});

t.test('files that are neither are refused with a clear error', async (t) => {
  await t.rejects(decode(iconv.encode(SAMPLE, 'euc-jp')), {
    name: 'ImportFileError',
    message: 'file is neither UTF-8 nor Shift_JIS (CP932) text; save it as CSV UTF-8 or pass encoding=shift_jis|utf-8',
  });
  await t.rejects(decode(iconv.encode(SAMPLE, 'utf-16le')), { message: /NUL bytes/ }, 'UTF-16 without BOM');
  await t.rejects(decode(iconv.encode(SAMPLE, 'cp932'), 'utf-8'), { message: /^file is not valid UTF-8 .*pass encoding=shift_jis$/ });
  // Valid UTF-8 head, Shift_JIS later: detected as UTF-8, then refused where it breaks.
  const mixed = Buffer.concat([Buffer.from('phone,name\n' + '09012345678,a\n'.repeat(6000)), iconv.encode('09012345679,山田\n', 'cp932')]);
  await t.rejects(decode(mixed, 'auto', 4096), { message: /^file is not valid UTF-8 \(bad bytes within bytes 8[0-9]{4}–/ });
  t.same(detectEncoding(Buffer.from('abc'), 'shift_jis'), 'shift_jis', 'an explicit choice wins over validity checks');
});

t.test('upload limit', async (t) => {
  const it = limitBytes(chunks(Buffer.alloc(100), 10), 55);
  await t.rejects(
    (async () => {
      for await (const _ of it);
    })(),
    { code: 'PAYLOAD_TOO_LARGE', message: 'file is larger than 55 bytes (api.uploadLimitBytes)' },
  );
});
