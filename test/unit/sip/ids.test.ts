/** Branch, tag and Call-ID generation (lib/sip/headers.ts): right shape, never repeated across pool refills. */
import t from 'tap';
import { newBranch, newCallId, newTag, randomHex } from '../../../lib/sip/headers';

t.test('ids have their shape and do not repeat over many pool refills', async (t) => {
  const seen = new Set<string>();
  // 20,000 branches of 8 bytes = 160 KiB: about 40 refills of the 4 KiB pool, with ids straddling none.
  for (let i = 0; i < 20_000; i++) seen.add(newBranch());
  t.equal(seen.size, 20_000, 'no branch repeated');
  t.ok(
    [...seen].every((b) => /^z9hG4bK[0-9a-f]{16}$/.test(b)),
    'magic cookie + 16 hex (RFC 3261 §8.1.1.7)',
  );
  t.match(newTag(), /^[0-9a-f]{12}$/);
  t.match(newCallId('127.0.0.1'), /^[0-9a-f]{20}@127\.0\.0\.1$/);
  // Odd sizes that do not divide the pool: a request near the end takes a fresh pool, never a short id.
  const lengths = new Set(Array.from({ length: 2000 }, () => randomHex(7).length));
  t.same([...lengths], [14]);
});
