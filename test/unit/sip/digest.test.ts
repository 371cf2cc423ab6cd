import t from 'tap';
import { createHash } from 'node:crypto';
import { digestAuthorization } from '../../../lib/sip';
import { parseChallenge } from '../../../lib/sip';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

t.test('RFC 2617 §3.5 example: qop=auth response matches when cnonce/nc are reused', async (t) => {
  // The RFC's worked example uses GET on /dir/index.html; the computation is the same for SIP methods.
  const challenge =
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
  const v = digestAuthorization(challenge, { username: 'Mufasa', password: 'Circle Of Life' }, 'GET', '/dir/index.html');
  const p = parseChallenge(v).params;
  const ha1 = md5('Mufasa:testrealm@host.com:Circle Of Life');
  const ha2 = md5('GET:/dir/index.html');
  t.equal(p.response, md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`));
  t.equal(p.qop, 'auth');
  t.equal(p.nc, '00000001');
  t.equal(p.opaque, '5ccc069c403ebaf9f0171e9517f40e41');
  // With the RFC's own cnonce the answer is the RFC's published one.
  t.equal(md5(`${ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:${ha2}`), '6629fae49393a05397450978507c4ef1');
});

t.test('without qop (RFC 2069 compatibility) the response is MD5(HA1:nonce:HA2)', async (t) => {
  const v = digestAuthorization('Digest realm="sip.test", nonce="abc"', { username: 'u', password: 'p' }, 'INVITE', 'sip:1@h');
  const p = parseChallenge(v).params;
  t.equal(p.response, md5(`${md5('u:sip.test:p')}:abc:${md5('INVITE:sip:1@h')}`));
  t.notOk(p.qop);
});

t.test('unsupported schemes and algorithms are refused clearly', async (t) => {
  t.throws(() => digestAuthorization('Basic realm="x"', { username: 'u', password: 'p' }, 'INVITE', 'sip:x'), /unsupported auth scheme/);
  t.throws(
    () => digestAuthorization('Digest realm="x", nonce="n", algorithm=SHA-256', { username: 'u', password: 'p' }, 'INVITE', 'sip:x'),
    /unsupported digest algorithm/,
  );
});
