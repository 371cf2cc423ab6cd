/** Framing SIP messages out of a TCP stream by Content-Length (RFC 3261 §18.3). */
import t from 'tap';
import { StreamFramer } from '../../../lib/sip';

const msg = (body: string) =>
  `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

t.test('messages split across chunks, glued together, and keep-alive CRLFs', async (t) => {
  const f = new StreamFramer();
  const a = msg('hello');
  const b = msg('');
  const wire = Buffer.from(`\r\n\r\n${a}${b}`);
  const got: string[] = [];
  for (let i = 0; i < wire.length; i += 7) got.push(...f.push(wire.subarray(i, i + 7)).map((x) => x.toString()));
  t.same(got, [a, b]);
  t.same(f.push(Buffer.from(a + a)).map(String), [a, a], 'two in one chunk');
});

t.test('a message without Content-Length cannot be framed (the connection is dropped)', async (t) => {
  t.throws(() => new StreamFramer().push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n')), /Content-Length/);
});
