/**
 * HTTP Digest authentication for SIP (RFC 3261 §22, RFC 2617 / RFC 7616 MD5):
 * answers a 401 WWW-Authenticate or 407 Proxy-Authenticate challenge.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseChallenge } from './headers';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface DigestCredentials {
  username: string;
  password: string;
}

/**
 * Builds the Authorization / Proxy-Authorization value for one request.
 * Only MD5 (and MD5 with qop=auth) is supported; anything else throws, and the
 * call ends with the challenge status as its result.
 */
export function digestAuthorization(challenge: string, creds: DigestCredentials, method: string, uri: string, nc = 1): string {
  const { scheme, params } = parseChallenge(challenge);
  if (scheme.toLowerCase() !== 'digest') throw new Error(`unsupported auth scheme ${scheme}`);
  const algorithm = params.algorithm ?? 'MD5';
  if (algorithm.toUpperCase() !== 'MD5') throw new Error(`unsupported digest algorithm ${algorithm}`);
  const realm = params.realm ?? '';
  const nonce = params.nonce ?? '';
  const ha1 = md5(`${creds.username}:${realm}:${creds.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const qops = (params.qop ?? '').split(',').map((q) => q.trim());
  const parts = [`username="${creds.username}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`];
  if (qops.includes('auth')) {
    const ncHex = nc.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const response = md5(`${ha1}:${nonce}:${ncHex}:${cnonce}:auth:${ha2}`);
    parts.push(`response="${response}"`, 'qop=auth', `nc=${ncHex}`, `cnonce="${cnonce}"`);
  } else {
    parts.push(`response="${md5(`${ha1}:${nonce}:${ha2}`)}"`);
  }
  parts.push('algorithm=MD5');
  if (params.opaque !== undefined) parts.push(`opaque="${params.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
