/**
 * Browser sessions: a page signs in once with a key and gets an HttpOnly,
 * SameSite=Strict cookie, which `fetch` and `EventSource` then send on their
 * own, so no key is ever put in a URL. The cookie holds no key: it names the
 * key by id, carries an expiry and an HMAC-SHA256 over both. The key is looked
 * up again on every request, so revoking it ends its sessions.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'dialer_session';

export interface SessionClaims {
  keyId: string;
  /** Expiry, epoch ms. */
  exp: number;
}

export class SessionSigner {
  constructor(private readonly secret: string) {}

  sign(claims: SessionClaims): string {
    const body = Buffer.from(JSON.stringify({ k: claims.keyId, e: claims.exp })).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The claims of a well-signed, unexpired token; undefined otherwise. */
  verify(token: string, now: number): SessionClaims | undefined {
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1));
    const want = Buffer.from(this.mac(body));
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) return undefined;
    try {
      const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { k?: unknown; e?: unknown };
      if (typeof c.k !== 'string' || typeof c.e !== 'number' || c.e <= now) return undefined;
      return { keyId: c.k, exp: c.e };
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

/** The value of one cookie from a `Cookie` header (RFC 6265 §5.4 syntax). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A `Set-Cookie` value for the session; `maxAgeSec` 0 clears it. */
export function sessionCookie(token: string, maxAgeSec: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    `Max-Age=${maxAgeSec}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
