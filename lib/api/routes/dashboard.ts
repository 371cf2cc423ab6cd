/**
 * The supervisor dashboard: one static page with plain JavaScript (no build
 * step), served by the API. The page itself is public; everything it shows
 * comes from authenticated routes (the page signs in once; a session cookie follows).
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReqObject, type RoutePlugin } from '../typebox';

const DIR = join(__dirname, '..', '..', 'monitor', 'dashboard');
const FILES: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };

export const dashboardRoutes: RoutePlugin = async (app) => {
  const html = readFileSync(join(DIR, 'index.html'));
  const assets = Object.fromEntries(Object.keys(FILES).map((f) => [f, readFileSync(join(DIR, f))]));
  // The file's bytes, as read at start (no JSON serialisation: the content type is not JSON).
  const file = (description: string) => Type.Unsafe<Buffer>({ type: 'string', description });
  const schema = (summary: string, type: string) => ({ tags: ['dashboard'], summary, response: { 200: file(type) } });

  app.get('/dashboard', { schema: schema('The live dashboard page (campaigns, agents, calls)', 'text/html') }, async (_req, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html),
  );
  app.get(
    '/dashboard/:file',
    {
      schema: {
        ...schema('Dashboard script and style', 'text/javascript or text/css'),
        params: ReqObject({ file: StringEnum(Object.keys(FILES)) }),
      },
    },
    async (req, reply) =>
      reply.header('content-type', FILES[req.params.file]!).header('cache-control', 'no-cache').send(assets[req.params.file]),
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default dashboardRoutes;
