/**
 * Rate limit on failed authentications: after `api.authFailuresPerMinute` failures from one client
 * address within a minute, that address gets 429 TOO_MANY_REQUESTS (before its key is even looked at)
 * until the minute is over. Decorated as `app.authFailures`; the auth plugin (plugins/app/auth.ts)
 * counts and checks. In memory, per process: it slows key guessing, it is not an account lockout.
 * Owns nothing to close.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

/** Failed authentications per client address in a one-minute window. */
export class FailureLimiter {
  private readonly seen = new Map<string, { since: number; count: number }>();
  constructor(private readonly perMinute: number) {}

  blocked(ip: string, now: number): boolean {
    const e = this.seen.get(ip);
    return !!e && now - e.since < 60_000 && e.count >= this.perMinute;
  }

  fail(ip: string, now: number): void {
    const e = this.seen.get(ip);
    if (!e || now - e.since >= 60_000) this.seen.set(ip, { since: now, count: 1 });
    else e.count++;
    if (this.seen.size > 10_000) for (const [k, v] of this.seen) if (now - v.since >= 60_000) this.seen.delete(k);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    authFailures: FailureLimiter;
  }
}

async function authFailuresPlugin(app: FastifyInstance): Promise<void> {
  app.decorate('authFailures', new FailureLimiter(app.config.api.authFailuresPerMinute));
}

export default fp(authFailuresPlugin, { name: 'auth-failures', decorators: { fastify: ['config'] } });
