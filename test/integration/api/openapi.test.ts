/**
 * The OpenAPI document lists every route with request and response schemas:
 * every operation documents a success response, and every route that takes a
 * JSON body, params or a query string has a schema for it.
 */
import t from 'tap';
import { build } from '../../helpers/app';
import { Type } from '@sinclair/typebox';
import { missingSuccessSchema, untypedReply } from '../../../lib/api/app';

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  parameters?: { in: string; name: string; schema?: unknown }[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }>; description?: string }>;
}

t.test('every route is in the OpenAPI document with its schemas', async (t) => {
  const { app } = await build(t);
  await app.ready();
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
  t.ok(Object.keys(doc.paths).length >= 40, `${Object.keys(doc.paths).length} paths documented`);
  let missing = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const ok2xx = Object.entries(op.responses ?? {}).filter(([code]) => code.startsWith('2'));
      if (ok2xx.length === 0) {
        missing++;
        t.fail(`${method.toUpperCase()} ${path} documents no success response`);
      }
      const jsonOk = ok2xx.some(([, r]) => r.content && Object.values(r.content).some((c) => c.schema));
      const noBody = ok2xx.some(([code, r]) => code === '204' || !r.content);
      if (!jsonOk && !noBody) {
        missing++;
        t.fail(`${method.toUpperCase()} ${path} has no response schema`);
      }
      const errors = Object.keys(op.responses ?? {}).filter((c) => /^[45]/.test(c));
      // Public static pages (the dashboard) and the liveness probe have no error bodies.
      if (!/^\/(health|dashboard)/.test(path) && errors.length === 0) {
        missing++;
        t.fail(`${method.toUpperCase()} ${path} documents no error response`);
      }
      if (
        ['post', 'put', 'patch'].includes(method) &&
        op.requestBody === undefined &&
        !/\/(start|stop|pause|resume|close|login|logout|hangup|hold|unhold|replay)$/.test(path)
      ) {
        t.comment(`${method.toUpperCase()} ${path} takes no body`);
      }
    }
  }
  t.equal(missing, 0, 'nothing is undocumented');
});

t.test('a route without a 2xx response schema is refused when added (lib/api/app.ts missingSuccessSchema)', async (t) => {
  t.equal(missingSuccessSchema({ method: 'GET', url: '/a', schema: { response: { 200: {} } } }), undefined, '200: fine');
  t.equal(missingSuccessSchema({ method: 'DELETE', url: '/a', schema: { response: { 204: {}, 404: {} } } }), undefined, '204: fine');
  t.equal(missingSuccessSchema({ method: 'GET', url: '/h', schema: { hide: true } }), undefined, 'hidden from the document: fine');
  t.match(missingSuccessSchema({ method: 'GET', url: '/b', schema: { response: { 400: {} } } }), /GET \/b has no 2xx response schema/);
  t.match(missingSuccessSchema({ method: 'POST', url: '/c' }), /POST \/c has no 2xx response schema/);
  const { app } = await build(t);
  const err = await Promise.resolve()
    .then(async () => {
      await app.register(async (scope) => {
        scope.get('/undocumented', async () => ({ ok: true }));
      });
      await app.ready();
    })
    .then(
      () => undefined,
      (e: Error) => e,
    );
  t.match(err?.message, /GET \/undocumented has no 2xx response schema/, 'the app does not start with such a route');
});

t.test('a route whose answers are plain JSON Schema is refused when added: replies are typed (lib/api/app.ts untypedReply)', async (t) => {
  const typed = { 200: Type.Object({ ok: Type.Boolean() }) };
  t.equal(untypedReply({ method: 'GET', url: '/a', schema: { response: typed } }), undefined, 'TypeBox: fine');
  t.equal(
    untypedReply({ method: 'GET', url: '/h', schema: { hide: true, response: { 200: { type: 'string' } } } }),
    undefined,
    'hidden: fine',
  );
  t.match(
    untypedReply({ method: 'GET', url: '/b', schema: { response: { ...typed, 404: { $ref: 'Error#' } } } }),
    /GET \/b: response 404 is plain JSON Schema/,
    'one plain code is enough',
  );
  t.match(untypedReply({ method: 'DELETE', url: '/c', schema: { response: { 204: { type: 'null' } } } }), /DELETE \/c: response 204/);
  const { app } = await build(t);
  const err = await Promise.resolve()
    .then(async () => {
      await app.register(async (scope) => {
        scope.get('/plain', { schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({
          ok: true,
        }));
      });
      await app.ready();
    })
    .then(
      () => undefined,
      (e: Error) => e,
    );
  t.match(err?.message, /GET \/plain: response 200 is plain JSON Schema/, 'the app does not start with such a route');
});
