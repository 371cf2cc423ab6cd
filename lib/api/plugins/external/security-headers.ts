/**
 * Helmet-like response headers on every answer (the few of helmet's defaults that matter for a JSON API
 * with two small browser pages, set here rather than through a dependency): no MIME sniffing, no framing
 * (clickjacking of the dashboard), no Referer leaking URLs to other sites, a same-origin opener. CORS stays
 * off: no `Access-Control-Allow-*` header is ever sent, so browsers on other origins cannot read answers;
 * the dashboard and the agent page are served from this origin. Owns nothing to close.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
};

async function securityHeadersPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (_req, reply) => {
    void reply.headers(SECURITY_HEADERS);
  });
}

export default fp(securityHeadersPlugin, { name: 'security-headers' });
